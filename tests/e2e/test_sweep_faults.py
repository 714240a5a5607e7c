"""Faults around ``kedro sweep`` and the Dask backend: a stopped sweep, a killed worker, a
worker memory limit, an unreachable scheduler, a missing extra; no process outlives them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import optuna
import pytest

from devtools.project import QUICK, use_small_space
from moons_classifier.sweep.process import error_message, exit_reason
from moons_classifier.sweep.report import trials_table
from tests.support.helpers import MANIFESTS, snapshot, start, stop, wait_for
from tests.support.servers import free_port, live_group_members
from tests.support.sweep_helpers import trials

SWEEPS = Path("data/09_sweeps")
# A short Dask run: two partitions on two local workers, two epochs.
DASK_RUN = (
    "data.backend=dask,data.n_samples=1000,data.partition_rows=500,"
    "training.n_epochs=2,dask.workers=2"
)
# A memory limit below what a worker process needs just to start.
TOO_LITTLE_MEMORY = (
    "data.backend=dask,data.n_samples=4000,data.partition_rows=1000,"
    "dask.workers=1,dask.worker_memory=50MB"
)
# `kedro` with the scale extra's optuna made unimportable, as on a base install.
WITHOUT_OPTUNA = (
    "import sys; sys.modules['optuna'] = None; sys.argv[0] = 'kedro'; "
    "from kedro.framework.cli import main; main()"
)


@pytest.fixture
def small(project: Path) -> Path:
    """A project copy with a small search space."""
    use_small_space(project)
    return project


def finish(process: subprocess.Popen, timeout: float = 400) -> str:
    """Wait for ``process`` to exit; its output. Nothing of its group may be left then."""
    try:
        output, _ = process.communicate(timeout=timeout)
        assert not live_group_members(process.pid), "processes outlived the command"
    finally:
        stop(process)
    return output


def kedro(project: Path, *args: str, python: tuple[str, ...] = ("-m", "kedro")) -> str:
    """Run ``kedro`` with ``args`` in its own session to the end; its output."""
    process = start([sys.executable, *python, *args], project)
    output = finish(process)
    assert process.returncode in (0, 1), output[-4000:]
    return f"exit {process.returncode}\n{output}"


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def trial_runs(trial: Path) -> list[int]:
    """The running ``kedro run`` processes of the trial whose folder is ``trial``."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"run" in args and args[-2].endswith(f"base_location={trial}".encode()):
            pids.append(int(cmdline.parent.name))
    return [pid for pid in pids if alive(pid)]


def parent(pid: int) -> int:
    """The parent process of ``pid``."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_dask_run_returns_after_every_process_of_its_local_cluster_ended(project):
    output = kedro(
        project,
        "run",
        "--pipelines",
        "data_processing,training,evaluation",
        "--params",
        DASK_RUN,
    )
    assert output.startswith("exit 0"), output[-4000:]


def test_workers_above_their_memory_limit_fail_the_run_naming_the_limit(project):
    output = kedro(
        project, "run", "--pipelines", "data_processing", "--params", TOO_LITTLE_MEMORY
    )
    assert output.startswith("exit 1"), output[-4000:]
    assert "dask.worker_memory=50MB" in output
    assert "Raise dask.worker_memory, or lower data.partition_rows" in output
    assert "Traceback" not in output


def test_an_unreachable_scheduler_is_named_quickly_and_no_study_is_created(small):
    address = f"tcp://127.0.0.1:{free_port()}"
    output = kedro(
        small, "sweep", "--study", "s", "--trials", "1", "--scheduler", address
    )
    assert output.startswith("exit 1"), output[-4000:]
    error = output[output.index("Error: ") :]
    for fragment in (address, "--scheduler", "dask.scheduler", "within 3 s"):
        assert fragment in error
    assert "Traceback" not in output
    assert not (small / SWEEPS).exists()


def test_a_sweep_without_the_scale_extra_names_the_extra(small):
    output = kedro(small, "sweep", "--trials", "1", python=("-c", WITHOUT_OPTUNA))
    assert output.startswith("exit 1"), output[-4000:]
    assert "Error: kedro sweep needs ['optuna']" in output
    assert "pip install -e '.[scale]'" in output
    assert "Traceback" not in output
    assert not (small / SWEEPS).exists()


def test_sigterm_stops_the_trials_and_still_writes_the_report(small):
    folder = small / SWEEPS / "stopped"
    process = start(
        [sys.executable, "-m", "kedro", "sweep", "--study", "stopped"]
        + ["--trials", "3", "--workers", "1", *QUICK],
        small,
    )
    try:
        # One slot: trial 1 starts once trial 0 is recorded.
        wait_for(
            (folder / "trials" / "1" / "kedro.log").exists,
            "trial 1 to start",
            300,
        )
        os.kill(process.pid, signal.SIGTERM)
        output = finish(process)
    finally:
        stop(process)
    assert process.returncode == 1, output[-4000:]
    assert "Stopped by SIGTERM" in output
    table = trials(folder)
    assert list(table["state"]) == ["COMPLETE", "FAIL"]
    assert table.loc[1, "error"] == "interrupted"
    assert json.loads((folder / "best.json").read_text())["trial"] == 0


def test_a_killed_worker_orphans_no_process_trial_and_its_retry_starts_afresh(small):
    trial = small / SWEEPS / "lost" / "trials" / "0"
    process = start(
        [sys.executable, "-m", "kedro", "sweep", "--study", "lost"]
        + ["--trials", "1", "--workers", "2", "--isolation", "process", *QUICK],
        small,
    )
    try:
        wait_for(lambda: trial_runs(trial), "the trial's kedro run", 300)
        (first,) = trial_runs(trial)
        os.kill(first, signal.SIGSTOP)  # the run pauses, whatever it was doing
        (trial / "left_by_the_lost_worker").touch()
        os.kill(parent(first), signal.SIGKILL)
        wait_for(lambda: not alive(first), "the lost worker's kedro run to end", 30)
        output = finish(process)
    finally:
        stop(process)
    assert process.returncode == 0, output[-4000:]
    row = trials(small / SWEEPS / "lost").iloc[0]
    assert row["state"] == "COMPLETE" or row["error"].startswith("worker lost"), row
    assert not (trial / "left_by_the_lost_worker").exists()
    assert len(list((trial / MANIFESTS).glob("*/*"))) <= 1
    assert not trial_runs(trial)


def test_continuing_a_study_with_other_fixed_settings_is_refused_untouched(small):
    folder = small / SWEEPS / "fixed"
    folder.mkdir(parents=True)
    study = optuna.create_study(
        study_name="fixed", storage=f"sqlite:///{folder / 'study.db'}"
    )
    study.set_user_attr("objective", "aupr")
    study.set_user_attr("fixed", {"--env": None, "split.test_fraction": 0.2})
    (small / "conf" / "other").mkdir()
    before = snapshot(small)
    for args, fragments in (
        (["--params", "data.source=table"], ["data.source was unset, is 'table'"]),
        (["--env", "other"], ["--env was None, is 'other'"]),
    ):
        output = kedro(small, "sweep", "--study", "fixed", "--trials", "1", *args)
        assert output.startswith("exit 1"), output[-4000:]
        for fragment in [*fragments, "Study 'fixed' was created with other fixed"]:
            assert fragment in output
        assert "Traceback" not in output
        assert snapshot(small) == before


def test_a_trial_record_names_the_signal_and_keeps_the_whole_error(tmp_path):
    assert exit_reason(-9) == "killed by signal 9 (SIGKILL)"
    assert exit_reason(1) == "exited with 1"
    log = tmp_path / "kedro.log"
    message = "Training diverged " + "x" * 200 + " Lower training.lr."
    log.write_text(
        f"INFO  a ValueError was logged\nError: {message}\n"
        "second line of it\n(kedro run --traceback shows where it was raised.)\n"
    )
    assert error_message(log) == f"{message} second line of it"


def test_the_trials_table_writes_integer_parameters_as_integers():
    study = optuna.create_study()
    study.set_user_attr("objective", "aupr")
    for model in ("mlp", "logistic"):
        study.enqueue_trial({"model": model})
        trial = study.ask()
        if trial.suggest_categorical("model", ["mlp", "logistic"]) == "mlp":
            trial.suggest_int("mlp.model.hidden_units", 2, 8)
        trial.suggest_categorical("loaders.batch_size", [16, 32])
        trial.suggest_float("training.lr", 0.1, 0.2)
        study.tell(trial, 0.5)
    csv = trials_table(study).to_csv(index=False).splitlines()
    header = csv[0].split(",")
    mlp, logistic = (dict(zip(header, row.split(","), strict=True)) for row in csv[1:])
    assert mlp["mlp.model.hidden_units"].isdigit()
    assert logistic["mlp.model.hidden_units"] == ""
    assert mlp["loaders.batch_size"] in ("16", "32")
    assert "." in mlp["training.lr"]
