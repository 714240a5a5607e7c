"""Memory and speed of ``kedro run`` on the Dask backend as the data grows, against pandas.

Each size runs ``kedro run`` (by default the pipelines ``data_processing,training,
evaluation``) with ``data.backend=dask``, batch 4096 and 1 epoch, in a fresh copy of the
project, on a local cluster of 2 worker processes capped at 2 GB each. While it runs, the
peak resident memory of the driver (the ``kedro run`` process) and of every process it
starts (the cluster's nannies and workers) is sampled. The pandas backend runs the same
configuration at the sizes given by ``--pandas-sizes``, where it fits in memory.

Run from the repository root: ``python -m benchmarks.dask_scale [--sizes 1e6 1e7 1e8
--pandas-sizes 1e7]``. It prints one table and the driver's memory growth.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from benchmarks.report import publishing
from devtools.project import fresh_copy

PIPELINES = "data_processing,training,evaluation"
SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Measurement:
    """One ``kedro run``: its size, backend, wall time and peak memory (bytes)."""

    backend: str
    n_samples: int
    seconds: float
    driver_peak: int
    worker_peak: int
    auroc: float

    @property
    def points_per_second(self) -> float:
        """Points of data per second of wall time, end to end."""
        return self.n_samples / self.seconds


def kedro_command(backend: str, n_samples: int, pipelines: str) -> list[str]:
    """``kedro run`` at ``n_samples`` points, batch 4096, 1 epoch, on ``backend``."""
    params = (
        f"data.backend={backend},data.n_samples={n_samples},"
        "loaders.batch_size=4096,training.n_epochs=1"
    )
    kedro = str(Path(sys.executable).with_name("kedro"))
    return [kedro, "run", "--pipelines", pipelines, "--params", params]


def peak_memory(process: subprocess.Popen) -> tuple[int, int]:
    """Peak RSS of ``process``, and the largest peak RSS among its descendants, until it ends."""
    driver, descendants = psutil.Process(process.pid), {}
    driver_peak = 0
    while process.poll() is None:
        try:
            driver_peak = max(driver_peak, driver.memory_info().rss)
            for child in driver.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                descendants[child.pid] = max(descendants.get(child.pid, 0), rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(SAMPLE_SECONDS)
    return driver_peak, max(descendants.values(), default=0)


def measure(backend: str, n_samples: int, pipelines: str, env: dict) -> Measurement:
    """Run ``kedro run`` once in a fresh copy and measure it."""
    with tempfile.TemporaryDirectory(prefix="dask-scale-") as folder:
        project = fresh_copy(Path(folder) / "project")
        log = Path(folder) / "run.log"
        start = time.perf_counter()
        with log.open("w") as output:
            process = subprocess.Popen(
                kedro_command(backend, n_samples, pipelines),
                cwd=project,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            driver_peak, worker_peak = peak_memory(process)
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            sys.exit(
                f"kedro run failed ({backend}, {n_samples}):\n{log.read_text()[-3000:]}"
            )
        (metrics,) = (project / "data/08_reporting/logistic/metrics.json").glob("*/*")
        auroc = json.loads(metrics.read_text())["auroc"]
    return Measurement(backend, n_samples, seconds, driver_peak, worker_peak, auroc)


def show(rows: list[Measurement]) -> None:
    """Print the table, the driver's growth and the speed against pandas."""
    print(
        "| backend | points | wall s | points/s | driver peak | largest worker peak | AUROC |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        worker = f"{row.worker_peak / 2**30:.2f} GiB" if row.worker_peak else "-"
        print(
            f"| {row.backend} | {row.n_samples:.0e} | {row.seconds:.1f} | "
            f"{row.points_per_second:,.0f} | {row.driver_peak / 2**30:.2f} GiB | "
            f"{worker} | {row.auroc:.6f} |"
        )
    dask = [row for row in rows if row.backend == "dask"]
    if len(dask) > 1:
        growth = dask[-1].driver_peak / dask[0].driver_peak
        print(
            f"\nDask driver peak: x{growth:.2f} from {dask[0].n_samples:.0e} to "
            f"{dask[-1].n_samples:.0e} points (x{dask[-1].n_samples / dask[0].n_samples:.0f} data)"
        )
    for pandas in (row for row in rows if row.backend == "pandas"):
        match = next((row for row in dask if row.n_samples == pandas.n_samples), None)
        if match:
            print(
                f"At {pandas.n_samples:.0e} points: dask {match.points_per_second:,.0f} "
                f"points/s, pandas {pandas.points_per_second:,.0f} points/s "
                f"(dask/pandas x{match.points_per_second / pandas.points_per_second:.2f}); "
                f"driver peak dask/pandas x{match.driver_peak / pandas.driver_peak:.2f}"
            )


def main() -> None:
    """Measure every size on both backends and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7, 1e8])
    parser.add_argument("--pandas-sizes", nargs="*", type=float, default=[1e7])
    parser.add_argument("--pipelines", default=PIPELINES)
    args = parser.parse_args()
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "OMP_NUM_THREADS": "1"}
    rows = [
        measure("dask", int(n), args.pipelines, env) for n in sorted(args.sizes)
    ] + [measure("pandas", int(n), args.pipelines, env) for n in args.pandas_sizes]
    with publishing("dask_scale"):
        show(rows)


if __name__ == "__main__":
    main()
