"""Fresh copies of the project for benchmarks: configuration and shipped inputs, no outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGURATION = ("conf", "pyproject.toml", ".telemetry")
INPUTS = ("data/01_raw/inference_input.csv", "data/01_raw/breast_cancer.csv")


def fresh_copy(destination: Path) -> Path:
    """Copy the project's configuration (without ``conf/local``'s files) and shipped inputs."""
    for name in CONFIGURATION:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("local")
            )
        else:
            shutil.copy2(source, destination / name)
    (destination / "conf" / "local").mkdir()
    (destination / "src").mkdir()  # the package is imported from the install
    for name in INPUTS:
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
    return destination
