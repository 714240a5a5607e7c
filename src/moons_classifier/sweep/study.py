"""The Optuna study: persisted in SQLite, kept on the Dask scheduler, asked and told here,
its trials run (and report their epochs) on the workers."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
from distributed import Client, Future, KilledWorker, as_completed
from optuna_integration import DaskStorage

from moons_classifier.cluster import WorkersLostError
from moons_classifier.contracts import OBJECTIVES
from moons_classifier.pipelines import MODEL_NAMESPACES
from moons_classifier.sweep.params import Choice, FloatRange, SweepParams

logger = logging.getLogger(__name__)

MODEL = "model"
RESULT_ATTRS = ("worker", "duration_s", "test", "error", "models")
# The user attribute of the epochs a trial trained: all of them, or those before it was pruned.
EPOCHS = "epochs"
SWEEPS = Path("data") / "09_sweeps"  # a study's folder in the project: SWEEPS / name
STUDY_DB = "study.db"
OBJECTIVE = "objective"
# The settings every trial of a study runs with: --env and each fixed parameter path.
FIXED = "fixed"
UNSET = object()
Settings = dict[str, Any]


def storage(folder: Path) -> str:
    """The SQLite storage of the study in ``folder``."""
    return f"sqlite:///{folder / STUDY_DB}"


def check_study(folder: Path, name: str, params: SweepParams, fixed: Settings) -> None:
    """Refuse to continue the study in ``folder`` (if there is one) with another objective
    or other fixed settings than it was created with; reads only."""
    if not (folder / STUDY_DB).is_file():
        return
    attrs = optuna.load_study(study_name=name, storage=storage(folder)).user_attrs
    objective = attrs.get(OBJECTIVE, params.objective)
    if objective != params.objective:
        raise ValueError(
            f"Study {name!r} optimizes {objective}, not {params.objective}; continue it "
            "with the same sweep.objective, or start another --study."
        )
    changed = differences(attrs.get(FIXED, fixed), fixed)
    if changed:
        raise ValueError(
            f"Study {name!r} was created with other fixed settings: {'; '.join(changed)}. "
            "Continue it with the same --env, --params and sweep.fixed, or start "
            "another --study."
        )


def differences(created: Settings, now: Settings) -> list[str]:
    """Each setting that differs: its key, its value then and now (``unset``: absent)."""
    now = json.loads(json.dumps(now))  # as the study stores it
    return [
        f"{key} was {shown(created, key)}, is {shown(now, key)}"
        for key in sorted(created.keys() | now.keys())
        if created.get(key, UNSET) != now.get(key, UNSET)
    ]


def shown(settings: Settings, key: str) -> str:
    """``key``'s value in ``settings``, or ``unset``."""
    return repr(settings[key]) if key in settings else "unset"


def scheduler_storage(folder: Path, client: Client) -> DaskStorage:
    """The study's SQLite storage, opened on the Dask scheduler for this client and the
    workers alike (Optuna's ``DaskStorage``)."""
    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return DaskStorage(storage(folder), client=client)


def open_study(
    folder: Path,
    name: str,
    params: SweepParams,
    fixed: Settings,
    storage: optuna.storages.BaseStorage,
) -> optuna.Study:
    """The study ``name`` of ``folder`` in ``storage``, created or continued
    (``check_study`` first), with its objective and fixed settings recorded and a seeded
    sampler."""
    study = optuna.create_study(
        study_name=name,
        storage=storage,
        direction=OBJECTIVES[params.objective].direction,
        load_if_exists=True,
    )
    for key, value in {OBJECTIVE: params.objective, FIXED: fixed}.items():
        if key not in study.user_attrs:
            study.set_user_attr(key, value)
    # A continued study draws new points: its seed moves on by the trials it holds.
    study.sampler = optuna.samplers.TPESampler(
        seed=params.seed + len(study.trials), constant_liar=True
    )
    return study


def suggest(trial: optuna.Trial, params: SweepParams) -> tuple[str, dict[str, Any]]:
    """The trial's model and its drawn parameters; model-namespaced ones for its model only."""
    model = trial.suggest_categorical(MODEL, params.models)
    drawn = {}
    for path, dist in params.space.items():
        namespace = path.split(".", 1)[0]
        if namespace in MODEL_NAMESPACES and namespace != model:
            continue
        if isinstance(dist, Choice):
            drawn[path] = trial.suggest_categorical(path, dist.choices)
        elif isinstance(dist, FloatRange):
            drawn[path] = trial.suggest_float(path, dist.low, dist.high, log=dist.log)
        else:
            drawn[path] = trial.suggest_int(
                path, dist.low, dist.high, step=dist.step, log=dist.log
            )
    return model, drawn


def record(study: optuna.Study, trial: optuna.Trial, future: Future) -> None:
    """Tell the study how the trial ended: its objective, pruned at an epoch, or failed
    with the error."""
    try:
        result = future.result()
    except (KilledWorker, WorkersLostError) as error:
        result = {"error": f"worker lost: {error}"}
    except Exception as error:  # noqa: BLE001  (one trial's failure fails it only)
        result = {"error": f"{type(error).__name__}: {error}"}
    for key in RESULT_ATTRS:
        if key in result:
            trial.set_user_attr(key, result[key])
    if "pruned" in result:
        trial.set_user_attr(EPOCHS, result["pruned"])
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        logger.info("Trial %d pruned at epoch %d", trial.number, result["pruned"])
    elif "value" in result:
        study.tell(trial, result["value"])
        logger.info("Trial %d: %s", trial.number, result["value"])
    else:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        logger.warning("Trial %d failed: %s", trial.number, result["error"])


def optimize(
    study: optuna.Study,
    client: Client,
    n_trials: int,
    slots: int,
    submit: Callable[[Client, optuna.Trial], Future],
) -> None:
    """Run ``n_trials`` trials, ``slots`` at a time; an interruption fails the unfinished."""
    running: dict[Future, optuna.Trial] = {}
    finished = as_completed()

    def start() -> None:
        trial = study.ask()
        future = submit(client, trial)
        running[future] = trial
        finished.add(future)

    for _ in range(min(slots, n_trials)):
        start()
    asked = len(running)
    try:
        for future in finished:
            record(study, running.pop(future), future)
            if asked < n_trials:
                start()
                asked += 1
    finally:
        for future, trial in running.items():
            future.cancel()
            trial.set_user_attr("error", "interrupted")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
