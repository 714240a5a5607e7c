"""A tracked sweep: one MLflow run, a nested run per trial with its parameters, losses and
metrics, and the best trial's model registered once."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pytest

from devtools.project import QUICK, use_small_space
from moons_classifier.tracking.nesting import TrialRun, mark_pruned
from tests.support.projects import copy_project
from tests.support.sweep_helpers import kedro_sweep, trials

PARENT = "mlflow.parentRunId"


@pytest.fixture
def tracked(tmp_path: Path) -> Path:
    """A project copy that tracks its runs, with a small search space."""
    project = copy_project(tmp_path / "project", tracking=True)
    use_small_space(project)
    return project


def test_a_tracked_sweep_nests_its_trials_and_registers_the_best_model_once(tracked):
    kedro_sweep(
        tracked, "--study", "tracked", "--trials", "3", "--workers", "2", *QUICK
    )
    folder = tracked / "data/09_sweeps/tracked"
    table = trials(folder).set_index("number")
    best = json.loads((folder / "best.json").read_text())
    client = mlflow.MlflowClient(f"sqlite:///{tracked / 'mlruns' / 'mlflow.db'}")
    experiments = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(experiments)
    (sweep,) = [run for run in runs if run.info.run_name == "sweep tracked"]
    assert sweep.info.status == "FINISHED"
    assert sweep.data.params == {"study": "tracked", "objective": "aupr"}
    assert sweep.data.tags["trials.complete"] == "3"
    assert sweep.data.metrics == {"best.aupr": best["value"]}
    nested = {
        int(run.data.tags["sweep.trial"]): run
        for run in runs
        if run.data.tags.get(PARENT) == sweep.info.run_id
    }
    assert sorted(nested) == [0, 1, 2]
    assert len(runs) == 1 + len(nested), "one run for the sweep, one per trial"
    for number, run in nested.items():
        row = table.loc[number]
        model = row["model"]
        assert run.info.status == "FINISHED"
        assert run.data.tags["sweep.study"] == "tracked"
        assert float(run.data.params["training.lr"]) == row["training.lr"]
        assert run.data.metrics[f"{model}.aupr"] == row["aupr"]
        history = client.get_metric_history(run.info.run_id, f"{model}.train_loss")
        assert [m.step for m in history] == list(range(1, row["training.n_epochs"] + 1))
        assert client.list_artifacts(run.info.run_id) == [], (
            "trial files stay in its folder"
        )
    (version,) = client.search_model_versions()
    assert version.name == f"moons-classifier-{best['model']}"
    assert version.run_id == sweep.info.run_id
    assert version.tags == {"sweep.study": "tracked", "sweep.trial": str(best["trial"])}


def test_a_pruned_trials_run_is_tagged_with_its_epoch_and_ended_killed(tmp_path: Path):
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = mlflow.MlflowClient(store)
    run = client.create_run(client.create_experiment("sweeps"))
    before = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(store)  # as kedro-mlflow sets it in a worker
    try:
        mark_pruned(TrialRun("the sweep's run", {}, run_id=run.info.run_id), 3)
    finally:
        mlflow.set_tracking_uri(before)
    pruned = client.get_run(run.info.run_id)
    assert pruned.info.status == "KILLED"
    assert pruned.data.tags["sweep.state"] == "PRUNED"
    assert pruned.data.tags["sweep.epoch"] == "3"
