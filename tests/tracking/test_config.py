"""``tracking/config.py``: ``${project_path:...}`` from a working directory inside a copy of
the project and outside any, the configuration files kedro-mlflow is given, and which runs
it tracks."""

from __future__ import annotations

from pathlib import Path

import pytest

from moons_classifier.settings import CONFIG_LOADER_ARGS, CONFIG_LOADER_CLASS
from moons_classifier.tracking.config import (
    MLFLOW_CONFIG_PATTERNS,
    RUN_PIPELINES,
    project_path,
    running,
    tracked,
)
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


@pytest.mark.parametrize(
    ("pipelines", "disabled", "expected"),
    [
        (["__default__"], [], True),
        (["__default__"], ["__default__"], False),
        (["training", "evaluation"], ["training"], True),
        (["training", "evaluation"], ["training", "evaluation", "inference"], False),
    ],
)
def test_a_run_is_tracked_unless_each_of_its_pipelines_is_disabled(
    pipelines, disabled, expected
):
    config = {"tracking": {"disable_tracking": {"pipelines": disabled}}}
    assert tracked(pipelines, config) is expected


def test_without_a_configuration_every_run_is_tracked():
    assert tracked(["inference"], {}) is True


def test_a_run_command_names_its_pipelines_until_it_ends():
    assert RUN_PIPELINES.get() is None
    with running([]):
        assert RUN_PIPELINES.get() == ["__default__"]
        with running(["training", "evaluation"]):
            assert RUN_PIPELINES.get() == ["training", "evaluation"]
        assert RUN_PIPELINES.get() == ["__default__"]
    assert RUN_PIPELINES.get() is None
