"""The Dask client: a local cluster on 127.0.0.1 that leaves no process behind, a running
scheduler's, an unreachable address refused, the slots, and failing what is unfinished."""

from __future__ import annotations

import multiprocessing

import pytest

pytest.importorskip("distributed")

from distributed import Client, Event, LocalCluster  # noqa: E402

from moons_classifier.cluster import (  # noqa: E402
    UNFINISHED,
    SchedulerUnreachableError,
    WorkerLosses,
    WorkersLostError,
    dask_client,
    fail_unfinished,
    slots,
)
from tests.support.helpers import wait_for  # noqa: E402
from tests.support.servers import free_port  # noqa: E402


def in_process_cluster(workers: int, threads: int) -> LocalCluster:
    """A cluster of worker threads in this process, on the loopback interface."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=threads,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # its HTTP server on any free loopback port
    )


def test_a_local_cluster_has_all_its_workers_runs_tasks_and_ends_its_processes():
    before = set(multiprocessing.active_children())
    with dask_client(None, 2, "1GiB") as client:
        workers = client.scheduler_info()["workers"].values()  # all, before any task
        assert [(w["nthreads"], w["memory_limit"]) for w in workers] == [(1, 2**30)] * 2
        assert client.scheduler.address.startswith("tcp://127.0.0.1:")
        assert client.submit(sum, [1, 2, 3]).result() == 6  # noqa: PLR2004
        assert set(multiprocessing.active_children()) - before
    assert client.status == "closed"
    assert set(multiprocessing.active_children()) == before


def test_a_running_schedulers_client_is_closed_and_the_scheduler_left_running():
    with in_process_cluster(1, 1) as cluster:
        with dask_client(cluster.scheduler_address, workers=4) as client:
            assert client.scheduler.address == cluster.scheduler_address
            assert client.submit(abs, -2).result() == 2  # noqa: PLR2004
        assert client.status == "closed"
        with Client(cluster) as other:  # the cluster is still there, its one worker too
            assert len(other.scheduler_info()["workers"]) == 1


def test_an_unreachable_scheduler_is_refused_naming_its_address():
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(
        SchedulerUnreachableError, match=f"No Dask scheduler answers at {address}"
    ):
        with dask_client(address, None):
            pytest.fail("no client without a scheduler")


def test_slots_are_the_workers_threads_or_the_workers():
    with in_process_cluster(2, 3) as cluster, Client(cluster) as client:
        assert slots(client) == 6  # noqa: PLR2004
        assert slots(client, per_thread=False) == 2  # noqa: PLR2004


def test_unfinished_tasks_fail_as_workers_lost_once_the_losses_reach_the_limit():
    with in_process_cluster(1, 1) as cluster, Client(cluster) as client:
        release = Event("release")
        losses = WorkerLosses(limit=2, memory_limit="1GB")
        losses.scheduler = cluster.scheduler
        blocked = client.submit(release.wait, key="blocked")
        waiting = client.submit(abs, -1, key="waiting")

        def unfinished() -> bool:
            states = {k: t.state for k, t in list(cluster.scheduler.tasks.items())}
            return {states.get("blocked"), states.get("waiting")} <= set(UNFINISHED)

        async def lose_a_worker() -> None:  # in the scheduler's event loop, as a nanny
            losses.add()

        try:
            wait_for(unfinished, "the scheduler to hold both tasks", 30)
            cluster.sync(lose_a_worker)
            assert losses.count == 1
            assert not blocked.done()
            cluster.sync(lose_a_worker)
            for future in (blocked, waiting):
                with pytest.raises(WorkersLostError, match="workers died 2 times"):
                    future.result(timeout=30)
            assert "dask.worker_memory=1GB" in str(waiting.exception())
        finally:
            release.set()
        assert client.submit(abs, -3).result() == 3  # noqa: PLR2004


def test_failing_the_unfinished_on_a_closed_scheduler_does_nothing():
    with in_process_cluster(1, 1) as cluster:
        scheduler = cluster.scheduler
    fail_unfinished(scheduler, "too late")
