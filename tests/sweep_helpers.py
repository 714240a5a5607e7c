"""Helpers of the sweep tests: a small search space, CLI processes in their own groups."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

SMALL_SPACE = """\
sweep:
  objective: aupr
  seed: 0
  models: [logistic, mlp]
  space:
    mlp.model.hidden_units: {type: int, low: 2, high: 8}
    training.lr: {type: float, low: 0.01, high: 0.5, log: true}
    training.n_epochs: {type: int, low: 2, high: 4}
    loaders.batch_size: {type: categorical, choices: [16, 32]}
    training.pos_weight: {type: categorical, choices: [null, balanced]}
  fixed:
    split.test_fraction: 0.2
"""
# Fewer bootstrap resamples: the tests check the intervals are there, not their width.
QUICK = ("--params", "evaluation.bootstrap.n_resamples=100")


def use_small_space(project: Path) -> None:
    """Give ``project`` a small, quick search space."""
    (project / "conf/base/parameters_sweep.yml").write_text(SMALL_SPACE)


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    """``args`` in its own process group, output captured."""
    return subprocess.Popen(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def kedro_sweep(project: Path, *args: str, timeout: float = 400) -> str:
    """Run ``kedro sweep`` to the end; its output. Its whole group is gone afterwards."""
    process = start([sys.executable, "-m", "kedro", "sweep", *args], project)
    try:
        output, _ = process.communicate(timeout=timeout)
        # The local cluster's workers (and multiprocessing's helper) exit just after it.
        wait_for(lambda: group_is_gone(process.pid), "the sweep's processes to end", 30)
    finally:
        stop(process)
    assert process.returncode == 0, output[-4000:]
    return output


def stop(process: subprocess.Popen) -> None:
    """Kill ``process``'s group, if any of it is left, and reap the process."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def group_is_gone(pgid: int) -> bool:
    """Whether no process of the group ``pgid`` is left."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, what: str, timeout: float = 120) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def trials(folder: Path) -> pd.DataFrame:
    """The study's ``trials.csv``."""
    return pd.read_csv(folder / "trials.csv")
