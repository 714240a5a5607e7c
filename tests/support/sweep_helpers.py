"""Helpers of the sweep tests: a small search space, CLI processes in their own groups."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from tests.support.helpers import start, stop, wait_for
from tests.support.servers import live_group_members


def kedro_sweep(project: Path, *args: str, timeout: float = 400) -> str:
    """Run ``kedro sweep`` to the end; its output. Its whole group is gone afterwards."""
    process = start([sys.executable, "-m", "kedro", "sweep", *args], project)
    try:
        output, _ = process.communicate(timeout=timeout)
        # The local cluster's workers (and multiprocessing's helper) exit just after it.
        wait_for(
            lambda: not live_group_members(process.pid),
            "the sweep's processes to end",
            30,
        )
    finally:
        stop(process)
    assert process.returncode == 0, output[-4000:]
    return output


def trials(folder: Path) -> pd.DataFrame:
    """The study's ``trials.csv``."""
    return pd.read_csv(folder / "trials.csv")
