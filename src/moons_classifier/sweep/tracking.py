"""With the ``tracking`` extra installed: the sweep as an MLflow run, each trial's Kedro run
nested in it, and the best trial's model registered once at the end."""

from __future__ import annotations

import logging
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import optuna
from kedro.config import AbstractConfigLoader
from kedro.framework.session import KedroSession

from moons_classifier.sweep.trial import PIPELINES
from moons_classifier.tracking.config import read_mlflow_config, tracked
from moons_classifier.tracking.nesting import TrialRun

logger = logging.getLogger(__name__)
# MLflow's tag of a nested run's parent (mlflow.utils.mlflow_tags, not imported here:
# MLflow is the tracking extra's).
MLFLOW_PARENT_RUN_ID = "mlflow.parentRunId"


def mlflow_config(loader: AbstractConfigLoader) -> dict[str, Any] | None:
    """The project's ``mlflow`` configuration (empty where it has none); None where
    kedro-mlflow is not installed."""
    return None if find_spec("kedro_mlflow") is None else read_mlflow_config(loader)


def tracks_trials(mlflow_config: dict[str, Any] | None) -> bool:
    """Whether kedro-mlflow tracks the trials' runs: as it decides for a run, unless every
    pipeline they run is in ``tracking.disable_tracking.pipelines``.

    ``mlflow_config`` is the project's ``mlflow`` configuration (``conf/*/mlflow.yml``,
    empty where there is none); None where kedro-mlflow is not installed or disabled.
    """
    return mlflow_config is not None and tracked(PIPELINES.split(","), mlflow_config)


class SweepRun:
    """The sweep's MLflow run, in the tracking store and experiment kedro-mlflow set up."""

    def __init__(self, project: Path, study: str, objective: str) -> None:
        self.project = project
        self.study = study
        self.objective = objective
        self.run_id: str | None = None

    def start(self, env: str | None, params: dict[str, Any]) -> None:
        """Start the sweep's run, which the trials' runs nest in, where a session of the
        project's points MLflow (kedro-mlflow's setup)."""
        import mlflow  # noqa: PLC0415  (the tracking extra)

        with KedroSession.create(
            project_path=self.project, env=env, runtime_params=params
        ) as session:
            session.load_context()
        run = mlflow.start_run(run_name=f"sweep {self.study}")
        mlflow.log_params({"study": self.study, "objective": self.objective})
        self.run_id = run.info.run_id

    def trial(self, number: int) -> TrialRun | None:
        """What trial ``number``'s Kedro run is tracked as."""
        if self.run_id is None:
            return None
        return TrialRun(
            self.run_id, {"sweep.study": self.study, "sweep.trial": str(number)}
        )

    def end(self, study: optuna.Study | None, first: int, interrupted: bool) -> None:
        """Tag the sweep's run with how its trials ended, register the best model its
        trials trained (not after an interruption) and end the run, ``KILLED`` with
        the trial runs it leaves unfinished if it was interrupted; a failure to log is
        a warning, never the sweep's error."""
        import mlflow  # noqa: PLC0415  (the tracking extra)

        if self.run_id is None:
            return
        status = "KILLED" if interrupted else "FAILED"
        try:
            if study is not None:
                trials = study.trials[first:]
                mlflow.set_tags(
                    {
                        f"trials.{state.name.lower()}": sum(
                            t.state == state for t in trials
                        )
                        for state in optuna.trial.TrialState
                    }
                )
                if not interrupted:
                    register_best(study, first, self.run_id)
            if not interrupted:
                status = "FINISHED"
        except Exception as error:  # noqa: BLE001  (the sweep's results stand)
            logger.warning("Could not complete the sweep's MLflow run: %s", error)
        finally:
            end_unfinished_trials(self.run_id)
            mlflow.end_run(status)


def end_unfinished_trials(run_id: str) -> None:
    """End as ``KILLED`` the trial runs nested in ``run_id`` that are still running (their
    worker stopped with the sweep)."""
    import mlflow  # noqa: PLC0415  (the tracking extra)

    client = mlflow.MlflowClient()
    run = client.get_run(run_id)
    for trial in client.search_runs(
        [run.info.experiment_id],
        f"tags.`{MLFLOW_PARENT_RUN_ID}` = '{run_id}' and attributes.status = 'RUNNING'",
    ):
        client.set_terminated(trial.info.run_id, "KILLED")


def register_best(study: optuna.Study, first: int, run_id: str) -> None:
    """Register the best completed trial's model as a model from code, in the sweep's
    run, its version tagged with the study and the trial's number: if a trial of this
    sweep (from ``first`` on) is the study's best and was tracked."""
    import mlflow  # noqa: PLC0415  (the tracking extra)

    from moons_classifier.params import ModelParams  # noqa: PLC0415
    from moons_classifier.tracking.log import log_model  # noqa: PLC0415

    if not study.get_trials(states=[optuna.trial.TrialState.COMPLETE]):
        return
    best = study.best_trial
    mlflow.log_metric(f"best.{study.user_attrs['objective']}", best.value)
    models = best.user_attrs.get("models") or {}
    if best.number < first or not models:
        logger.info(
            "The study's best trial, %d, is not a tracked trial of this sweep: no model "
            "registered.",
            best.number,
        )
        return
    prefix = mlflow.get_experiment(mlflow.get_run(run_id).info.experiment_id).name
    tags = {"sweep.study": study.study_name, "sweep.trial": str(best.number)}
    for namespace, files in models.items():
        name = f"{prefix}-{namespace}"
        version = log_model(
            namespace,
            Path(files["scaler"]),
            Path(files["state_dict"]),
            ModelParams.model_validate(files["model_params"]),
            name,
        ).registered_model_version
        for key, value in tags.items():
            mlflow.MlflowClient().set_model_version_tag(name, version, key, value)
