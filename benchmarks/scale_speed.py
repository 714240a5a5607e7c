"""``kedro run`` at scale against the book's algorithm as a plain script, as whole processes.

Both run the chapter end to end on the same moons (``devtools/book.py``: data, split,
scaling, the book's DataLoaders and training loop, validation probabilities, confusion
matrices and AUCs; ``kedro run``: every pipeline of the default run, figures included),
alternated, each ``kedro run`` in a fresh copy of the project. The logistic model's
confusion matrices and AUCs of both are compared.

Run from the repository root: ``python -m benchmarks.scale_speed [--n-samples 1000000
--batch-size 4096 --n-epochs 3 --repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.kedro_run_speed import Timing, show
from benchmarks.report import publishing
from devtools.project import ROOT, fresh_copy

AUC_TOLERANCE = (
    1e-9  # sklearn's auc and the project's vectorized metrics sum differently
)


def book_report(args: argparse.Namespace, env: dict[str, str]) -> dict:
    """The book script's printed results for ``args``' configuration."""
    done = subprocess.run(
        book_command(args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def book_command(args: argparse.Namespace) -> list[str]:
    """The book's algorithm as a plain script."""
    return [
        sys.executable,
        "-m",
        "devtools.book",
        f"--n-samples={args.n_samples}",
        f"--batch-size={args.batch_size}",
        f"--n-epochs={args.n_epochs}",
    ]


def kedro_command(args: argparse.Namespace) -> list[str]:
    """The default ``kedro run`` with the same configuration."""
    params = (
        f"data.n_samples={args.n_samples},loaders.batch_size={args.batch_size},"
        f"training.n_epochs={args.n_epochs}"
    )
    return [str(Path(sys.executable).with_name("kedro")), "run", "--params", params]


def kedro_results(project: Path) -> dict:
    """The logistic model's confusion matrices and AUCs written by ``kedro run``."""
    (path,) = (project / "data/08_reporting/logistic/metrics.json").glob("*/*.json")
    metrics = json.loads(path.read_text())
    return {
        "confusion_matrices": {
            t: m["confusion_matrix"] for t, m in metrics["thresholds"].items()
        },
        "auroc_aupr": [metrics["auroc"], metrics["aupr"]],
    }


def main() -> None:
    """Time both alternately, check they agree, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--n-epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each")
    args = parser.parse_args()
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "OMP_NUM_THREADS": "1"}
    book, kedro = Timing(), Timing()
    with tempfile.TemporaryDirectory() as folder:
        projects = (fresh_copy(Path(folder) / str(i)) for i in range(args.repeats + 1))
        warm = next(projects)  # untimed: warms the file cache, gives the results
        Timing().run(kedro_command(args), warm, env)
        expected = book_report(args, env)
        found = kedro_results(warm)
        agree = found["confusion_matrices"] == expected["confusion_matrices"] and all(
            abs(a - b) <= AUC_TOLERANCE
            for a, b in zip(found["auroc_aupr"], expected["auroc_aupr"], strict=True)
        )
        for project in projects:
            kedro.run(kedro_command(args), project, env)
            book.run(book_command(args), ROOT, env)
    with publishing("scale_speed"):
        show(
            f"{args.n_samples:,} points, batch {args.batch_size}, {args.n_epochs} epochs; "
            f"{args.repeats} runs of each, alternated, after one warm-up run each; "
            "OMP_NUM_THREADS=1.\nLogistic model's confusion matrices identical and AUCs "
            f"within {AUC_TOLERANCE:g}: "
            f"{'yes' if agree else f'NO: kedro {found}, book {expected}'}.\n"
        )
        show("| command     | wall min s | wall median s | CPU median s |")
        show("|-------------|------------|---------------|--------------|")
        for label, timing in (("book script", book), ("kedro run", kedro)):
            show(
                f"| {label:<11} | {min(timing.wall):>10.2f} | "
                f"{statistics.median(timing.wall):>13.2f} | {statistics.median(timing.cpu):>12.2f} |"
            )
        show(
            "\nbook script / kedro run: "
            f"{statistics.median(book.wall) / statistics.median(kedro.wall):.2f}x "
            "(wall median), "
            f"{statistics.median(book.cpu) / statistics.median(kedro.cpu):.2f}x (CPU median)"
        )


if __name__ == "__main__":
    main()
