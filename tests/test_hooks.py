"""The project's hooks, each called directly and all three in settings' order, on a small
catalog of in-memory and temporary datasets: the run checks refuse before anything is
touched, the artifact run locks, pins and records, the cluster hook starts a Dask client
only on the Dask backend and closes it before the lock is released."""

from __future__ import annotations

import json
import logging
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import torch
from kedro.config import OmegaConfigLoader
from kedro.framework.hooks.manager import _create_hook_manager, _register_hooks
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline, node
from kedro_datasets.pandas import CSVDataset
from pluggy import PluginManager

from moons_classifier import cluster_hooks
from moons_classifier.cluster_hooks import ClusterHooks
from moons_classifier.hooks import RunChecksHooks
from moons_classifier.params import DaskParams, DataParams, SplitParams, TrainingParams
from moons_classifier.runs.hooks import ArtifactRunHooks
from moons_classifier.runs.lock import RunLock, RunLockedError
from moons_classifier.runs.manifest import MANIFEST
from moons_classifier.settings import HOOKS

V1, V2 = "2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"
JSON = "moons_classifier.datasets.JSONDataset"
BASE = {
    "data": {"n_samples": 100},
    "split": {"test_size": 0.2},
    "training": {"device": "cpu"},
    "dask": {"workers": 1},
    "logistic": {"model": {"kind": "logistic"}},
    "mlp": {"model": {"kind": "mlp"}},
}
PROJECT_HOOKS = (ClusterHooks, ArtifactRunHooks, RunChecksHooks)


def train(data: DataParams, split: SplitParams, training: TrainingParams) -> dict:
    """A stand-in for training: the parameters it was given."""
    return {"n_samples": data.n_samples, "device": training.device}


def score(model: dict) -> dict:
    """A stand-in for inference: what it loaded."""
    return model


TRAINING = Pipeline(
    [node(train, ["params:data", "params:split", "params:training"], "model")]
)
INFERENCE = Pipeline([node(score, "model", "scores")])


def run_catalog(data: Path, version: str, parameters: dict[str, Any]) -> DataCatalog:
    """A run's catalog saving under ``version``: a versioned model, the run manifests and
    the parameters (typed groups as ``params:<group>``)."""
    catalog = DataCatalog.from_config(
        {
            name: {"type": JSON, "filepath": str(data / path), "versioned": True}
            for name, path in (
                ("model", "06_models/model.json"),
                (MANIFEST, "08_reporting/run_manifest.json"),
            )
        },
        save_version=version,
    )
    catalog["parameters"] = MemoryDataset(parameters)
    catalog["scores"] = MemoryDataset()
    for group, model in (
        ("data", DataParams),
        ("split", SplitParams),
        ("training", TrainingParams),
    ):
        typed = model.model_validate(parameters.get(group, {}))
        catalog[f"params:{group}"] = MemoryDataset(typed, copy_mode="assign")
    return catalog


def run_params(version: str, pipeline: str, **load_versions: str) -> dict[str, Any]:
    """What a session hands the hooks about its run."""
    return {
        "run_id": version,
        "pipeline_names": [pipeline],
        "load_versions": load_versions,
    }


def lock_held(data: Path) -> bool:
    """Whether a run holds ``data``'s lock now (probed by taking it)."""
    probe = RunLock(data / "08_reporting" / "run.lock")
    try:
        probe.acquire({"run_id": "probe"})
    except RunLockedError:
        return True
    probe.release()
    return False


def manifests(data: Path) -> list[str]:
    """The versions of the completed runs' manifests under ``data``."""
    folder = data / "08_reporting" / "run_manifest.json"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The runs' data folder, empty."""
    return tmp_path / "data"


@pytest.fixture
def checks(tmp_path: Path) -> RunChecksHooks:
    """The run checks hook, after a context whose ``conf/base`` defines ``BASE``."""
    base = tmp_path / "conf" / "base"
    base.mkdir(parents=True)
    (tmp_path / "conf" / "local").mkdir()
    (base / "parameters.yml").write_text(json.dumps(BASE))
    loader = OmegaConfigLoader(
        str(tmp_path / "conf"), base_env="base", default_run_env="local"
    )
    hook = RunChecksHooks()
    hook.after_context_created(SimpleNamespace(config_loader=loader))
    return hook


@pytest.fixture
def clusters(monkeypatch: pytest.MonkeyPatch) -> list[DaskParams]:
    """The parameters of each Dask client the cluster hook starts, none really started."""
    started: list[DaskParams] = []

    def start(params: DaskParams) -> ExitStack:
        started.append(params)
        return ExitStack()

    monkeypatch.setattr(cluster_hooks, "open_cluster", start)
    return started


@pytest.fixture
def cluster_events(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, bool]]:
    """Each start and close of the Dask client (none really started), with whether the
    data folder's lock was held then; the Dask backend's packages are needed."""
    pytest.importorskip("distributed")
    pytest.importorskip("triad")
    events: list[tuple[str, bool]] = []

    def start(params: DaskParams) -> ExitStack:
        events.append(("start", lock_held(data)))
        stack = ExitStack()
        stack.callback(lambda: events.append(("close", lock_held(data))))
        return stack

    monkeypatch.setattr(cluster_hooks, "open_cluster", start)
    return events


@pytest.fixture
def manager(checks: RunChecksHooks) -> PluginManager:
    """Kedro's hook manager with the project's hooks, fresh, in settings' order."""
    hooks = [
        checks if isinstance(hook, RunChecksHooks) else type(hook)()
        for hook in HOOKS
        if isinstance(hook, PROJECT_HOOKS)
    ]
    manager = _create_hook_manager()
    _register_hooks(manager, hooks)
    return manager


def test_the_checks_refuse_an_unknown_group_before_the_lock_or_cluster(
    manager, data, clusters
):
    parameters = {**BASE, "data": {"backend": "dask"}, "trainig": {"n_epochs": 1}}
    catalog = run_catalog(data, V1, parameters)
    with pytest.raises(ValueError, match=r"Unknown parameter group\(s\) \['trainig'\]"):
        manager.hook.before_pipeline_run(
            run_params=run_params(V1, "training"), pipeline=TRAINING, catalog=catalog
        )
    assert not data.exists()  # no lock file, no manifest
    assert clusters == []


def test_a_run_locks_then_starts_its_cluster_and_closes_it_before_letting_go(
    manager, data, cluster_events
):
    catalog = run_catalog(data, V1, {**BASE, "data": {"backend": "dask"}})
    params = run_params(V1, "training")
    manager.hook.before_pipeline_run(
        run_params=params, pipeline=TRAINING, catalog=catalog
    )
    holder = json.loads((data / "08_reporting" / "run.lock").read_text())
    assert holder["run_id"] == V1
    assert holder["pipelines"] == ["training"]
    catalog.save("model", {"trained": True})
    manager.hook.after_pipeline_run(
        run_params=params, run_result={}, pipeline=TRAINING, catalog=catalog
    )
    assert cluster_events == [("start", True), ("close", True)]
    assert manifests(data) == [V1]
    assert not lock_held(data)


def test_a_failed_run_closes_its_cluster_and_lets_go_without_a_manifest(
    manager, data, cluster_events
):
    catalog = run_catalog(data, V1, {**BASE, "data": {"backend": "dask"}})
    params = run_params(V1, "training")
    manager.hook.before_pipeline_run(
        run_params=params, pipeline=TRAINING, catalog=catalog
    )
    manager.hook.on_pipeline_error(
        error=RuntimeError("a node failed"),
        run_params=params,
        pipeline=TRAINING,
        catalog=catalog,
    )
    assert cluster_events == [("start", True), ("close", True)]
    assert not lock_held(data)
    assert manifests(data) == []


def test_the_checks_refuse_a_device_only_where_the_run_trains(checks, data):
    missing = f"cuda:{torch.cuda.device_count()}"
    parameters = {**BASE, "training": {"device": missing}}
    checks.before_pipeline_run(INFERENCE, run_catalog(data, V1, parameters))
    with pytest.raises(ValueError, match=f"training.device='{missing}' is not avail"):
        checks.before_pipeline_run(TRAINING, run_catalog(data, V1, parameters))


def test_the_checks_refuse_data_that_leaves_no_validation_rows(checks, data):
    parameters = {**BASE, "data": {"n_samples": 2}, "split": {"test_size": 0.1}}
    with pytest.raises(ValueError, match="both sets need rows"):
        checks.before_pipeline_run(TRAINING, run_catalog(data, V1, parameters))


def test_the_checks_refuse_a_dask_table_bound_for_a_pandas_dataset(
    checks, data, tmp_path
):
    dd = pytest.importorskip("dask.dataframe")
    catalog = run_catalog(data, V1, BASE)
    catalog["predictions"] = CSVDataset(filepath=str(tmp_path / "predictions.csv"))
    table = pd.DataFrame({"x": [1.0, 2.0]})
    lazy = dd.from_pandas(table, npartitions=1)
    checks.before_pipeline_run(INFERENCE, catalog)
    checks.before_dataset_saved("predictions", table)
    with pytest.raises(ValueError, match="CSVDataset cannot write"):
        checks.before_dataset_saved("predictions", lazy)
    checks.after_pipeline_run()
    checks.before_dataset_saved("predictions", lazy)  # the run is over: no catalog


def test_an_artifact_run_records_what_it_wrote_and_the_next_loads_it(data, caplog):
    training = ArtifactRunHooks()
    catalog = run_catalog(data, V1, BASE)
    training.before_pipeline_run(run_params(V1, "training"), TRAINING, catalog)
    assert lock_held(data)
    catalog.save("model", {"trained": 1})
    training.after_pipeline_run(run_params(V1, "training"), TRAINING, catalog)
    assert not lock_held(data)
    (manifest,) = manifests(data)
    recorded = json.loads(
        (
            data / "08_reporting" / "run_manifest.json" / V1 / "run_manifest.json"
        ).read_text()
    )
    assert manifest == V1
    assert recorded["pipelines"] == ["training"]
    assert list(recorded["artifacts"]) == ["model"]

    inference = ArtifactRunHooks()
    catalog = run_catalog(data, V2, BASE)
    with caplog.at_level(logging.INFO, logger="moons_classifier.runs.hooks"):
        inference.before_pipeline_run(run_params(V2, "inference"), INFERENCE, catalog)
    assert f"Using the artifacts of run {V1}" in caplog.text
    assert catalog.load("model") == {"trained": 1}
    assert lock_held(data)
    inference.after_pipeline_run(run_params(V2, "inference"), INFERENCE, catalog)
    assert manifests(data) == [V1, V2]
    assert not lock_held(data)


def test_an_artifact_run_with_nothing_to_load_is_refused_before_the_lock(data):
    hook = ArtifactRunHooks()
    with pytest.raises(ValueError, match="No trained model yet"):
        hook.before_pipeline_run(
            run_params(V1, "inference"), INFERENCE, run_catalog(data, V1, BASE)
        )
    assert not data.exists()


def test_a_failed_artifact_run_records_nothing_and_lets_go(data):
    hook = ArtifactRunHooks()
    catalog = run_catalog(data, V1, BASE)
    hook.before_pipeline_run(run_params(V1, "training"), TRAINING, catalog)
    catalog.save("model", {"trained": 1})
    hook.on_pipeline_error()
    assert not lock_held(data)
    assert manifests(data) == []


def test_the_cluster_hook_starts_nothing_on_pandas(clusters, data):
    hook = ClusterHooks()
    hook.before_pipeline_run(run_catalog(data, V1, BASE))
    hook.after_pipeline_run()
    assert clusters == []


def test_the_cluster_hook_starts_the_configured_client_on_dask(clusters, data):
    hook = ClusterHooks()
    parameters = {
        **BASE,
        "data": {"backend": "dask"},
        "dask": {"scheduler": "tcp://127.0.0.1:8786"},
    }
    hook.before_pipeline_run(run_catalog(data, V1, parameters))
    assert clusters == [DaskParams(scheduler="tcp://127.0.0.1:8786")]
    hook.on_pipeline_error()
    hook.before_pipeline_run(run_catalog(data, V2, BASE))
    assert len(clusters) == 1
