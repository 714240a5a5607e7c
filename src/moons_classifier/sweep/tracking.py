"""With the ``tracking`` extra installed: the sweep as an MLflow run, each trial nested in it."""

from __future__ import annotations

from typing import Any

import optuna

from moons_classifier.sweep.trial import PIPELINES


def tracks_trials(mlflow_config: Any) -> bool:
    """Whether kedro-mlflow tracks the trials' runs: as it decides for a run, unless every
    pipeline they run is in ``tracking.disable_tracking.pipelines``.

    ``mlflow_config`` is the ``mlflow`` attribute kedro-mlflow sets on the Kedro context;
    None where it is not installed.
    """
    if mlflow_config is None:
        return False
    disabled = mlflow_config.tracking.disable_tracking.pipelines
    return not all(name in disabled for name in PIPELINES.split(","))


def log_sweep(study: optuna.Study, trials: list[optuna.trial.FrozenTrial]) -> None:
    """Log the sweep's ``trials`` as nested runs of one run for the sweep, in the tracking
    store and experiment kedro-mlflow set up."""
    import mlflow  # noqa: PLC0415  (the tracking extra)

    objective = study.user_attrs["objective"]
    with mlflow.start_run(run_name=f"sweep {study.study_name}"):
        mlflow.log_params({"study": study.study_name, "objective": objective})
        for trial in trials:
            with mlflow.start_run(run_name=f"trial {trial.number}", nested=True):
                mlflow.log_params(trial.params)
                mlflow.set_tags(
                    {
                        "state": trial.state.name,
                        "worker": trial.user_attrs.get("worker"),
                    }
                )
                if trial.value is not None:
                    mlflow.log_metric(objective, trial.value)
