"""Versioned artifacts survive new and failed runs, never run code on load, and every runner agrees."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import fsspec.implementations.local
import numpy as np
import pandas as pd
import pytest
import torch
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import DataCatalog
from kedro.io.core import DatasetError
from kedro.runner import ThreadRunner
from sklearn.preprocessing import StandardScaler

from moons_classifier.params import (
    DataParams,
    LoaderParams,
    ModelParams,
    SplitParams,
    TrainingParams,
)
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    split_data,
    standardize_splits,
)
from moons_classifier.pipelines.evaluation import pipeline as evaluation
from moons_classifier.pipelines.evaluation.nodes import compute_metrics
from moons_classifier.pipelines.reporting import pipeline as reporting
from moons_classifier.pipelines.training.nodes import (
    build_loaders,
    build_model,
    train_model,
)
from tests.support.helpers import (
    RUN_ARTIFACTS,
    copy_newest_run,
    probabilities,
    record_run,
    snapshot,
    versions,
)
from tests.support.projects import copy_project, run_kedro

EPOCHS = (3, 6)  # the older and the newer run
VERSIONED = (
    "06_models/scaler.json",
    "06_models/logistic/model.pt",
    "06_models/mlp/model.pt",
    "08_reporting/logistic/metrics.json",
    "08_reporting/mlp/metrics.json",
    "08_reporting/data.png",
    "08_reporting/logistic/losses.png",
    "08_reporting/mlp/roc_pr_curves.png",
    "08_reporting/model_comparison.json",
    "08_reporting/model_comparison.png",
)
LOADABLE = {
    "scaler": "06_models/scaler.json",
    "logistic.model_state_dict": "06_models/logistic/model.pt",
    "mlp.model_state_dict": "06_models/mlp/model.pt",
    "logistic_metrics": "08_reporting/logistic/metrics.json",
    "mlp_metrics": "08_reporting/mlp/metrics.json",
    "model_comparison": "08_reporting/model_comparison.json",
}


def versioned_folders(project: Path) -> list[str]:
    """Every versioned artifact under ``data/``: a folder named like its file, one sub-folder per version."""
    return sorted(
        str(folder.parent.relative_to(project / "data"))
        for folder in (project / "data").rglob("*")
        if folder.is_dir() and (folder / folder.parent.name).is_file()
    )


def project_catalog(project: Path, monkeypatch, load_versions=None) -> DataCatalog:
    """The project's catalog, as a run would build it, with ``load_versions`` pinned."""
    monkeypatch.chdir(project)
    bootstrap_project(project)
    with KedroSession.create(project_path=project) as session:
        config = session.load_context().config_loader["catalog"]
    return DataCatalog.from_config(config, load_versions=load_versions)


def version_probabilities(
    project: Path, version: str, points: pd.DataFrame
) -> np.ndarray:
    """The logistic model's probabilities from one version of its weights and of the scaler."""
    models = project / "data/06_models"
    state = torch.load(
        models / f"logistic/model.pt/{version}/model.pt", weights_only=True
    )
    scaler = json.loads((models / f"scaler.json/{version}/scaler.json").read_text())
    return probabilities(state, scaler, points)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy after two sequential runs that differ in ``training.n_epochs``."""
    project = copy_project(tmp_path_factory.mktemp("two-runs") / "project")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for n_epochs in EPOCHS:
            run_kedro(
                project,
                monkeypatch,
                runtime_params={"training": {"n_epochs": n_epochs}},
            )
    return project


@pytest.fixture
def two_runs_copy(two_runs: Path, tmp_path: Path) -> Path:
    """This test's own copy of ``two_runs``, modification times preserved."""
    return shutil.copytree(two_runs, tmp_path / "project")


def test_two_runs_keep_two_versions_of_every_artifact(two_runs):
    found = versioned_folders(two_runs)
    assert set(VERSIONED) <= set(found)
    run_versions = versions(two_runs, "06_models/scaler.json")
    assert len(run_versions) == len(EPOCHS)
    for relative in found:
        assert versions(two_runs, relative) == run_versions, relative
    older, newer = run_versions
    for relative in ("06_models/logistic/model.pt", "08_reporting/mlp/metrics.json"):
        folder = two_runs / "data" / relative
        name = Path(relative).name
        assert (folder / older / name).read_bytes() != (
            folder / newer / name
        ).read_bytes()


def test_inference_pinned_to_the_older_model(two_runs_copy, monkeypatch):
    project = two_runs_copy
    older, newer = versions(project, "06_models/logistic/model.pt")
    points = pd.read_csv(project / "data/01_raw/inference_input.csv")
    predictions = "07_model_output/logistic/inference_predictions.csv"

    def newest_predictions() -> pd.DataFrame:
        newest = versions(project, predictions)[-1]
        return pd.read_csv(
            project / "data" / predictions / newest / "inference_predictions.csv"
        )

    run_kedro(project, monkeypatch, pipeline_name="inference")
    latest = newest_predictions()
    pinned_versions = dict.fromkeys(
        (
            "scaler",
            "logistic.model_state_dict",
            "logistic_metrics",
            "mlp.model_state_dict",
            "mlp_metrics",
        ),
        older,
    )
    run_kedro(
        project, monkeypatch, pipeline_name="inference", load_versions=pinned_versions
    )
    pinned = newest_predictions()

    assert len(versions(project, predictions)) == 2  # noqa: PLR2004
    np.testing.assert_allclose(
        latest["probability"], version_probabilities(project, newer, points), atol=1e-6
    )
    np.testing.assert_allclose(
        pinned["probability"], version_probabilities(project, older, points), atol=1e-6
    )
    assert not np.allclose(pinned["probability"], latest["probability"], atol=1e-4)
    older_metrics = (
        project / "data/08_reporting/logistic/metrics.json" / older / "metrics.json"
    )
    selected = json.loads(older_metrics.read_text())["selected_threshold"]["threshold"]
    assert (pinned["threshold"] == selected).all()
    assert (latest["threshold"] != selected).all()
    assert (
        pinned["predicted_class"].tolist()
        == (pinned["probability"] >= selected).astype(int).tolist()
    )


def parses(document: bytes) -> bool:
    """Whether ``document`` is complete JSON."""
    try:
        json.loads(document)
    except ValueError:
        return False
    return True


def is_version(path: str) -> bool:
    """Whether ``path`` is one version of a versioned artifact (``name/<version>/name``)."""
    return Path(path).parent.parent.name == Path(path).name


def assert_earlier_versions_intact(project: Path, monkeypatch, before: dict) -> None:
    """Every earlier version is unchanged, nothing is half-written, and each version loads."""
    after = snapshot(project)
    earlier = {path: entry for path, entry in before.items() if is_version(path)}
    assert {path: after.get(path) for path in earlier} == earlier
    assert not [path for path in after if ".partial" in path]
    for version in versions(project, "08_reporting/model_comparison.json"):
        catalog = project_catalog(
            project, monkeypatch, dict.fromkeys(LOADABLE, version)
        )
        assert isinstance(catalog.load("scaler"), StandardScaler)
        assert set(catalog.load("logistic.model_state_dict")) == {
            "linear.weight",
            "linear.bias",
        }
        assert catalog.load("logistic_metrics").n_train == 80  # noqa: PLR2004
        assert set(catalog.load("model_comparison")) == {"logistic", "mlp"}
    assert not [
        path
        for path, entry in after.items()
        if path.endswith(".json") and entry and not parses(entry[0])
    ]
    newest = project_catalog(project, monkeypatch)
    for name in LOADABLE:
        newest.load(name)


def test_run_failing_in_a_late_node_leaves_earlier_versions_intact(
    two_runs_copy, monkeypatch
):
    before = snapshot(two_runs_copy)

    def fail(*args):
        raise RuntimeError("forced failure halfway through the evaluation")

    monkeypatch.setattr(reporting, "plot_roc_pr_curves", fail)
    with pytest.raises(RuntimeError, match="forced failure"):
        run_kedro(
            two_runs_copy, monkeypatch, runtime_params={"training": {"n_epochs": 2}}
        )
    assert len(versions(two_runs_copy, "06_models/logistic/model.pt")) == 3  # noqa: PLR2004
    assert_earlier_versions_intact(two_runs_copy, monkeypatch, before)


def metrics_that_fail_to_serialise(*args):
    """Real metrics, then a value JSON cannot write: the save fails part way through."""
    return compute_metrics(*args).model_copy(update={"pr_baseline": object()})


def rename_that_fails(*args, **kwargs):
    """A full disk or a killed process, at the moment a finished file would be put in place."""
    raise OSError("forced failure while moving a finished file into place")


@pytest.mark.parametrize(
    ("target", "replacement", "error"),
    [
        pytest.param(
            evaluation,
            ("compute_metrics", metrics_that_fail_to_serialise),
            "not JSON serializable",
            id="metrics-serialisation",
        ),
        pytest.param(
            fsspec.implementations.local.LocalFileSystem,
            ("mv", rename_that_fails),
            "forced failure while moving",
            id="rename",
        ),
    ],
)
def test_save_failing_part_way_leaves_no_half_written_version(
    two_runs_copy, monkeypatch, target, replacement, error
):
    before = snapshot(two_runs_copy)
    monkeypatch.setattr(target, *replacement)
    with pytest.raises(Exception, match=error):
        run_kedro(
            two_runs_copy, monkeypatch, runtime_params={"training": {"n_epochs": 2}}
        )
    monkeypatch.undo()
    assert_earlier_versions_intact(two_runs_copy, monkeypatch, before)


class RunsCode:
    """Unpickling this object runs code: it creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({str(self.marker)!r}, 'w').close()",)


@pytest.mark.parametrize(
    ("name", "relative", "write", "unguarded_load"),
    [
        pytest.param(
            "logistic.model_state_dict",
            "06_models/logistic/model.pt",
            lambda payload, path: torch.save({"linear.weight": payload}, path),
            lambda path: torch.load(path, weights_only=False),
            id="model.pt",
        ),
        pytest.param(
            "scaler",
            "06_models/scaler.json",
            lambda payload, path: path.write_bytes(pickle.dumps(payload)),
            lambda path: pickle.loads(path.read_bytes()),
            id="scaler.json",
        ),
    ],
)
def test_crafted_artifact_is_refused_without_running_its_code(
    two_runs_copy, monkeypatch, name, relative, write, unguarded_load
):
    marker = two_runs_copy.parent / "code-ran"
    version = copy_newest_run(two_runs_copy)
    crafted = two_runs_copy / "data" / relative / version / Path(relative).name
    write(RunsCode(marker), crafted)
    # Recorded as a completed run, so that only the dataset's own guard stands between.
    record_run(two_runs_copy, version, RUN_ARTIFACTS)
    before = snapshot(two_runs_copy)

    with pytest.raises(DatasetError, match="is not a"):
        project_catalog(two_runs_copy, monkeypatch).load(name)
    with pytest.raises(DatasetError, match=crafted.parent.name):
        run_kedro(two_runs_copy, monkeypatch, pipeline_name="inference")
    assert not marker.exists()
    assert snapshot(two_runs_copy) == before

    unguarded_load(crafted)  # the payload is live: a plain unpickler runs it
    assert marker.exists()


def assert_same_metrics_bytes(project: Path, two_runs: Path) -> None:
    """Both models' newest metrics are byte-identical to those of the newer sequential run."""
    for namespace in ("logistic", "mlp"):
        relative = f"08_reporting/{namespace}/metrics.json"
        sequential = two_runs / "data" / relative / versions(two_runs, relative)[-1]
        this_run = project / "data" / relative / versions(project, relative)[-1]
        assert (this_run / "metrics.json").read_bytes() == (
            sequential / "metrics.json"
        ).read_bytes()


def test_thread_runner_writes_the_same_metrics_bytes(two_runs, project, monkeypatch):
    run_kedro(
        project,
        monkeypatch,
        runner=ThreadRunner(),
        runtime_params={"training": {"n_epochs": EPOCHS[-1]}},
    )
    assert_same_metrics_bytes(project, two_runs)


def test_parallel_runner_writes_the_same_metrics_bytes(two_runs, project):
    # Through the CLI: its fresh process forks the workers before torch has run any
    # computation (forking this process, after earlier tests ran torch, can hang them).
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kedro",
            "run",
            "--runner",
            "ParallelRunner",
            "--params",
            f"training.n_epochs={EPOCHS[-1]}",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert_same_metrics_bytes(project, two_runs)


def test_models_trained_at_once_in_threads_match_sequential_training():
    """What ThreadRunner does when both train_model nodes overlap, made to overlap here."""
    train, val = split_data(generate_moons(DataParams()), SplitParams())
    train, val = standardize_splits(train, val, fit_scaler(train))

    def losses(kind: str) -> pd.DataFrame:
        params = ModelParams(kind=kind)
        loaders = build_loaders(train, val, LoaderParams())
        training = TrainingParams(n_epochs=50, device="cpu")
        return train_model(build_model(train, params), *loaders, training, params)[1]

    sequential = {kind: losses(kind) for kind in ("logistic", "mlp")}
    threaded: dict[str, pd.DataFrame] = {}
    start = threading.Barrier(len(sequential))

    def train_in_thread(kind: str) -> None:
        start.wait()
        threaded[kind] = losses(kind)

    threads = [
        threading.Thread(target=train_in_thread, args=(kind,)) for kind in sequential
    ]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a busy machine would
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    for kind, history in sequential.items():
        pd.testing.assert_frame_equal(threaded[kind], history)
