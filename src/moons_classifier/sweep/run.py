"""``kedro sweep`` end to end: configuration, the Dask client, the study and its report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from distributed import Client, Future
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from pydantic import BaseModel

from moons_classifier.cluster import dask_client, slots
from moons_classifier.params import DaskParams, SweepParams
from moons_classifier.sweep.report import write_report
from moons_classifier.sweep.study import (
    Settings,
    check_study,
    open_study,
    optimize,
    suggest,
)
from moons_classifier.sweep.tracking import log_sweep, tracks_trials
from moons_classifier.sweep.trial import run_trial

logger = logging.getLogger(__name__)

SWEEPS = Path("data") / "09_sweeps"
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


def flatten(params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parameters (dicts, typed groups) as dotted paths: ``data.source``."""
    flat = {}
    for key, value in params.items():
        if isinstance(value, BaseModel):
            value = value.model_dump()  # noqa: PLW2901
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load_sweep_params(
    project: Path, options: SweepOptions
) -> tuple[SweepParams, DaskParams, bool]:
    """The validated ``sweep`` and ``dask`` groups, and whether kedro-mlflow tracks the
    trials; every path the sweep sets must be a project parameter."""
    bootstrap_project(project)
    with KedroSession.create(
        project_path=project, env=options.env, runtime_params=options.params
    ) as session:
        context = session.load_context()
        parameters = context.params
        tracked = tracks_trials(getattr(context, "mlflow", None))
    sweep = SweepParams.model_validate(parameters.get("sweep", {}))
    known = flatten(parameters)
    unknown = sorted((sweep.space.keys() | sweep.fixed.keys()) - known.keys())
    if unknown:
        raise ValueError(
            f"sweep.space and sweep.fixed set {unknown}, which the project's parameters "
            "do not define (a typo?)."
        )
    return sweep, DaskParams.model_validate(parameters.get("dask", {})), tracked


def fixed_settings(fixed: dict[str, Any], env: str | None) -> Settings:
    """What every trial of the study runs with, the cluster and search aside: the Kedro
    environment and each ``fixed`` parameter path."""
    return {
        "--env": env,
        **{k: v for k, v in fixed.items() if not k.startswith(NOT_FIXED)},
    }


def run_sweep(project: Path, options: SweepOptions) -> Path:
    """Run ``options.trials`` more trials of the study; its folder, with the report."""
    sweep, cluster, tracked = load_sweep_params(project, options)
    folder = project / SWEEPS / options.study
    fixed = {**flatten(options.params), **sweep.fixed}
    settings = fixed_settings(fixed, options.env)
    check_study(folder, options.study, sweep, settings)

    def submit(client: Client, trial: optuna.Trial) -> Future:
        model, drawn = suggest(trial, sweep)
        params = {**fixed, **drawn}
        trial.set_user_attr("run_params", params)
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
            pure=False,
        )

    study: optuna.Study | None = None
    try:
        with dask_client(
            options.scheduler or cluster.scheduler,
            options.workers or cluster.workers,
            cluster.worker_memory,
        ) as client:
            study = open_study(folder, options.study, sweep, settings)
            first = len(study.trials)
            optimize(study, client, options.trials, slots(client), submit)
    finally:
        if study is not None:
            write_report(study, folder)
            if tracked:
                log_sweep(study, study.trials[first:])
    logger.info("Study %s: %s", options.study, folder)
    return folder
