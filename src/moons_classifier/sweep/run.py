"""``kedro sweep`` end to end: configuration, the Dask client, the study and its report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from distributed import Client, Future
from kedro.framework.project import settings
from kedro.framework.startup import bootstrap_project

from moons_classifier.cluster import SkipLastCollection, dask_client, slots
from moons_classifier.dotted import flatten
from moons_classifier.params import DaskParams
from moons_classifier.sweep.params import Choice, SweepParams
from moons_classifier.sweep.pruning import Pruning
from moons_classifier.sweep.report import write_report
from moons_classifier.sweep.study import (
    EPOCHS,
    SWEEPS,
    Settings,
    check_study,
    open_study,
    optimize,
    scheduler_storage,
    storage,
    suggest,
)
from moons_classifier.sweep.tracking import SweepRun, mlflow_config, tracks_trials
from moons_classifier.sweep.trial import run_trial

logger = logging.getLogger(__name__)

# Parameter paths that set up the cluster or the search, not the trials' runs.
NOT_FIXED = ("dask.", "sweep.")


@dataclass(frozen=True)
class SweepOptions:
    """The ``kedro sweep`` command line."""

    study: str = "default"
    trials: int = 20
    scheduler: str | None = None
    workers: int | None = None
    env: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    isolation: str = "in-process"


@dataclass(frozen=True)
class SweepConfig:
    """What the project's configuration says of a sweep: the ``sweep`` and ``dask``
    groups, whether kedro-mlflow tracks the trials, and each parameter's value."""

    sweep: SweepParams
    cluster: DaskParams
    tracked: bool
    parameters: dict[str, Any]


def load_sweep_config(project: Path, options: SweepOptions) -> SweepConfig:
    """The sweep's validated configuration, read as a session reads it (without one:
    the sweep's process never imports what runs the trials); every path it sets must be
    a project parameter, and pruning needs in-process trials."""
    bootstrap_project(project)
    loader = settings.CONFIG_LOADER_CLASS(
        conf_source=str(project / settings.CONF_SOURCE),
        env=options.env,
        runtime_params=options.params,
        **settings.CONFIG_LOADER_ARGS,
    )
    parameters = loader["parameters"]
    tracked = tracks_trials(mlflow_config(loader))
    sweep = SweepParams.model_validate(parameters.get("sweep", {}))
    known = flatten(parameters)
    unknown = sorted((sweep.space.keys() | sweep.fixed.keys()) - known.keys())
    if unknown:
        raise ValueError(
            f"sweep.space and sweep.fixed set {unknown}, which the project's parameters "
            "do not define (a typo?)."
        )
    if sweep.pruner != "none" and options.isolation == "process":
        raise ValueError(
            f"sweep.pruner {sweep.pruner!r} needs in-process trials, which report their "
            "epochs to the study: drop --isolation process, or set sweep.pruner: none."
        )
    return SweepConfig(
        sweep, DaskParams.model_validate(parameters.get("dask", {})), tracked, known
    )


def fixed_settings(fixed: dict[str, Any], env: str | None) -> Settings:
    """What every trial of the study runs with, the cluster and search aside: the Kedro
    environment and each ``fixed`` parameter path."""
    return {
        "--env": env,
        **{k: v for k, v in fixed.items() if not k.startswith(NOT_FIXED)},
    }


EPOCHS_PATH = "training.n_epochs"


def epochs(params: dict[str, Any], parameters: dict[str, Any]) -> int:
    """The epochs a trial trains unless it is pruned: drawn, fixed or configured."""
    return params.get(EPOCHS_PATH, parameters[EPOCHS_PATH])


def most_epochs(
    sweep: SweepParams, fixed: dict[str, Any], parameters: dict[str, Any]
) -> int:
    """The most epochs a trial of the sweep can train."""
    drawn = sweep.space.get(EPOCHS_PATH)
    if isinstance(drawn, Choice):
        return int(max(drawn.choices))
    return int(drawn.high) if drawn is not None else epochs(fixed, parameters)


def pruning(
    shared: optuna.storages.BaseStorage,
    trial: optuna.Trial,
    sweep: SweepParams,
    max_epochs: int,
) -> Pruning | None:
    """Where the trial reports its epochs, if ``sweep.pruner`` prunes."""
    if sweep.pruner == "none":
        return None
    return Pruning(
        shared,
        trial.study.study_name,
        trial.number,
        sweep.pruner,
        sweep.objective,
        max_epochs,
    )


def run_sweep(project: Path, options: SweepOptions) -> Path:
    """Run ``options.trials`` more trials of the study; its folder, with the report."""
    config = load_sweep_config(project, options)
    sweep = config.sweep
    folder = project / SWEEPS / options.study
    fixed = {**flatten(options.params), **sweep.fixed}
    settings = fixed_settings(fixed, options.env)
    check_study(folder, options.study, sweep, settings)
    tracking = (
        SweepRun(project, options.study, sweep.objective) if config.tracked else None
    )
    max_epochs = most_epochs(sweep, fixed, config.parameters)

    study: optuna.Study | None = None
    first = 0
    interrupted = True
    scheduler = options.scheduler or config.cluster.scheduler
    try:
        with dask_client(
            scheduler,
            options.workers or config.cluster.workers,
            config.cluster.worker_memory,
        ) as client:
            if scheduler is None:  # our own workers, which end with the sweep
                client.register_plugin(SkipLastCollection())
            shared = scheduler_storage(folder, client)
            study = open_study(folder, options.study, sweep, settings, shared)
            first = len(study.trials)
            if tracking is not None:
                tracking.start(options.env, options.params)

            def submit(client: Client, trial: optuna.Trial) -> Future:
                model, drawn = suggest(trial, sweep)
                params = {**fixed, **drawn}
                trial.set_user_attr("run_params", params)
                trial.set_user_attr(EPOCHS, epochs(params, config.parameters))
                if options.env:
                    trial.set_user_attr("env", options.env)
                return client.submit(
                    run_trial,
                    str(project),
                    str(folder / "trials" / str(trial.number)),
                    model,
                    params,
                    sweep.objective,
                    options.env,
                    options.isolation,
                    pruning(shared, trial, sweep, max_epochs),
                    tracking.trial(trial.number) if tracking else None,
                    pure=False,
                )

            # In-process trials run one session at a time per worker process.
            per_thread = options.isolation == "process"
            optimize(study, client, options.trials, slots(client, per_thread), submit)
        interrupted = False
    finally:
        if study is not None:
            study = optuna.load_study(study_name=options.study, storage=storage(folder))
            write_report(study, folder)
        if tracking is not None:
            tracking.end(study, first, interrupted)
    logger.info("Study %s: %s", options.study, folder)
    return folder
