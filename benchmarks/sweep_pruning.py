"""Epochs trained and the best objective of ``kedro sweep`` without and with pruning.

Two fresh studies over the default search space of ``conf/base/parameters_sweep.yml``,
each in a fresh temporary copy of the project (tracking off), on the same local workers:
one as configured (``sweep.pruner: none``), one with ``--env prune`` whose
``parameters_sweep.yml`` sets only ``sweep: {pruner: median}``. Prints, for each, the
epochs its trials trained in total (to the end, or until pruned), the pruned trials, the
best validation objective and the wall time; then the epochs saved and the objective's gap.

Run from the repository root: ``python -m benchmarks.sweep_pruning [--trials 60 --workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

from benchmarks.report import publishing
from benchmarks.sweep_speed import timed
from devtools.project import disable_tracking, fresh_copy, quiet_environment

PRUNE_ENV = "sweep:\n  pruner: median\n"
# The targets: at least this share of epochs saved, at most this objective gap.
EPOCHS_SAVED = 0.3
OBJECTIVE_GAP = 0.01


def sweep(
    folder: Path, name: str, n_trials: int, workers: int, env: dict[str, str]
) -> dict[str, float]:
    """Run a fresh study ``name``; its epochs in total, pruned trials, best value, seconds."""
    project = fresh_copy(folder / name)
    disable_tracking(project)
    (project / "conf/prune").mkdir()
    (project / "conf/prune/parameters_sweep.yml").write_text(PRUNE_ENV)
    command = [sys.executable, "-m", "kedro", "sweep", "--study", name]
    command += ["--trials", str(n_trials), "--workers", str(workers)]
    if name == "median":
        command += ["--env", "prune"]
    seconds = timed(command, project, folder / f"{name}.log", env)
    study = project / "data/09_sweeps" / name
    table = pd.read_csv(study / "trials.csv")
    best = json.loads((study / "best.json").read_text())
    return {
        "epochs": int(table["epochs"].sum()),
        "pruned": int((table["state"] == "PRUNED").sum()),
        "completed": int((table["state"] == "COMPLETE").sum()),
        "best": best["value"],
        "seconds": seconds,
    }


def main() -> None:
    """Run both studies and print the table and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = quiet_environment()
    with tempfile.TemporaryDirectory(prefix="sweep-pruning-") as tmp:
        results = {
            name: sweep(Path(tmp), name, args.trials, args.workers, env)
            for name in ("none", "median")
        }
    with publishing("sweep_pruning"):
        print(
            "| pruner | trials | completed | pruned | epochs in total | best aupr | wall s |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, r in results.items():
            print(
                f"| {name} | {args.trials} | {r['completed']} | {r['pruned']} "
                f"| {r['epochs']} | {r['best']:.4f} | {r['seconds']:.1f} |"
            )
        saved = 1 - results["median"]["epochs"] / results["none"]["epochs"]
        gap = results["none"]["best"] - results["median"]["best"]
        print(
            f"\nEpochs saved by pruning: {saved:.0%} (target >= {EPOCHS_SAVED:.0%}); best "
            f"objective, unpruned minus pruned: {gap:+.4f} (target <= {OBJECTIVE_GAP})."
        )


if __name__ == "__main__":
    main()
