"""A metrics-only ``kedro run`` on the pandas backend against the scikit-learn script a
user would write instead (``benchmarks/sklearn_peer.py``), as whole processes.

At each size, with MLflow tracking off and on, both run alternately, each ``kedro run``
(``--pipelines data_processing,training,evaluation``, batch 4096, 3 epochs) in a fresh copy
of the project; the medians of their wall times and peak resident memory (each process's
own, from ``wait4``) and the ratios kedro run / script are printed.

Run from the repository root: ``python -m benchmarks.peer_speed [--sizes 100000 1000000
--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from benchmarks.kedro_run_speed import show
from benchmarks.report import publishing
from devtools.project import ROOT, disable_tracking, fresh_copy, quiet_environment

METRICS_ONLY = "data_processing,training,evaluation"


@dataclass
class Usage:
    """Wall seconds and peak resident MB of whole processes."""

    wall: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)

    def run(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        """Run ``command`` in ``cwd`` and record its wall time and its own peak memory."""
        with tempfile.TemporaryFile() as errors:
            start = time.perf_counter()
            process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors
            )
            _, status, usage = os.wait4(process.pid, 0)
            self.wall.append(time.perf_counter() - start)
            process.returncode = os.waitstatus_to_exitcode(status)
            self.peak.append(usage.ru_maxrss / 1024)  # KiB on Linux
            if process.returncode:
                errors.seek(0)
                raise SystemExit(
                    f"{' '.join(command)} failed in {cwd}:\n"
                    f"{errors.read().decode()[-4000:]}"
                )

    def medians(self) -> tuple[float, float]:
        """The median wall time and the median peak memory."""
        return statistics.median(self.wall), statistics.median(self.peak)


def peer_command(n_samples: int, output: Path) -> list[str]:
    """The scikit-learn script at ``n_samples`` points, writing into ``output``."""
    return [
        sys.executable,
        "-m",
        "benchmarks.sklearn_peer",
        f"--n-samples={n_samples}",
        f"--output={output}",
    ]


def kedro_command(n_samples: int) -> list[str]:
    """The metrics-only ``kedro run`` at ``n_samples`` points, batch 4096, 3 epochs."""
    params = f"data.n_samples={n_samples},loaders.batch_size=4096,training.n_epochs=3"
    kedro = str(Path(sys.executable).with_name("kedro"))
    return [kedro, "run", "--pipelines", METRICS_ONLY, "--params", params]


def project_copy(destination: Path, tracking: bool) -> Path:
    """A fresh copy of the project, every pipeline run untracked unless ``tracking``."""
    fresh_copy(destination)
    if not tracking:
        disable_tracking(destination)
    return destination


def report(results: dict[tuple[int, bool], tuple[Usage, Usage]], repeats: int) -> None:
    """Print the medians and the ratios kedro run / script per size and tracking."""
    show(
        f"Whole processes, median of {repeats} runs each, alternated, after one warm-up "
        "run each; OMP_NUM_THREADS=1; peak: the process's own maximum resident set.\n"
    )
    show(
        "|    points | tracking | script wall s | kedro wall s | wall ratio "
        "| script peak MB | kedro peak MB | peak ratio |"
    )
    show(
        "|-----------|----------|---------------|--------------|------------"
        "|----------------|---------------|------------|"
    )
    for (n_samples, tracking), (peer, kedro) in results.items():
        peer_wall, peer_peak = peer.medians()
        kedro_wall, kedro_peak = kedro.medians()
        show(
            f"| {n_samples:>9,} | {'on' if tracking else 'off':<8} | {peer_wall:>13.2f} "
            f"| {kedro_wall:>12.2f} | {kedro_wall / peer_wall:>9.2f}x "
            f"| {peer_peak:>14.0f} | {kedro_peak:>13.0f} | {kedro_peak / peer_peak:>9.2f}x |"
        )
    show("\nratios: kedro run / scikit-learn script (medians).")


def main() -> None:
    """Time both alternately at every size, tracking off and on, and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each")
    args = parser.parse_args()
    env = quiet_environment()
    configurations = [(n, tracking) for n in args.sizes for tracking in (False, True)]
    results = {key: (Usage(), Usage()) for key in configurations}
    with tempfile.TemporaryDirectory() as folder:
        copies = count()

        def once(n_samples: int, tracking: bool, peer: Usage, kedro: Usage) -> None:
            """One run of the script, then one of ``kedro run`` in a fresh copy."""
            number = next(copies)
            output = Path(folder) / f"peer-{number}"
            peer.run(peer_command(n_samples, output), ROOT, env)
            project = project_copy(Path(folder) / f"project-{number}", tracking)
            kedro.run(kedro_command(n_samples), project, env)

        for key in configurations:  # untimed: warms the file cache
            once(*key, Usage(), Usage())
        for _ in range(args.repeats):
            for key in configurations:
                once(*key, *results[key])
    with publishing("peer_speed"):
        report(results, args.repeats)


if __name__ == "__main__":
    main()
