"""One trial: the project's pipelines without figures, run with the trial's parameters
into the trial's own folder, in a Kedro session in this worker's process."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

import optuna
from kedro.framework.project import settings
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from moons_classifier.contracts import OBJECTIVES, Metrics
from moons_classifier.dotted import nested
from moons_classifier.sweep.process import run_in_process_of_its_own
from moons_classifier.tracking.config import running
from moons_classifier.tracking.nesting import TrialRun, as_trial, mark_pruned

if TYPE_CHECKING:
    from moons_classifier.sweep.pruning import Pruning

PIPELINES = "data_processing,training,evaluation"
LOG_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
# One session at a time in a worker process, whatever its threads: a session changes the
# working directory, the logging handlers and the project's hooks' state.
_ONE_SESSION = threading.Lock()
_BOOTSTRAPPED: list[str] = []  # the project this process's Kedro settings are for
_PROJECT_DISABLED: list[str] = []  # its own settings.DISABLE_HOOKS_FOR_PLUGINS
# The plugin whose hooks a trial's session goes without: kedro-viz's record dataset
# statistics for the project's viz, not a trial's. (kedro-mlflow's are the project's
# to call: tracking/hooks.py, MlflowPluginHooks.)
VIZ_PLUGIN = "kedro-viz"


def yaml_value(value: Any) -> str:
    """``value`` as ``--params`` reads it back (YAML): null, a number or a string."""
    return "null" if value is None else str(value)


def run_command(model: str, params: dict[str, Any], env: str | None) -> list[str]:
    """The ``kedro run`` arguments that train and evaluate ``model`` with ``params``."""
    dotlist = ",".join(f"{key}={yaml_value(value)}" for key, value in params.items())
    command = ["run", "--pipelines", PIPELINES, "--tags", f"data_processing,{model}"]
    return [*command, *(["--env", env] if env else []), "--params", dotlist]


def newest(folder: Path) -> Any:
    """The newest version of the versioned JSON file ``folder``, loaded."""
    return json.loads(sorted(folder.glob(f"*/{folder.name}"))[-1].read_text())


def clean_folder(out: Path) -> None:
    """Give the trial an empty folder: one left by a worker that died running it (Dask
    runs the trial again elsewhere) is emptied, so that it never holds two runs."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)


@contextmanager
def in_project(project: str, log: Path) -> Iterator[None]:
    """Work in ``project`` (bootstrapped once per process), logging into ``log``: the
    trial's output stays in its folder, not on the sweep's console; kedro-viz's hooks
    off, and kedro-mlflow's unless the trial's pipelines are tracked."""
    with _ONE_SESSION, log.open("w") as out, ExitStack() as stack:
        if _BOOTSTRAPPED != [project]:
            bootstrap_project(Path(project))
            _BOOTSTRAPPED[:] = [project]
            _PROJECT_DISABLED[:] = settings.DISABLE_HOOKS_FOR_PLUGINS
        settings.set("DISABLE_HOOKS_FOR_PLUGINS", (*_PROJECT_DISABLED, VIZ_PLUGIN))
        stack.enter_context(running(PIPELINES.split(",")))
        handler = logging.StreamHandler(out)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root = logging.getLogger()
        handlers = root.handlers
        root.handlers = [handler]
        stack.callback(setattr, root, "handlers", handlers)
        stack.callback(os.chdir, Path.cwd())
        os.chdir(project)
        stack.enter_context(redirect_stdout(out))
        stack.enter_context(redirect_stderr(out))
        yield


def run_in_this_process(
    project: str,
    out: Path,
    model: str,
    params: dict[str, Any],
    env: str | None,
    pruning: Pruning | None,
    tracking: TrialRun | None,
) -> dict[str, Any]:
    """Run the trial in a Kedro session here; nothing, its error, the epoch it was pruned
    at, or the models it trained (where it is tracked)."""
    with ExitStack() as stack:
        stack.enter_context(in_project(project, out / "kedro.log"))
        try:
            reporter = pruning.reporter() if pruning else None
            if reporter is not None:
                from moons_classifier.trainer import epoch_callbacks  # noqa: PLC0415

                stack.enter_context(epoch_callbacks(reporter))
            if tracking is not None:
                stack.enter_context(as_trial(tracking))
            with KedroSession.create(
                project_path=Path(project), env=env, runtime_params=nested(params)
            ) as session:
                session.run(
                    pipeline_names=PIPELINES.split(","),
                    tags=["data_processing", model],
                )
        except optuna.TrialPruned:
            if tracking is not None:
                mark_pruned(tracking, reporter.epoch)
            return {"pruned": reporter.epoch}
        except Exception as error:  # noqa: BLE001  (a trial's failure fails it only)
            logging.getLogger(__name__).exception("The trial failed")
            return {"error": f"{type(error).__name__}: {error}"}
    return {"models": tracking.models} if tracking is not None else {}


def run_trial(  # noqa: PLR0913  (what a trial is made of)
    project: str,
    folder: str,
    model: str,
    params: dict[str, Any],
    objective: str,
    env: str | None = None,
    isolation: str = "in-process",
    pruning: Pruning | None = None,
    tracking: TrialRun | None = None,
) -> dict[str, Any]:
    """Run the trial on this worker; its objective and test metrics, the epoch it was
    pruned at, or its error."""
    started = time.monotonic()
    out = Path(folder)
    clean_folder(out)
    params = {**params, "base_location": str(out)}
    if isolation == "process":
        result = run_in_process_of_its_own(
            project, out, run_command(model, params, env)
        )
    else:
        result = run_in_this_process(
            project, out, model, params, env, pruning, tracking
        )
    if not result.keys() & {"error", "pruned"}:
        result |= objective_of(out / "08_reporting" / model, objective)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    return result | {
        "worker": worker,
        "duration_s": round(time.monotonic() - started, 3),
    }


def objective_of(reports: Path, objective: str) -> dict[str, Any]:
    """The trial's objective and test metrics, read from its reports; or why there is none."""
    value = OBJECTIVES[objective].of(Metrics(**newest(reports / "metrics.json")))
    if value is None:
        return {"error": f"{objective} is undefined on the validation split"}
    return {"value": value, "test": newest(reports / "test_metrics.json")}
