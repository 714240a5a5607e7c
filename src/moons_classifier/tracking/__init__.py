"""MLflow tracking through kedro-mlflow; active only where the ``tracking`` extra is installed."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from kedro.utils import find_kedro_project


def tracking_hooks() -> tuple[object, ...]:
    """The project's tracking hooks where kedro-mlflow is installed, and none elsewhere."""
    if find_spec("kedro_mlflow") is None:
        return ()
    from moons_classifier.tracking.hooks import EndRunHooks, TrackingHooks  # noqa: PLC0415

    return TrackingHooks(), EndRunHooks()


def project_path(relative: str) -> str:
    """``relative`` under the Kedro project holding the working directory, as a POSIX path.

    The ``${project_path:...}`` resolver of ``conf/base/mlflow.yml``: ``kedro run`` in the
    project and a notebook in ``notebooks/`` find the same tracking store.
    """
    root = find_kedro_project(Path.cwd()) or Path.cwd()
    return (root / relative).as_posix()
