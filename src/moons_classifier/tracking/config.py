"""Where kedro-mlflow finds its configuration and the project's tracking store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from kedro.config import AbstractConfigLoader, MissingConfigException
from kedro.utils import find_kedro_project

# The configuration files kedro-mlflow reads (the patterns it registers itself).
MLFLOW_CONFIG_PATTERNS = ["mlflow*", "mlflow*/**", "**/mlflow*"]
# The pipelines of the run command under way (``running``); None outside one.
RUN_PIPELINES: ContextVar[list[str] | None] = ContextVar("run_pipelines", default=None)


def project_path(relative: str) -> str:
    """``relative`` under the Kedro project holding the working directory, as a POSIX path.

    The ``${project_path:...}`` resolver of ``conf/base/mlflow.yml``: ``kedro run`` in the
    project and a notebook in ``notebooks/`` find the same tracking store.
    """
    root = find_kedro_project(Path.cwd()) or Path.cwd()
    return (root / relative).as_posix()


def read_mlflow_config(loader: AbstractConfigLoader) -> dict[str, Any]:
    """The project's ``mlflow`` configuration, read as kedro-mlflow reads it (from its
    files' patterns); empty where there is none."""
    loader.config_patterns.setdefault("mlflow", MLFLOW_CONFIG_PATTERNS)
    try:
        return loader["mlflow"]
    except MissingConfigException:
        return {}


def tracked(pipeline_names: list[str], mlflow_config: dict[str, Any]) -> bool:
    """Whether kedro-mlflow tracks a run of ``pipeline_names``: unless each is in
    ``tracking.disable_tracking.pipelines`` of ``mlflow_config`` (the project's ``mlflow``
    configuration, empty where it has none)."""
    tracking = mlflow_config.get("tracking") or {}
    disabled = (tracking.get("disable_tracking") or {}).get("pipelines") or []
    return not all(name in disabled for name in pipeline_names)


@contextmanager
def running(pipeline_names: list[str] | None) -> Iterator[None]:
    """A run command of ``pipeline_names`` (None or empty: the default pipeline) under way:
    its sessions call kedro-mlflow's hooks only if it is tracked."""
    token = RUN_PIPELINES.set(list(pipeline_names or ["__default__"]))
    try:
        yield
    finally:
        RUN_PIPELINES.reset(token)
