"""Shared fixtures: a temporary copy of the project, and Kedro runs inside it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("conf", "pyproject.toml", ".telemetry", "notebooks")
SHIPPED_DATA = ("data/01_raw/inference_input.csv", "data/01_raw/breast_cancer.csv")


def copy_project(destination: Path) -> Path:
    """Copy the project's configuration and shipped inputs into ``destination``; no outputs."""
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("local")
            )
        elif source.exists():
            shutil.copy2(source, destination / name)
    (destination / "conf" / "local").mkdir(exist_ok=True)
    (destination / "src").mkdir()  # the package itself is imported from the install
    for name in SHIPPED_DATA:
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, destination / name)
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


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh temporary copy of the project."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of the project after one default ``kedro run``."""
    project = copy_project(tmp_path_factory.mktemp("default-run") / "project")
    with pytest.MonkeyPatch.context() as monkeypatch:
        run_kedro(project, monkeypatch)
    return project


@pytest.fixture
def latest() -> Callable[[Path, str], Path]:
    """The newest version of a versioned artifact under a project's ``data/``."""

    def find(project: Path, relative: str) -> Path:
        versions = sorted((project / "data" / relative).iterdir())
        return versions[-1] / Path(relative).name

    return find
