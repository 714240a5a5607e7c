"""Temporary copies of the project, and Kedro sessions run inside them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from devtools.project import disable_tracking, fresh_copy

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def copy_project(destination: Path, tracking: bool = False) -> Path:
    """Copy the project's configuration, notebooks and shipped inputs into ``destination``.

    MLflow tracking is off in the copy unless ``tracking``: only the tracking tests need it.
    """
    fresh_copy(destination)
    shutil.copytree(PROJECT_ROOT / "notebooks", destination / "notebooks")
    if not tracking:
        disable_tracking(destination)
    return destination


def run_kedro(project: Path, monkeypatch: pytest.MonkeyPatch, **run_args) -> dict:
    """Run a Kedro session in ``project``; ``runtime_params``/``env`` go to the session."""
    session_args = {
        k: run_args.pop(k) for k in ("runtime_params", "env") if k in run_args
    }
    monkeypatch.chdir(project)
    bootstrap_project(project)
    with KedroSession.create(project_path=project, **session_args) as session:
        return session.run(**run_args)


def shipped_validator(entry: str) -> dict:
    """The ``validator:`` of the catalog entry ``entry`` in ``conf/base/catalog/``."""
    for path in sorted((PROJECT_ROOT / "conf" / "base" / "catalog").glob("*.yml")):
        entries = yaml.safe_load(path.read_text())
        if entry in entries:
            return entries[entry]["validator"]
    raise KeyError(f"no catalog entry {entry!r} in conf/base/catalog/")
