"""Trials per minute of ``kedro sweep`` on a local Dask cluster of 1 and of 2 workers.

Each measurement is a fresh study in a fresh temporary copy of the project, with the
small search space of the tests (a few epochs per trial, so a trial is mostly a
``kedro run``'s start-up); the time includes starting and stopping the cluster.

Run from the repository root: ``python -m benchmarks.sweep_speed [--trials 8]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.project import QUICK, fresh_copy, use_small_space


def trials_per_minute(workers: int, n_trials: int) -> tuple[float, int]:
    """Completed trials per minute of wall time, and how many completed."""
    with tempfile.TemporaryDirectory() as tmp:
        project = fresh_copy(Path(tmp) / "project")
        use_small_space(project)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kedro", "sweep", "--study", "bench"]
            + ["--trials", str(n_trials), "--workers", str(workers), *QUICK],
            cwd=project,
            check=True,
            capture_output=True,
            start_new_session=True,
        )
        minutes = (time.perf_counter() - started) / 60
        table = pd.read_csv(project / "data/09_sweeps/bench/trials.csv")
    completed = int((table["state"] == "COMPLETE").sum())
    return completed / minutes, completed


def main() -> None:
    """Print a Markdown table of trials per minute on 1 and on 2 workers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=8)
    args = parser.parse_args()
    print("| workers | trials | completed | trials/min |")
    print("|---|---|---|---|")
    for workers in (1, 2):
        rate, completed = trials_per_minute(workers, args.trials)
        print(f"| {workers} | {args.trials} | {completed} | {rate:.2f} |")


if __name__ == "__main__":
    main()
