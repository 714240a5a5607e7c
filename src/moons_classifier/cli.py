"""Project commands: ``kedro run`` with short refusals and SIGTERM as Ctrl-C, ``kedro sweep``."""

from __future__ import annotations

import atexit
import copy
import gc
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click
from kedro.framework.cli.project import run as kedro_run
from kedro.framework.cli.utils import KedroCliError, _split_load_versions, _split_params
from kedro.framework.startup import ProjectMetadata
from kedro.io import DatasetError
from kedro.runner import ParallelRunner
from kedro.utils import load_obj
from kedro.validation.exceptions import ParameterValidationError

from moons_classifier.runs import RunLockedError
from moons_classifier.tracking.config import running

STUDY_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
# What a run refuses with (bad parameters, inputs or artifacts, a held lock): the user
# needs the message, not a traceback; anything else is a bug and keeps its traceback.
REFUSALS = (ValueError, DatasetError, ParameterValidationError, RunLockedError)
# Printed under a refusal's message; a sweep's trial leaves it out of the error it records.
TRACEBACK_HINT = "(kedro run --traceback"


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal other than Ctrl-C."""


@click.group(name="moons_classifier")
def cli() -> None:
    """Commands of the moons-classifier project."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Stop on SIGTERM as on Ctrl-C: unwind with cleanup instead of dying mid-write."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _load_versions(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    """Kedro's ``--load-versions`` parsing, with its message shown instead of lost."""
    try:
        return _split_load_versions(ctx, param, value)
    except KedroCliError as error:
        raise click.BadParameter(error.message) from None


def _run_options() -> list[click.Parameter]:
    """Kedro's ``run`` options, and ``--traceback``."""
    options = [copy.copy(option) for option in kedro_run.params]
    for option in options:
        if option.name == "load_versions":
            option.callback = _load_versions
    return [
        *options,
        click.Option(
            ["--traceback"],
            is_flag=True,
            help="Show the full traceback when the run is refused.",
        ),
    ]


@contextmanager
def stopped_or_refused(
    stopped: str, traceback: bool = False, hint: str = ""
) -> Iterator[None]:
    """Run the body with SIGTERM as Ctrl-C; a stop says ``stopped``, a refusal its message
    and ``hint`` (the traceback only where ``traceback``), each as a short click error."""
    try:
        with sigterm_as_interrupt():
            yield
    except Stopped as signal_name:
        raise click.ClickException(f"Stopped by {signal_name}: {stopped}") from None
    except REFUSALS as error:
        if traceback:
            raise
        raise click.ClickException(f"{error}{hint}") from None


def skip_last_collection() -> None:
    """Spare the process Python's last garbage collection at exit, which takes seconds
    with torch, Kedro and MLflow imported: a finished command leaves nothing to free."""
    atexit.register(gc.freeze)  # run first at exit, after the command's own work


def import_torch_before_forking(runner: str | None) -> None:
    """Import torch before a ``ParallelRunner`` forks its manager process (when it is
    created, before the pipelines import torch): the manager's threads would otherwise
    import it concurrently as they unpickle the data loaders, and fail."""
    if runner and issubclass(load_obj(runner, "kedro.runner"), ParallelRunner):
        import torch  # noqa: F401, PLC0415


def _run(traceback: bool, **options: Any) -> dict[str, Any]:
    """Kedro's ``kedro run``, stopped by SIGTERM as by Ctrl-C, refusals in a few lines."""
    with stopped_or_refused(
        "the run wrote no manifest, so its artifacts are never used.",
        traceback,
        f"\n{TRACEBACK_HINT} shows where it was raised.)",
    ):
        import_torch_before_forking(options.get("runner"))
        pipeline = options.get("pipeline")  # Kedro's deprecated --pipeline
        with running(options.get("pipelines") or ([pipeline] if pipeline else None)):
            result = kedro_run.callback(**options)
    skip_last_collection()
    return result


run = click.Command(
    "run",
    callback=_run,
    params=_run_options(),
    help=kedro_run.help,
    short_help=kedro_run.short_help,
)
cli.add_command(run)


def _study_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A study name that is one folder name."""
    if not re.fullmatch(STUDY_NAME, value):
        raise click.BadParameter(f"{value!r} must match {STUDY_NAME}")
    return value


@cli.group(invoke_without_command=True)
@click.option("--trials", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--study",
    default="default",
    show_default=True,
    callback=_study_name,
    help="Results in data/09_sweeps/<study>/; a study that exists is continued.",
)
@click.option(
    "--scheduler",
    default=None,
    help="A running Dask scheduler (tcp://host:8786). Default: dask.scheduler, or a "
    "local cluster.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes of the local cluster. Default: dask.workers, or one per core.",
)
@click.option("--env", "-e", default=None, help="The Kedro environment of every trial.")
@click.option(
    "--params",
    default="",
    callback=_split_params,
    help="Parameters of every trial, as for kedro run: data.source=table",
)
@click.option(
    "--isolation",
    type=click.Choice(["in-process", "process"]),
    default="in-process",
    show_default=True,
    help="Where a trial runs: a Kedro session in a warm worker, or a kedro run process "
    "of its own (for configurations that need a clean process; no pruning).",
)
@click.pass_obj
def sweep(metadata: ProjectMetadata, **options: Any) -> None:
    """Search models and training settings with Optuna, each trial a Kedro run on Dask."""
    if click.get_current_context().invoked_subcommand is not None:
        return
    from importlib.util import find_spec  # noqa: PLC0415

    missing = [name for name in ("optuna", "distributed") if find_spec(name) is None]
    if missing:
        raise click.ClickException(
            f"kedro sweep needs {missing}, which are not installed. Install the "
            "project's scale extra: pip install -e '.[scale]'"
        )
    from moons_classifier.sweep.run import SweepOptions, run_sweep  # noqa: PLC0415

    with stopped_or_refused(
        f"the finished trials and the report are in data/09_sweeps/{options['study']}/, "
        "the unfinished recorded as failed (interrupted)."
    ):
        folder = run_sweep(metadata.project_path, SweepOptions(**options))
    click.echo(f"Results: {folder}")
    skip_last_collection()


@sweep.command(short_help="A study's trials, live, in optuna-dashboard.")
@click.option(
    "--study",
    default="default",
    show_default=True,
    callback=_study_name,
    help="The study in data/09_sweeps/<study>/.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.pass_obj
def dashboard(metadata: ProjectMetadata, study: str, port: int) -> None:
    """Show a study's trials, live, in optuna-dashboard on 127.0.0.1 until Ctrl-C."""
    try:
        from moons_classifier.sweep.dashboard import serve  # noqa: PLC0415
        from moons_classifier.sweep.study import STUDY_DB, SWEEPS  # noqa: PLC0415
    except ModuleNotFoundError as error:  # optuna-dashboard, optuna or Dask
        raise click.ClickException(
            f"kedro sweep dashboard needs {error.name}, which is not installed. "
            "Install the project's scale extra: pip install -e '.[scale]'"
        ) from None

    folder = metadata.project_path / SWEEPS / study
    if not (folder / STUDY_DB).is_file():
        raise click.ClickException(
            f"no study {study} in data/09_sweeps/; run kedro sweep --study {study} first"
        )
    try:
        with sigterm_as_interrupt():
            serve(folder, study, port)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
