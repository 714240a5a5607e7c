"""Where kedro-mlflow finds its configuration and the project's tracking store."""

from __future__ import annotations

from pathlib import Path

from kedro.utils import find_kedro_project

# The configuration files kedro-mlflow reads (the patterns it registers itself).
MLFLOW_CONFIG_PATTERNS = ["mlflow*", "mlflow*/**", "**/mlflow*"]


def project_path(relative: str) -> str:
    """``relative`` under the Kedro project holding the working directory, as a POSIX path.

    The ``${project_path:...}`` resolver of ``conf/base/mlflow.yml``: ``kedro run`` in the
    project and a notebook in ``notebooks/`` find the same tracking store.
    """
    root = find_kedro_project(Path.cwd()) or Path.cwd()
    return (root / relative).as_posix()
