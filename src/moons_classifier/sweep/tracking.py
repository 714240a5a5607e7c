"""With the ``tracking`` extra installed: the sweep as an MLflow run, each trial nested in it."""

from __future__ import annotations

from importlib.util import find_spec

import optuna


def log_sweep(study: optuna.Study, trials: list[optuna.trial.FrozenTrial]) -> None:
    """Log the sweep's ``trials`` as nested runs of one run for the sweep; no-op elsewhere."""
    if find_spec("kedro_mlflow") is None:
        return
    import mlflow  # noqa: PLC0415  (the tracking extra; kedro-mlflow set its store up)

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
