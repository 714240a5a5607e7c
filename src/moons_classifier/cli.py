"""Project commands: ``kedro sweep``."""

from __future__ import annotations

import re
from typing import Any

import click
from kedro.framework.cli.utils import _split_params
from kedro.framework.startup import ProjectMetadata

STUDY_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


@click.group(name="moons_classifier")
def cli() -> None:
    """Commands of the moons-classifier project."""


def _study_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A study name that is one folder name."""
    if not re.fullmatch(STUDY_NAME, value):
        raise click.BadParameter(f"{value!r} must match {STUDY_NAME}")
    return value


@cli.command()
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
@click.pass_obj
def sweep(metadata: ProjectMetadata, **options: Any) -> None:
    """Search models and training settings with Optuna, each trial a kedro run on Dask."""
    from moons_classifier.sweep.run import SweepOptions, run_sweep  # noqa: PLC0415

    folder = run_sweep(metadata.project_path, SweepOptions(**options))
    click.echo(f"Results: {folder}")
