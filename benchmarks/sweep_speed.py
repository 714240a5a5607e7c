"""Trials per minute of ``kedro sweep`` against the plain Optuna script a user would write
instead (``benchmarks/optuna_peer.py``), in one invocation on the same machine.

The peer runs first, as a fresh process that pays its imports as a user's script does:
its completed trials per minute of the whole process's wall time, and of its optimize
loop alone. Then each ``kedro sweep`` runs as a whole process (the local Dask cluster's
start and stop included) in a fresh temporary copy of the project, a fresh study over
the default search space of ``conf/base/parameters_sweep.yml``, on each number of local
workers, with MLflow tracking off (every pipeline in ``conf/base/mlflow.yml``'s
``tracking.disable_tracking.pipelines``) and on (the copy as shipped); the copy's
tracking store (``mlruns/``) is checked to hold runs with tracking on and none with it
off. Completed trials are the ``COMPLETE`` rows of the study's ``trials.csv``; the ratio
is trials/min over the peer's whole-process trials/min. Both run once, untimed, before
the measurements, to warm the file cache.

Run from the repository root: ``python -m benchmarks.sweep_speed [--trials 40
--workers 1 2 --tracking off on]``.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks.report import publishing
from devtools.project import ROOT, disable_tracking, fresh_copy, quiet_environment

# conf/base/mlflow.yml's tracking store, under the project.
MLFLOW_DB = Path("mlruns") / "mlflow.db"
PEER_OUTPUT = re.compile(r"(\d+) of \d+ trials completed: ([\d.]+) trials/min")
# The targets on 2 workers: the least ratio to the peer, tracking off and on.
TARGETS = {"off": 0.5, "on": 0.25}
TARGET_WORKERS = 2


@dataclass(frozen=True)
class Row:
    """One measurement: what ran, its trials and its wall time."""

    run: str
    workers: int
    tracking: str
    trials: int
    completed: int
    seconds: float
    other_states: str = ""

    @property
    def rate(self) -> float:
        """Completed trials per minute of wall time."""
        return self.completed / self.seconds * 60


def timed(command: list[str], cwd: Path, log: Path, env: dict[str, str]) -> float:
    """Run ``command`` in ``cwd``, its output into ``log``; its wall seconds."""
    with log.open("w") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            process.wait()
        except KeyboardInterrupt:
            process.wait()  # the child got the Ctrl-C too: until it has stopped
            raise
        seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(
            f"{' '.join(command)} failed in {cwd}:\n{log.read_text()[-4000:]}"
        )
    return seconds


def peer(n_trials: int, folder: Path, env: dict[str, str]) -> tuple[Row, Row]:
    """The peer script as a whole process, and its optimize loop alone."""
    log = folder / "peer.log"
    command = [sys.executable, "-m", "benchmarks.optuna_peer"]
    seconds = timed([*command, "--trials", str(n_trials)], ROOT, log, env)
    found = PEER_OUTPUT.search(log.read_text())
    if found is None or not int(found[1]):
        raise SystemExit(f"The peer completed no trials:\n{log.read_text()[-4000:]}")
    completed, loop_seconds = int(found[1]), int(found[1]) / float(found[2]) * 60
    return (
        Row("optuna peer, whole process", 1, "-", n_trials, completed, seconds),
        Row("optuna peer, optimize loop", 1, "-", n_trials, completed, loop_seconds),
    )


def tracked_runs(project: Path) -> int:
    """How many MLflow runs the project's tracking store holds."""
    path = project / MLFLOW_DB
    if not path.is_file():
        return 0
    with closing(sqlite3.connect(path)) as store:
        (count,) = store.execute("SELECT count(*) FROM runs").fetchone()
    return count


def sweep(
    name: str,
    n_trials: int,
    workers: int,
    tracking: str,
    folder: Path,
    env: dict[str, str],
) -> Row:
    """``kedro sweep`` as a whole process in a fresh copy ``folder/name`` of the project,
    with a fresh study ``name``."""
    project = fresh_copy(folder / name)
    if tracking == "off":
        disable_tracking(project)
    command = [sys.executable, "-m", "kedro", "sweep", "--study", name]
    command += ["--trials", str(n_trials), "--workers", str(workers)]
    seconds = timed(command, project, folder / f"{name}.log", env)
    runs = tracked_runs(project)
    if (runs > 0) != (tracking == "on"):
        raise SystemExit(
            f"Tracking was {tracking}, yet {project / MLFLOW_DB} holds {runs} runs."
        )
    states = pd.read_csv(project / "data/09_sweeps" / name / "trials.csv")["state"]
    counts = states.value_counts().to_dict()
    completed = counts.pop("COMPLETE", 0)
    others = ", ".join(f"{n} {state}" for state, n in counts.items())
    return Row("kedro sweep", workers, tracking, n_trials, completed, seconds, others)


def show(rows: list[Row], baseline: Row) -> None:
    """Print the table and the targets."""
    print(
        "| run | workers | tracking | trials | completed | wall s | trials/min "
        "| ratio to the peer |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        others = f" ({row.other_states})" if row.other_states else ""
        print(
            f"| {row.run} | {row.workers} | {row.tracking} | {row.trials} "
            f"| {row.completed}{others} | {row.seconds:.1f} | {row.rate:.1f} "
            f"| {row.rate / baseline.rate:.2f}x |"
        )
    measured = {
        row.tracking: f"{row.rate / baseline.rate:.2f}x"
        for row in rows
        if row.run == "kedro sweep" and row.workers == TARGET_WORKERS
    }
    targets = "; ".join(
        f"tracking {tracking} >= {target:.2f}x (measured: "
        f"{measured.get(tracking, 'not run')})"
        for tracking, target in TARGETS.items()
    )
    print(
        f"\nTargets on {TARGET_WORKERS} workers, ratio to the peer's whole process: "
        f"{targets}."
    )


def main() -> None:
    """Measure the peer, then each sweep, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--tracking", nargs="+", choices=["off", "on"], default=["off", "on"]
    )
    args = parser.parse_args()
    env = quiet_environment()
    with tempfile.TemporaryDirectory(prefix="sweep-speed-") as tmp:
        folder = Path(tmp)
        peer(2, folder, env)  # untimed: warm the file cache
        sweep("warm-up", 1, 1, "on", folder, env)
        rows = [*peer(args.trials, folder, env)]
        configurations = [(w, t) for w in args.workers for t in args.tracking]
        rows += [
            sweep(f"speed-{i}-{w}w-tracking-{t}", args.trials, w, t, folder, env)
            for i, (w, t) in enumerate(configurations)
        ]
    with publishing("sweep_speed"):
        show(rows, rows[0])


if __name__ == "__main__":
    main()
