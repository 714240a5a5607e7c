"""A run stopped by Ctrl-C or SIGTERM, or refused at start-up, leaves nothing half done:
no manifest, the lock free, and no tracking run but a killed one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest
from mlflow.entities import RunStatus

from moons_classifier.runs import RunLock
from tests.support.helpers import (
    LOCK,
    MANIFESTS,
    RUN_ARTIFACTS,
    finish,
    start,
    stop,
    versions,
    wait_for,
)
from tests.support.projects import copy_project

# At most this many lines for a refusal (the "about 40").
SHORT = 40


def kedro(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``kedro`` with ``args`` in ``project``, to its end; output captured together."""
    return subprocess.run(
        [sys.executable, "-m", "kedro", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=300,
    )


def tracked_runs(project: Path) -> list[mlflow.entities.Run]:
    """Every MLflow run in ``project``'s tracking store, of every experiment, oldest first."""
    store = project / "mlruns" / "mlflow.db"
    if not store.exists():
        return []
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{store}")
    experiments = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(experiments) if experiments else []
    return sorted(runs, key=lambda run: run.info.start_time)


def run_ids(project: Path) -> list[str]:
    """The ids of every MLflow run in ``project``'s tracking store."""
    return [run.info.run_id for run in tracked_runs(project)]


def lock_is_free(project: Path) -> bool:
    """Whether a run could take the project's lock now (taken and released at once)."""
    lock = RunLock(project / LOCK)
    try:
        lock.acquire({"run_id": "probe"})
    except RuntimeError:
        return False
    lock.release()
    return True


@pytest.fixture(scope="module")
def tracked_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy that tracks its runs with MLflow."""
    return copy_project(tmp_path_factory.mktemp("signals") / "project", tracking=True)


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"]
)
def test_a_stopped_run_exits_at_once_frees_the_lock_and_is_marked_killed(
    tracked_project, signum
):
    project = tracked_project
    before = {run.info.run_id for run in tracked_runs(project)}
    scalers = len(versions(project, RUN_ARTIFACTS["scaler"]))
    manifests = versions(project, MANIFESTS)
    run = start(
        [sys.executable, "-m", "kedro", "run", "--params", "training.n_epochs=100000"],
        project,
    )
    try:
        # The scaler is saved before training: from then on the run is training.
        wait_for(
            lambda: len(versions(project, RUN_ARTIFACTS["scaler"])) > scalers,
            "the run's scaler",
        )
        os.killpg(run.pid, signum)
        output = finish(run, timeout=120)
    finally:
        stop(run)
    assert run.returncode != 0, output[-3000:]
    assert "Traceback" not in output
    if signum == signal.SIGTERM:
        assert "Stopped by SIGTERM" in output
    assert versions(project, MANIFESTS) == manifests
    assert lock_is_free(project)
    (stopped,) = [run for run in tracked_runs(project) if run.info.run_id not in before]
    assert stopped.info.status == RunStatus.to_string(RunStatus.KILLED)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--params", "logistic.modle.kind=mlp"],
            "Unknown parameter group(s) ['logistic.modle']",
        ),
        (["--params", "training.lr=-1"], "Input should be greater than 0"),
        (["--params", "base_location="], "base_location is None, not a folder"),
    ],
    ids=["misspelt-namespaced-key", "bad-value", "empty-base-location"],
)
def test_a_refused_run_says_why_in_a_few_lines_and_tracks_nothing(
    tracked_project, args, message
):
    before = run_ids(tracked_project)
    refused = kedro(tracked_project, "run", *args)
    assert refused.returncode != 0
    assert message in " ".join(refused.stdout.split())
    assert "Traceback" not in refused.stdout
    assert len(refused.stdout.splitlines()) <= SHORT, refused.stdout
    assert run_ids(tracked_project) == before
    assert not (tracked_project / "None").exists()


def test_a_run_refused_by_the_lock_tracks_nothing(tracked_project):
    before = run_ids(tracked_project)
    lock = RunLock(tracked_project / LOCK)
    lock.acquire({"run_id": "a-run-in-progress"})
    try:
        refused = kedro(tracked_project, "run", "--params", "training.n_epochs=2")
    finally:
        lock.release()
    assert refused.returncode != 0
    assert "a-run-in-progress" in refused.stdout
    assert "Traceback" not in refused.stdout
    assert len(refused.stdout.splitlines()) <= SHORT, refused.stdout
    assert run_ids(tracked_project) == before


def test_a_refusal_shows_its_traceback_when_asked(tracked_project):
    refused = kedro(
        tracked_project, "run", "--traceback", "--params", "logistic.modle.kind=mlp"
    )
    assert refused.returncode != 0
    assert "Traceback" in refused.stdout or "╭─" in refused.stdout
    assert "logistic.modle" in refused.stdout


def test_a_bad_load_version_is_named(tracked_project):
    refused = kedro(tracked_project, "run", "--load-versions", "scaler:../../x")
    assert refused.returncode != 0
    assert "Version string '../../x' is not allowed" in refused.stdout
    assert "NoneType" not in refused.stdout
    assert "--verbose" not in refused.stdout
