"""MLflow tracking through kedro-mlflow; active only where the ``tracking`` extra is installed."""

from __future__ import annotations

import warnings
from importlib.util import find_spec

# Importing kedro-mlflow defines its KedroPipelineModel, whose predict has no type hints:
# MLflow warns about that (this project's model, pyfunc_model.py, has them), and past any
# warnings filter, so the import's warnings are recorded and all others issued again.
KEDRO_MLFLOW_PREDICT = "Add type hints to the `predict` method"


def tracking_hooks() -> tuple[object, ...]:
    """The project's tracking hooks where kedro-mlflow is installed, and none elsewhere;
    the last calls kedro-mlflow's own, which the settings disable as a plugin."""
    if find_spec("kedro_mlflow") is None:
        return ()
    with warnings.catch_warnings(record=True) as caught:
        from moons_classifier.tracking.hooks import (  # noqa: PLC0415
            EndRunHooks,
            MlflowPluginHooks,
            TrackingHooks,
        )
    _reissue(caught)
    return TrackingHooks(), EndRunHooks(), MlflowPluginHooks()


def _reissue(caught: list[warnings.WarningMessage]) -> None:
    """Issue ``caught`` again, except MLflow's warning about kedro-mlflow's ``predict``."""
    for warning in caught:
        if KEDRO_MLFLOW_PREDICT not in str(warning.message):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
