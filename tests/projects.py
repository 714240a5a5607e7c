"""Temporary copies of the project, and Kedro sessions run inside them."""

from __future__ import annotations

import pkgutil
import shutil
from pathlib import Path

import pytest
import yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from benchmarks.project import fresh_copy
from moons_classifier import pipelines

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def copy_project(destination: Path, tracking: bool = False) -> Path:
    """Copy the project's configuration, notebooks and shipped inputs into ``destination``.

    MLflow tracking is off in the copy unless ``tracking``: only the tracking tests need it.
    """
    fresh_copy(destination)
    shutil.copytree(PROJECT_ROOT / "notebooks", destination / "notebooks")
    if not tracking:
        disable_tracking(destination)
    return destination


def disable_tracking(project: Path) -> None:
    """List every pipeline in ``project``'s ``mlflow.yml`` as run without tracking.

    In ``conf/base``, so runs in any environment are untracked; read only by kedro-mlflow.
    """
    path = project / "conf" / "base" / "mlflow.yml"
    config = yaml.safe_load(path.read_text())
    config["tracking"]["disable_tracking"]["pipelines"] = pipeline_names()
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def pipeline_names() -> list[str]:
    """Every pipeline name the project registers: ``__default__`` and one per subpackage."""
    modules = pkgutil.iter_modules(pipelines.__path__)
    return ["__default__", *(module.name for module in modules if module.ispkg)]


def run_kedro(project: Path, monkeypatch: pytest.MonkeyPatch, **run_args) -> dict:
    """Run a Kedro session in ``project``; ``runtime_params``/``env`` go to the session."""
    session_args = {
        k: run_args.pop(k) for k in ("runtime_params", "env") if k in run_args
    }
    monkeypatch.chdir(project)
    bootstrap_project(project)
    with KedroSession.create(project_path=project, **session_args) as session:
        return session.run(**run_args)
