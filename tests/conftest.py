"""Shared fixtures: a temporary copy of the project, and Kedro runs inside it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.support.projects import copy_project, run_kedro


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


@pytest.fixture
def table() -> pd.DataFrame:
    """103 rows of two standard-normal features and a random 0/1 label."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x1": rng.normal(size=103),
            "x2": rng.normal(size=103),
            "y": rng.integers(0, 2, 103),
        }
    )
