"""Shared fixtures: a temporary copy of the project, and Kedro runs inside it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from benchmarks.project import fresh_copy

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def copy_project(destination: Path) -> Path:
    """Copy the project's configuration, notebooks and shipped inputs into ``destination``."""
    fresh_copy(destination)
    shutil.copytree(PROJECT_ROOT / "notebooks", destination / "notebooks")
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
