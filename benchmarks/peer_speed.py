"""A metrics-only ``kedro run`` against the script a user would write instead, as whole
processes: on the pandas backend against the scikit-learn script
(``benchmarks/sklearn_peer.py``), on the Dask backend against the one-process streaming
script (``benchmarks/streaming_peer.py``).

At each size, with MLflow tracking off and on, both run alternately, each ``kedro run``
(``--pipelines data_processing,training,evaluation``, batch 4096; 3 epochs on pandas, 1 on
Dask with 2 local workers) in a fresh copy of the project; the medians of their wall times
and peak resident memory (each process's own, from ``wait4``: the driver's, on Dask) and
the ratios are printed; and the import floor, alternated with the pandas runs.

Run from the repository root: ``python -m benchmarks.peer_speed [--sizes 100000 1000000
--repeats 3 --dask-sizes 10000000 100000000 --dask-repeats 1]``.
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
# What every `kedro run` of the project imports before its first node, whatever its
# nodes do: Kedro's session, the project's settings (its hooks), every installed plugin's
# hooks (Kedro loads them all, then unregisters the disabled ones), torch (the model),
# scikit-learn's metrics and pyarrow (the tables).
FLOOR = (
    "from pathlib import Path\n"
    "import pluggy, pyarrow.parquet, sklearn.metrics, torch\n"
    "from kedro.framework.session import KedroSession\n"
    "from kedro.framework.startup import bootstrap_project\n"
    "bootstrap_project(Path.cwd())\n"
    "pluggy.PluginManager('kedro').load_setuptools_entrypoints('kedro.hooks')\n"
)


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


@dataclass(frozen=True)
class Backend:
    """A backend's peer script and the ``kedro run`` parameters it is measured with."""

    name: str
    peer: str
    params: str


PANDAS = Backend(
    "pandas", "benchmarks.sklearn_peer", "loaders.batch_size=4096,training.n_epochs=3"
)
DASK = Backend(
    "dask",
    "benchmarks.streaming_peer",
    "data.backend=dask,dask.workers=2,loaders.batch_size=4096,training.n_epochs=1",
)


def peer_command(backend: Backend, n_samples: int, output: Path) -> list[str]:
    """The backend's peer script at ``n_samples`` points, writing into ``output``."""
    return [
        sys.executable,
        "-m",
        backend.peer,
        f"--n-samples={n_samples}",
        f"--output={output}",
    ]


def kedro_command(backend: Backend, n_samples: int) -> list[str]:
    """The metrics-only ``kedro run`` at ``n_samples`` points on ``backend``."""
    params = f"data.n_samples={n_samples},{backend.params}"
    kedro = str(Path(sys.executable).with_name("kedro"))
    return [kedro, "run", "--pipelines", METRICS_ONLY, "--params", params]


def project_copy(destination: Path, tracking: bool) -> Path:
    """A fresh copy of the project, every pipeline run untracked unless ``tracking``."""
    fresh_copy(destination)
    if not tracking:
        disable_tracking(destination)
    return destination


Results = dict[tuple[Backend, int, bool], tuple[Usage, Usage]]


def report(results: Results, repeats: dict[Backend, int], floor: Usage) -> None:
    """Print the medians and the ratios per backend, size and tracking, and the import
    floor against the scikit-learn script at the largest pandas size."""
    show(
        "Whole processes, alternated, OMP_NUM_THREADS=1; peak: the process's own maximum "
        "resident set (the driver's, on Dask). Medians of "
        + ", ".join(f"{n} run(s) on {b.name}" for b, n in repeats.items())
        + "; pandas after one untimed warm-up run each.\n"
    )
    show(
        "| backend |       points | tracking | script wall s | kedro wall s "
        "| kedro speed | script peak MB | kedro peak MB | peak ratio |"
    )
    show(
        "|---------|--------------|----------|---------------|--------------"
        "|-------------|----------------|---------------|------------|"
    )
    for (backend, n_samples, tracking), (peer, kedro) in results.items():
        peer_wall, peer_peak = peer.medians()
        kedro_wall, kedro_peak = kedro.medians()
        show(
            f"| {backend.name:<7} | {n_samples:>12,} | {'on' if tracking else 'off':<8} "
            f"| {peer_wall:>13.2f} | {kedro_wall:>12.2f} "
            f"| {peer_wall / kedro_wall:>10.2f}x "
            f"| {peer_peak:>14.0f} | {kedro_peak:>13.0f} | {kedro_peak / peer_peak:>9.2f}x |"
        )
    show(
        "\nkedro speed: the script's wall time / kedro run's (points per second, "
        "relative; 1.00x is as fast as the script; kedro's wall ratio is its inverse). "
        "peak ratio: kedro run / script."
    )
    floor_wall, floor_peak = floor.medians()
    largest = max(n for backend, n, _ in results if backend is PANDAS)
    peer_wall, peer_peak = results[PANDAS, largest, False][0].medians()
    show(
        f"\nimport floor (a process that imports only what every `kedro run` of the "
        f"project imports before its first node; tracking off): {floor_wall:.2f} s and "
        f"{floor_peak:.0f} MB, {floor_wall / peer_wall:.2f}x the wall time and "
        f"{floor_peak / peer_peak:.2f}x the peak of the scikit-learn script at "
        f"{largest:,} points."
    )


def main() -> None:
    """Time both alternately at every size, tracking off and on, and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each")
    parser.add_argument(
        "--dask-sizes", type=int, nargs="*", default=[10_000_000, 100_000_000]
    )
    parser.add_argument("--dask-repeats", type=int, default=1)
    args = parser.parse_args()
    env = quiet_environment()
    sizes = {PANDAS: args.sizes, DASK: args.dask_sizes}
    repeats = {PANDAS: args.repeats, DASK: args.dask_repeats}
    results: Results = {
        (backend, n, tracking): (Usage(), Usage())
        for backend, backend_sizes in sizes.items()
        for n in backend_sizes
        for tracking in (False, True)
    }
    floor = Usage()
    with tempfile.TemporaryDirectory() as folder:
        copies = count()
        untracked = project_copy(Path(folder) / "project-floor", tracking=False)

        def once(
            backend: Backend, n_samples: int, tracking: bool, peer: Usage, kedro: Usage
        ) -> None:
            """One run of the script, then one of ``kedro run`` in a fresh copy."""
            number = next(copies)
            output = Path(folder) / f"peer-{number}"
            peer.run(peer_command(backend, n_samples, output), ROOT, env)
            project = project_copy(Path(folder) / f"project-{number}", tracking)
            kedro.run(kedro_command(backend, n_samples), project, env)

        for key in results:
            if key[0] is PANDAS:  # untimed: warms the file cache
                once(*key, Usage(), Usage())
        for key in results:
            for _ in range(repeats[key[0]]):
                once(*key, *results[key])
                if key[0] is PANDAS:
                    floor.run([sys.executable, "-c", FLOOR], untracked, env)
    with publishing("peer_speed"):
        report(results, repeats, floor)


if __name__ == "__main__":
    main()
