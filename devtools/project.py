"""Fresh copies of the project for tests and benchmarks: configuration and shipped inputs, no outputs."""

from __future__ import annotations

import os
import pkgutil
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PIPELINES = ROOT / "src" / "moons_classifier" / "pipelines"
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


SMALL_SPACE = """\
sweep:
  objective: aupr
  seed: 0
  models: [logistic, mlp]
  space:
    mlp.model.hidden_units: {type: int, low: 2, high: 8}
    training.lr: {type: float, low: 0.01, high: 0.5, log: true}
    training.n_epochs: {type: int, low: 2, high: 4}
    loaders.batch_size: {type: categorical, choices: [16, 32]}
    training.pos_weight: {type: categorical, choices: [null, balanced]}
  fixed:
    split.test_fraction: 0.2
"""
# Fewer bootstrap resamples: the tests check the intervals are there, not their width.
QUICK = ("--params", "evaluation.bootstrap.n_resamples=100")


def use_small_space(project: Path) -> None:
    """Give ``project`` a small, quick search space."""
    (project / "conf/base/parameters_sweep.yml").write_text(SMALL_SPACE)


def quiet_environment() -> dict[str, str]:
    """This process's environment for a measured child: no telemetry, one thread."""
    return {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "OMP_NUM_THREADS": "1",
    }


def pipeline_names() -> list[str]:
    """Every pipeline name the project registers: ``__default__`` and one per subpackage."""
    modules = pkgutil.iter_modules([str(PIPELINES)])
    return ["__default__", *(module.name for module in modules if module.ispkg)]


def disable_tracking(project: Path) -> None:
    """List every pipeline in ``project``'s ``conf/base/mlflow.yml`` as run without tracking."""
    path = project / "conf" / "base" / "mlflow.yml"
    config = yaml.safe_load(path.read_text())
    config["tracking"]["disable_tracking"]["pipelines"] = pipeline_names()
    path.write_text(yaml.safe_dump(config, sort_keys=False))
