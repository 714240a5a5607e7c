"""Seconds per figure: drawing (the node) and saving (the PNG dataset), in one process.

Runs the default pipeline's nodes in order through the project's catalog in a fresh
copy of the project, without Kedro's runner or hooks, and times each reporting node's
call and its figure's save. Run from the repository root:
``python -m benchmarks.figure_speed [--repeats 3] [--params data.n_samples=1000000]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from benchmarks.report import publishing
from devtools.project import fresh_copy

Times = dict[str, list[float]]


def parse_params(text: str) -> dict[str, Any]:
    """``a.b=1,c=x`` as a nested dict of YAML values."""
    params: dict[str, Any] = {}
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        *parents, leaf = key.strip().split(".")
        target = params
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = yaml.safe_load(value)
    return params


def run_once(project: Path, params: dict[str, Any], draw: Times, save: Times) -> None:
    """Run the default pipeline's nodes in order; record each figure's draw and save time.

    Outputs are kept in memory for later nodes; those the catalog names are also saved.
    """
    with KedroSession.create(project_path=project, runtime_params=params) as session:
        catalog = session.load_context().catalog
        memory: dict[str, Any] = {}
        for node in pipelines["__default__"].nodes:
            inputs = {
                name: memory[name] if name in memory else catalog.load(name)
                for name in node.inputs
            }
            start = time.perf_counter()
            outputs = node.run(inputs)
            drawn = time.perf_counter() - start
            memory.update(outputs)
            for name, data in outputs.items():
                if catalog.get(name) is None:
                    continue
                start = time.perf_counter()
                catalog.save(name, data)
                if name.endswith("_figure"):
                    draw[name].append(drawn)
                    save[name].append(time.perf_counter() - start)


def show(text: str) -> None:
    """Print one line of the report."""
    sys.stdout.write(f"{text}\n")


def main() -> None:
    """Time every figure ``--repeats`` times and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the pipeline")
    parser.add_argument("--params", default="", help="as kedro run --params")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    params = parse_params(args.params)
    draw: Times = defaultdict(list)
    save: Times = defaultdict(list)
    with tempfile.TemporaryDirectory() as folder:
        project = fresh_copy(Path(folder) / "project")
        bootstrap_project(project)
        for _ in range(args.repeats):
            run_once(project, params, draw, save)
    with publishing("figure_speed"):
        show(f"Median of {args.repeats} runs; params: {args.params or 'defaults'}.\n")
        show("| figure | draw s | save s | total s |")
        show("|---|---:|---:|---:|")
        totals = [0.0, 0.0]
        for name in sorted(draw):
            cells = statistics.median(draw[name]), statistics.median(save[name])
            totals = [t + c for t, c in zip(totals, cells, strict=True)]
            show(f"| {name} | {cells[0]:.3f} | {cells[1]:.3f} | {sum(cells):.3f} |")
        show(
            f"| all {len(draw)} figures | {totals[0]:.2f} | {totals[1]:.2f} | {sum(totals):.2f} |"
        )


if __name__ == "__main__":
    main()
