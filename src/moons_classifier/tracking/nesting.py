"""The sweep trial a Kedro run belongs to, for the tracking hooks: a nested MLflow run
that logs its parameters, losses and metrics but registers no model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TrialRun:
    """The sweep's MLflow run and the trial's tags; the hooks fill in the trial's own run
    and the models it trained (namespace -> its scaler, state_dict and model parameters)."""

    parent_run_id: str
    tags: dict[str, str]
    run_id: str | None = None
    models: dict[str, dict[str, Any]] = field(default_factory=dict)


_TRIAL: ContextVar[TrialRun | None] = ContextVar("trial_run", default=None)


@contextmanager
def as_trial(run: TrialRun) -> Iterator[TrialRun]:
    """Track the Kedro runs of this context as ``run``'s trial."""
    token = _TRIAL.set(run)
    try:
        yield run
    finally:
        _TRIAL.reset(token)


def current_trial() -> TrialRun | None:
    """The sweep trial being tracked in this context; None outside a sweep."""
    return _TRIAL.get()


def mark_pruned(run: TrialRun, epoch: int) -> None:
    """Tag the trial's MLflow run (if it started one) as pruned at ``epoch``, ended
    ``KILLED``."""
    if run.run_id is None:
        return
    import mlflow  # noqa: PLC0415  (the tracking extra)

    client = mlflow.MlflowClient()
    client.set_tag(run.run_id, "sweep.state", "PRUNED")
    client.set_tag(run.run_id, "sweep.epoch", str(epoch))
    client.set_terminated(run.run_id, "KILLED")
