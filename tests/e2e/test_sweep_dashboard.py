"""``kedro sweep dashboard`` as a person uses it: a study's trials in a real browser, stopped
by SIGTERM or Ctrl-C, and its refusals; the study is only read."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna.trial import TrialState, create_trial
from playwright.sync_api import expect

from moons_classifier.sweep.study import storage
from tests.support.helpers import finish, snapshot, start, stop, wait_for
from tests.support.projects import copy_project
from tests.support.servers import (
    LOOPBACK,
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    free_port,
    live_group_members,
    port_is_open,
)
from tests.support.viz_helpers import loopback_page

SWEEPS = Path("data/09_sweeps")
STUDY = "browsed"
DISTRIBUTIONS = {
    "model": CategoricalDistribution(["logistic", "mlp"]),
    "training.lr": FloatDistribution(1e-4, 1e-1, log=True),
}
COMPLETE = [("logistic", 0.01, 0.81), ("mlp", 0.001, 0.93), ("mlp", 0.05, 0.72)]
PRUNED = {0: 0.25, 1: 0.375}  # step -> intermediate value of trial 3
URL = re.compile(rf"http://{re.escape(LOOPBACK)}:(\d+)/dashboard/studies/\d+")
DASHBOARD = [sys.executable, "-m", "kedro", "sweep", "dashboard"]
# `kedro` with the scale extra's optuna-dashboard made unimportable, as on a base install.
WITHOUT_DASHBOARD = (
    "import sys; sys.modules['optuna_dashboard'] = None; sys.argv[0] = 'kedro'; "
    "from kedro.framework.cli import main; main()"
)


@pytest.fixture(scope="module")
def sweeps_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with the study ``STUDY``: three complete trials, one pruned after
    two steps, one failed; each with a ``model`` and a ``training.lr``."""
    project = copy_project(tmp_path_factory.mktemp("dashboard") / "project")
    folder = project / SWEEPS / STUDY
    folder.mkdir(parents=True)
    study = optuna.create_study(
        study_name=STUDY, storage=storage(folder), direction="maximize"
    )
    for model, lr, value in COMPLETE:
        study.add_trial(finished(model, lr, value=value))
    study.add_trial(
        finished("mlp", 0.02, state=TrialState.PRUNED, intermediate_values=PRUNED)
    )
    study.add_trial(finished("logistic", 0.03, state=TrialState.FAIL))
    return project


def finished(model: str, lr: float, **ended: Any) -> optuna.trial.FrozenTrial:
    """A trial of ``model`` with ``training.lr``, ended as ``ended`` says."""
    return create_trial(
        params={"model": model, "training.lr": lr},
        distributions=DISTRIBUTIONS,
        **ended,
    )


@pytest.fixture(autouse=True)
def project_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands started log as the project configures it (the tests' logging shows
    no INFO), in lines wide enough that Rich does not fold the URL at 80 columns."""
    monkeypatch.delenv("KEDRO_LOGGING_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "250")


@dataclass
class Dashboard:
    """A ``kedro sweep dashboard`` process group and the lines it has written so far,
    collected by a thread of their own."""

    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        """Start collecting its output."""
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    @property
    def output(self) -> str:
        """What it has written so far."""
        return "".join(self.lines)

    def read(self) -> None:
        """Collect its output line by line until it closes."""
        for line in self.process.stdout:
            self.lines.append(line)

    def logged_url(self) -> str:
        """The URL it logs once listening; fail with its output if it exits first or
        logs none in ``START_TIMEOUT_S`` seconds."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (url := URL.search(self.output)):
            assert self.process.poll() is None and time.monotonic() < deadline, (
                f"no URL logged (exit code {self.process.poll()}):\n{self.output}"
            )
            time.sleep(0.1)
        return url.group(0)

    def stop(self, signum: signal.Signals) -> str:
        """Send ``signum`` to its group; its whole output once every process has ended."""
        os.killpg(self.process.pid, signum)
        wait_for(
            lambda: not live_group_members(self.process.pid),
            f"the dashboard to stop on {signum.name}",
            STOP_TIMEOUT_S,
        )
        self.process.wait()
        self.reader.join()
        return self.output


@contextmanager
def running_dashboard(project: Path, port: int) -> Iterator[tuple[Dashboard, str]]:
    """``kedro sweep dashboard`` on ``port`` in its own process group, and the URL it
    logged once listening; the group is killed on exit, whatever happens."""
    dashboard = Dashboard(
        start([*DASHBOARD, "--study", STUDY, "--port", str(port)], project)
    )
    try:
        yield dashboard, dashboard.logged_url()
    finally:
        stop(dashboard.process)
        dashboard.reader.join()


def test_the_browser_shows_the_study_and_each_trial_and_sigterm_stops_it(
    sweeps_project: Path,
) -> None:
    """Headless Chromium: the study page, the trials with their states, the pruned
    trial's intermediate values; SIGTERM ends the group cleanly; the study is unchanged."""
    before = snapshot(sweeps_project)
    port = free_port()
    with running_dashboard(sweeps_project, port) as (dashboard, url):
        assert URL.fullmatch(url).group(1) == str(port)
        with loopback_page(1600, 1000, 30_000) as page:
            page.goto(url)
            expect(page.get_by_text(f"{STUDY} (id=1)")).to_be_visible()
            expect(page.get_by_text("Best Trial (number=1)")).to_be_visible()

            page.goto(f"{url}/trials")
            expect(page.get_by_text("5 Trials")).to_be_visible()
            items = page.get_by_role("button", name=re.compile(r"^Trial \d"))
            expect(items).to_have_count(5)
            assert [item.inner_text().split("\n") for item in items.all()] == [
                ["Trial 0", "Complete"],
                ["Trial 1", "Complete", "Best Trial"],
                ["Trial 2", "Complete"],
                ["Trial 3", "Pruned"],
                ["Trial 4", "Fail"],
            ]
            items.nth(3).click()
            expect(page.get_by_text("Trial 3 (trial_id=4)")).to_be_visible()
            for step, value in PRUNED.items():
                expect(page.get_by_text(f"{step} {value}")).to_be_visible()
        output = dashboard.stop(signal.SIGTERM)
    assert dashboard.process.returncode == 0, output
    assert "Dashboard stopped" in output
    assert "Traceback" not in output
    assert not port_is_open(port)
    assert snapshot(sweeps_project) == before


def test_ctrl_c_stops_the_dashboard_and_a_second_one_on_its_port_is_refused(
    sweeps_project: Path,
) -> None:
    """A second dashboard on a port in use names it and exits; Ctrl-C ends the first."""
    port = free_port()
    with running_dashboard(sweeps_project, port) as (dashboard, _):
        second = start(
            [*DASHBOARD, "--study", STUDY, "--port", str(port)], sweeps_project
        )
        refused = finish(second, START_TIMEOUT_S)
        output = dashboard.stop(signal.SIGINT)
    assert second.returncode == 1, refused
    assert (
        f"Error: cannot listen on {LOOPBACK}:{port} (Address already in use); "
        "choose another --port\n"
    ) in refused
    assert "Traceback" not in refused
    assert dashboard.process.returncode == 0, output
    assert "Dashboard stopped" in output
    assert "Traceback" not in output


def test_refusals_name_the_fix_and_leave_the_sweeps_untouched(
    sweeps_project: Path,
) -> None:
    """No study, a folder without its database, a database without the study and a base
    install are refused in one line; bad options keep click's usage errors."""
    (sweeps_project / SWEEPS / "empty").mkdir()
    (sweeps_project / SWEEPS / "renamed").mkdir()
    shutil.copy2(
        sweeps_project / SWEEPS / STUDY / "study.db",
        sweeps_project / SWEEPS / "renamed" / "study.db",
    )
    kedro = [sys.executable, "-m", "kedro"]
    cases = {  # command -> (exit code, what its output says)
        ("dashboard", "--study", "absent"): (
            1,
            "Error: no study absent in data/09_sweeps/; run kedro sweep --study "
            "absent first\n",
        ),
        ("dashboard", "--study", "empty"): (
            1,
            "Error: no study empty in data/09_sweeps/; run kedro sweep --study "
            "empty first\n",
        ),
        ("dashboard", "--study", "renamed"): (
            1,
            f"{SWEEPS / 'renamed' / 'study.db'} holds no study renamed, only "
            f"['{STUDY}']\n",
        ),
        ("dashboard", "--study", "../up"): (2, "Invalid value for '--study'"),
        ("dashboard", "--port", "0"): (2, "Invalid value for '--port'"),
        ("--trials", "0", "dashboard"): (2, "Invalid value for '--trials'"),
    }
    before = snapshot(sweeps_project)
    processes = {
        args: start([*kedro, "sweep", *args], sweeps_project) for args in cases
    }
    base_install = start(
        [sys.executable, "-c", WITHOUT_DASHBOARD, "sweep", "dashboard"],
        sweeps_project,
    )
    outputs = {args: finish(process) for args, process in processes.items()}
    without = finish(base_install)

    for args, (code, message) in cases.items():
        assert processes[args].returncode == code, (args, outputs[args])
        assert message in outputs[args], (args, outputs[args])
        assert "Traceback" not in outputs[args], args
    assert base_install.returncode == 1, without
    assert (
        "Error: kedro sweep dashboard needs optuna_dashboard, which is not installed. "
        "Install the project's scale extra: pip install -e '.[scale]'\n"
    ) in without
    assert "Traceback" not in without
    assert snapshot(sweeps_project) == before
