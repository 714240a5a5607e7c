"""``kedro sweep``: parallel trials in their own folders, a failed trial, resuming, a scheduler."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import optuna
import pytest

from devtools.project import QUICK, use_small_space
from tests.support.helpers import dask_cluster_by_hand
from tests.support.sweep_helpers import kedro_sweep, trials

SWEEPS = Path("data/09_sweeps")
# A learning rate so large that the MLP's weights overflow: the project refuses it.
DIVERGING = {
    "model": "mlp",
    "mlp.model.hidden_units": 10,
    "training.lr": 1e20,
    "training.n_epochs": 2,
    "loaders.batch_size": 16,
    "training.pos_weight": None,
}


@pytest.fixture
def small(project: Path) -> Path:
    """A project copy with a small search space."""
    use_small_space(project)
    return project


def enqueue_diverging_trial(project: Path, study_name: str) -> None:
    """Create the study with a first trial whose training diverges."""
    folder = project / SWEEPS / study_name
    folder.mkdir(parents=True)
    study = optuna.create_study(
        study_name=study_name,
        storage=f"sqlite:///{folder / 'study.db'}",
        direction="maximize",
    )
    study.set_user_attr("objective", "aupr")
    study.enqueue_trial(DIVERGING)


def logged_runs(project: Path) -> list[str]:
    """The names of the runs in ``project``'s MLflow store, if kedro-mlflow made one."""
    store = project / "mlruns" / "mlflow.db"
    if not store.exists():
        return []
    import mlflow  # noqa: PLC0415  (the tracking extra, which made the store)

    client = mlflow.MlflowClient(f"sqlite:///{store}")
    experiments = [e.experiment_id for e in client.search_experiments()]
    return [run.info.run_name for run in client.search_runs(experiments)]


def test_a_local_sweep_runs_in_parallel_records_a_failure_reproduces_and_resumes(
    small,
):
    enqueue_diverging_trial(small, "local")
    kedro_sweep(small, "--study", "local", "--trials", "5", "--workers", "2", *QUICK)
    folder = small / SWEEPS / "local"
    table = trials(folder)
    assert list(table["number"]) == [0, 1, 2, 3, 4]
    assert table.loc[0, "state"] == "FAIL"
    assert "Training the mlp model (hidden_units=10) diverged" in table.loc[0, "error"]
    assert table.loc[0, "error"].endswith("Lower training.lr.")  # the whole message
    completed = table[table["state"] == "COMPLETE"]
    assert len(completed) == 4  # noqa: PLR2004
    # Two trials at a time, one per worker: the second started before the first ended.
    # (Which worker runs each is the scheduler's choice, which load can sway.)
    study = optuna.load_study(
        study_name="local", storage=f"sqlite:///{folder / 'study.db'}"
    )
    first_end = min(trial.datetime_complete for trial in study.trials)
    started = [trial.datetime_start <= first_end for trial in study.trials]
    assert started.count(True) == 2  # noqa: PLR2004
    assert completed["worker"].notna().all()
    for column in ("model", "training.lr", "training.n_epochs", "loaders.batch_size"):
        assert column in table.columns
    assert {"training.pos_weight", "aupr", "duration_s"} <= set(table.columns)
    assert (completed["duration_s"] > 0).all()
    for number in table["number"]:  # each trial wrote into its own folder only
        trial = folder / "trials" / str(number)
        assert (trial / "kedro.log").is_file()
        assert (trial / "02_intermediate/raw_data.parquet").is_file()
    assert sorted(p.name for p in (small / "data").iterdir()) == ["01_raw", "09_sweeps"]
    assert (folder / "optimization_history.png").stat().st_size > 0
    assert logged_runs(small) == [], "the copy's trials are untracked, so is the sweep"

    best = json.loads((folder / "best.json").read_text())
    assert best["value"] == completed["aupr"].max()
    assert best["params"]["split.test_fraction"] == 0.2  # noqa: PLR2004
    assert best["params"]["evaluation.bootstrap.n_resamples"] == 100  # noqa: PLR2004
    test = best["test_metrics"]
    assert test["n_test"] == 20  # noqa: PLR2004
    for key in ("auroc", "aupr", "f1"):
        assert test[key]["low"] <= test[key]["value"] <= test[key]["high"]

    # best.json's command reproduces the best trial's objective.
    subprocess.run(
        [sys.executable, "-m", *shlex.split(best["command"])],
        cwd=small,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (metrics,) = (small / f"data/08_reporting/{best['model']}/metrics.json").glob("*/*")
    assert json.loads(metrics.read_text())["aupr"] == best["value"]

    # The same study again continues it: earlier trials kept, new ones numbered on.
    kedro_sweep(small, "--study", "local", "--trials", "1", "--workers", "1", *QUICK)
    resumed = trials(folder)
    assert list(resumed["number"]) == [0, 1, 2, 3, 4, 5]
    assert resumed.iloc[:5].equals(table)
    assert resumed.loc[5, "state"] == "COMPLETE"


def test_a_sweep_runs_on_a_dask_scheduler_and_workers_started_by_hand(small):
    with dask_cluster_by_hand(small, workers=2) as address:
        kedro_sweep(
            small, "--study", "remote", "--trials", "2", "--scheduler", address, *QUICK
        )
    table = trials(small / SWEEPS / "remote")
    assert list(table["state"]) == ["COMPLETE", "COMPLETE"]
    assert table["worker"].nunique() == 2  # noqa: PLR2004
