"""``tracking/config.py``: ``${project_path:...}`` from a working directory inside a copy of
the project and outside any, and the configuration files kedro-mlflow is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from moons_classifier.settings import CONFIG_LOADER_ARGS, CONFIG_LOADER_CLASS
from moons_classifier.tracking.config import MLFLOW_CONFIG_PATTERNS, project_path
from tests.support.projects import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project, with tracking on as the project ships it."""
    return copy_project(tmp_path / "project", tracking=True)


@pytest.mark.parametrize("where", [".", "notebooks", "data/01_raw"])
def test_inside_a_project_paths_are_under_its_root(project, monkeypatch, where):
    monkeypatch.chdir(project / where)
    assert project_path("mlruns/mlflow.db") == f"{project.as_posix()}/mlruns/mlflow.db"


def test_outside_a_project_paths_are_under_the_working_directory(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert project_path("mlruns") == f"{elsewhere.as_posix()}/mlruns"


def test_a_notebook_finds_the_projects_store_in_its_mlflow_configuration(
    project, monkeypatch
):
    monkeypatch.chdir(project / "notebooks")
    loader = CONFIG_LOADER_CLASS(
        conf_source=str(project / "conf"), env="local", **CONFIG_LOADER_ARGS
    )
    loader.config_patterns.setdefault("mlflow", MLFLOW_CONFIG_PATTERNS)
    mlflow = loader["mlflow"]
    assert mlflow["server"]["mlflow_tracking_uri"] == (
        f"sqlite:///{project.as_posix()}/mlruns/mlflow.db"
    )
    experiment = mlflow["tracking"]["experiment"]
    assert experiment["create_experiment_kwargs"]["artifact_location"] == (
        f"{project.as_posix()}/mlruns/artifacts"
    )
