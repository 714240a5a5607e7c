"""``sweep/process.py``: the command a trial runs in a process of its own, the error it
reports, and the process group that dies with it; with a stand-in interpreter (a shell
script) in place of ``python -m kedro``, and a real child for the parent-death signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from contextlib import suppress
from pathlib import Path

import pytest

from moons_classifier.sweep.process import (
    error_message,
    kedro_run,
    run_in_process_of_its_own,
)
from tests.support.helpers import wait_for
from tests.support.servers import live_group_members

# A stand-in for the interpreter: it records its arguments and working directory, leaves
# a background process in its group (its pid in the log), prints, and exits as told.
FAKE_PYTHON = """\
#!/bin/sh
sleep 600 &
echo "left $!"
echo "args $*"
echo "cwd $(pwd)"
echo "on stderr" >&2
{ending}
"""
# A child that starts `sleep` in a session of its own, with or without the parent-death
# signal, prints its pid and exits.
START_SLEEP = textwrap.dedent(
    """
    import subprocess, sys
    from moons_classifier.sweep.process import die_with_parent
    child = subprocess.Popen(
        ["sleep", "600"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=die_with_parent(),
    )
    print(child.pid, flush=True)
    """
)


@pytest.fixture
def fake_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Make ``sys.executable`` a shell script ending with the given line."""

    def make(ending: str) -> None:
        script = tmp_path / "python"
        script.write_text(FAKE_PYTHON.format(ending=ending))
        script.chmod(0o755)
        monkeypatch.setattr(sys, "executable", str(script))

    return make


def left_behind(log: Path) -> int:
    """The pid of the background process the stand-in logged."""
    return int(
        next(line for line in log.read_text().splitlines() if "left" in line)[5:]
    )


def kill_group(pgid: int) -> None:
    """Kill what is left of a process group started by a test."""
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def test_kedro_runs_in_the_project_and_its_group_is_killed_after(tmp_path, fake_python):
    fake_python("exit 3")
    project, log = tmp_path / "project", tmp_path / "kedro.log"
    project.mkdir()
    assert kedro_run(str(project), ["run", "--params", "a=1"], log) == 3  # noqa: PLR2004
    lines = log.read_text().splitlines()
    assert "args -m kedro run --params a=1" in lines
    assert f"cwd {project}" in lines
    assert "on stderr" in lines
    left = left_behind(log)
    try:
        wait_for(lambda: not live_group_members(left), "the group's sleep to die", 30)
    finally:
        kill_group(left)


@pytest.mark.parametrize(
    ("ending", "error"),
    [
        ("exit 0", None),
        (
            'echo "Error: Training diverged"; echo "Lower training.lr."; exit 1',
            "kedro run exited with 1: Training diverged Lower training.lr.",
        ),
        ("kill -9 $$", "kedro run killed by signal 9 (SIGKILL): on stderr"),
    ],
    ids=["succeeded", "failed", "killed"],
)
def test_a_trials_run_is_nothing_or_its_error(tmp_path, fake_python, ending, error):
    fake_python(ending)
    result = run_in_process_of_its_own(str(tmp_path), tmp_path, ["run"])
    assert result == ({} if error is None else {"error": error})
    kill_group(left_behind(tmp_path / "kedro.log"))


@pytest.mark.parametrize(
    ("log", "message"),
    [
        ("Error: first\nINFO next\nError: second\n  and more\n", "second and more"),
        ("INFO start\nValueError: bad value\nINFO cleanup\n", "ValueError: bad value"),
        ("INFO start\n\nINFO the last line\n\n", "INFO the last line"),
        ("", "no output"),
    ],
    ids=["last-error", "a-line-naming-an-error", "the-last-line", "empty"],
)
def test_the_error_is_the_last_thing_the_log_says_went_wrong(tmp_path, log, message):
    (tmp_path / "kedro.log").write_text(log)
    assert error_message(tmp_path / "kedro.log") == message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_child_started_to_die_with_its_parent_dies_with_it():
    parent = subprocess.run(
        [sys.executable, "-c", START_SLEEP],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    child = int(parent.stdout)
    try:
        wait_for(lambda: not live_group_members(child), "the orphaned sleep to die", 30)
    finally:
        kill_group(child)
