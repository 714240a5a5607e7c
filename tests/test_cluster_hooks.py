"""The cluster hook with a real Dask client: none on pandas (Dask not even imported), a local
cluster on 127.0.0.1 as the default client for the run on Dask, closed at its end."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap

import pytest
from kedro.io import DataCatalog, MemoryDataset

from moons_classifier.cluster_hooks import ClusterHooks

DASK = {"data": {"backend": "dask"}, "dask": {"workers": 1, "worker_memory": "1GB"}}


def catalog(parameters: dict) -> DataCatalog:
    return DataCatalog({"parameters": MemoryDataset(parameters)})


def test_the_pandas_backend_opens_nothing_and_imports_no_dask():
    script = textwrap.dedent(
        """
        import multiprocessing, sys
        from kedro.io import DataCatalog, MemoryDataset
        from moons_classifier.cluster_hooks import ClusterHooks

        hook = ClusterHooks()
        for parameters in ({}, {"data": {"backend": "pandas"}, "dask": {"workers": 2}}):
            hook.before_pipeline_run(DataCatalog({"parameters": MemoryDataset(parameters)}))
            hook.after_pipeline_run()
        print(sorted(m for m in ("dask", "distributed") if m in sys.modules))
        print(multiprocessing.active_children())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.splitlines() == ["[]", "[]"]


def test_a_dask_run_gets_a_local_default_client_closed_when_it_ends():
    distributed = pytest.importorskip("distributed")
    hook = ClusterHooks()
    before = set(multiprocessing.active_children())
    try:
        hook.before_pipeline_run(catalog(DASK))
        client = distributed.default_client()
        assert client.scheduler.address.startswith("tcp://127.0.0.1:")
        assert client.submit(sum, [1, 2]).result() == 3  # noqa: PLR2004
        assert len(client.scheduler_info()["workers"]) == 1
    finally:
        hook.after_pipeline_run()
    assert client.status == "closed"
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()
    assert set(multiprocessing.active_children()) == before


def test_a_client_left_open_by_an_interrupted_run_is_closed_by_the_next():
    distributed = pytest.importorskip("distributed")
    hook = ClusterHooks()
    try:
        hook.before_pipeline_run(catalog(DASK))
        interrupted = distributed.default_client()
        hook.before_pipeline_run(catalog(DASK))  # no end hook came: Ctrl-C
        assert interrupted.status == "closed"
        assert distributed.default_client() is not interrupted
        assert distributed.default_client().submit(abs, -1).result() == 1
    finally:
        hook.on_pipeline_error()
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()


def test_an_unreachable_scheduler_refuses_the_run_and_leaves_nothing_open(
    monkeypatch: pytest.MonkeyPatch,
):
    pytest.importorskip("distributed")
    from moons_classifier import cluster  # noqa: PLC0415
    from tests.support.servers import free_port  # noqa: PLC0415

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 0.5)  # test_cluster waits the 3 s
    hook = ClusterHooks()
    address = f"tcp://127.0.0.1:{free_port()}"
    parameters = {"data": {"backend": "dask"}, "dask": {"scheduler": address}}
    with pytest.raises(cluster.SchedulerUnreachableError, match=address):
        hook.before_pipeline_run(catalog(parameters))
    hook.on_pipeline_error()  # nothing to close
    hook.after_pipeline_run()
