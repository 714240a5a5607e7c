"""``tracking/hooks.py``, the pieces no end-to-end run reaches: kedro-mlflow's hooks called
only in a tracked run, typed parameters handed to kedro-mlflow as dicts, and the MLflow run
ended however a Kedro run ends (a node's error, a failing hook, a session interrupted
before the next), in a temporary store."""

from __future__ import annotations

import atexit
import warnings
from types import SimpleNamespace
from typing import Any

import mlflow
import pytest
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline
from omegaconf import OmegaConf

from moons_classifier.params import ModelParams, TrainingParams
from moons_classifier.tracking.config import running

# kedro-mlflow's import warnings kept out of the report (MLflow's about its model's
# predict is issued past any filter; moons_classifier.tracking records it the same way).
with warnings.catch_warnings(record=True):
    from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook

    from moons_classifier.tracking.hooks import (
        EndRunHooks,
        MlflowPluginHooks,
        TrackingHooks,
    )


@pytest.fixture
def hooks(store, monkeypatch: pytest.MonkeyPatch):
    """A fresh ``EndRunHooks`` (its exit handler removed after the test), with
    kedro-mlflow's hook remembering a run, as after a tracked session."""
    monkeypatch.setattr(mlflow_hook, "run_id", "a run kedro-mlflow remembers")
    hooks = EndRunHooks()
    yield hooks
    atexit.unregister(hooks._end_interrupted)  # noqa: SLF001


def status(store, run: mlflow.ActiveRun) -> str:
    """The stored status of ``run``."""
    return store.client.get_run(run.info.run_id).info.status


class Loader(dict):
    """A config loader holding only ``mlflow``, with the patterns kedro-mlflow adds."""

    config_patterns: dict[str, list[str]]


def context(disabled: list[str]) -> SimpleNamespace:
    """A Kedro context whose ``mlflow.yml`` runs the ``disabled`` pipelines untracked."""
    loader = Loader(mlflow={"tracking": {"disable_tracking": {"pipelines": disabled}}})
    loader.config_patterns = {}
    return SimpleNamespace(config_loader=loader)


# kedro-mlflow's hooks, in the order a session calls them.
EVERY_HOOK = [
    "after_context_created",
    "after_catalog_created",
    "before_pipeline_run",
    "before_node_run",
    "after_pipeline_run",
    "on_pipeline_error",
]


@pytest.fixture
def plugin_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of kedro-mlflow's hooks, in the order they are called (none runs)."""
    calls: list[str] = []
    for name in EVERY_HOOK:

        def record(*args: Any, name: str = name, **kwargs: Any) -> None:
            calls.append(name)

        monkeypatch.setattr(mlflow_hook, name, record)
    return calls


def run_session(hooks: MlflowPluginHooks, disabled: list[str]) -> None:
    """Call ``hooks`` as a session does, up to a node's error."""
    hooks.after_context_created(context(disabled))
    hooks.after_catalog_created(DataCatalog(), {}, {}, {}, "version", {})
    run_params = {"pipeline_names": ["training"]}
    hooks.before_pipeline_run(run_params, Pipeline([]), DataCatalog())
    hooks.before_node_run(None, DataCatalog(), {}, False)
    hooks.after_pipeline_run(run_params, Pipeline([]), DataCatalog())
    hooks.on_pipeline_error(ValueError(), run_params, Pipeline([]), DataCatalog())


def test_a_run_of_untracked_pipelines_calls_none_of_kedro_mlflows_hooks(plugin_calls):
    with running(["training", "evaluation"]):
        run_session(MlflowPluginHooks(), ["training", "evaluation"])
    assert plugin_calls == []


def test_a_tracked_run_calls_every_kedro_mlflow_hook_in_order(plugin_calls):
    hooks = MlflowPluginHooks()
    with running(["training", "evaluation"]):
        run_session(hooks, ["training"])
    assert plugin_calls == EVERY_HOOK
    plugin_calls.clear()
    with running(["training"]):
        run_session(hooks, ["training"])  # the next session, untracked
    assert plugin_calls == []


def test_outside_a_run_command_every_kedro_mlflow_hook_is_called(plugin_calls):
    run_session(MlflowPluginHooks(), ["__default__", "training"])
    assert plugin_calls == EVERY_HOOK


class ResolvingLoader(Loader):
    """A config loader whose ``mlflow`` OmegaConf resolves as it is read."""

    def __getitem__(self, key: str) -> dict:
        return OmegaConf.to_container(OmegaConf.create(dict(self)[key]), resolve=True)


def test_an_mlflow_yml_naming_runs_with_kedro_mlflows_resolver_is_read(plugin_calls):
    loader = ResolvingLoader(
        mlflow={
            "tracking": {
                "run": {"name": "${km.random_name:}"},
                "disable_tracking": {"pipelines": ["training"]},
            }
        }
    )
    loader.config_patterns = {}
    with running(["training"]):
        MlflowPluginHooks().after_context_created(SimpleNamespace(config_loader=loader))
    assert plugin_calls == []


def test_typed_parameter_groups_reach_kedro_mlflow_as_dicts():
    training = TrainingParams(lr=0.2)
    inputs = {
        "params:training": training,
        "params:training.lr": 0.2,
        "params:logistic.model": ModelParams(kind="logistic"),
        "model": ModelParams(kind="mlp"),  # a node's data, not a parameter
    }
    TrackingHooks().before_node_run(inputs)
    assert inputs == {
        "params:training": training.model_dump(mode="json"),
        "params:training.lr": 0.2,
        "params:logistic.model": {"kind": "logistic", "hidden_units": 10, "seed": 42},
        "model": ModelParams(kind="mlp"),
    }
    assert inputs["params:training"]["lr"] == 0.2  # noqa: PLR2004


def test_a_nodes_error_ends_the_run_and_its_nested_runs_as_failed(store, hooks):
    hooks.after_context_created(None)
    outer = mlflow.start_run(experiment_id=store.experiment_id)
    nested = mlflow.start_run(experiment_id=store.experiment_id, nested=True)
    hooks.on_pipeline_error()
    assert mlflow.active_run() is None
    assert [status(store, run) for run in (outer, nested)] == ["FAILED", "FAILED"]
    assert mlflow_hook.run_id is None, "kedro-mlflow forgets the run"


def test_a_run_started_before_the_session_is_left_to_its_owner(store, hooks):
    orchestrators = mlflow.start_run(experiment_id=store.experiment_id)
    hooks.after_context_created(None)
    hooks.on_pipeline_error()
    assert mlflow.active_run().info.run_id == orchestrators.info.run_id
    assert status(store, orchestrators) == "RUNNING"


def test_a_failing_before_pipeline_run_hook_fails_the_run(store, hooks):
    hooks.after_context_created(None)
    run = mlflow.start_run(experiment_id=store.experiment_id)
    wrapper = hooks.before_pipeline_run()
    next(wrapper)  # the other before_pipeline_run hooks run now, and one raises
    with pytest.raises(ValueError, match="refused"):
        wrapper.throw(ValueError("refused"))
    assert mlflow.active_run() is None
    assert status(store, run) == "FAILED"


def test_a_failing_after_pipeline_run_hook_fails_the_run(store, hooks):
    hooks.after_context_created(None)
    run = mlflow.start_run(experiment_id=store.experiment_id)
    wrapper = hooks.after_pipeline_run(Pipeline([]), DataCatalog())
    next(wrapper)
    with pytest.raises(OSError, match="disk full"):
        wrapper.throw(OSError("disk full"))
    assert status(store, run) == "FAILED"


def test_a_run_left_active_by_an_interrupted_session_is_ended_killed_by_the_next(
    store, hooks
):
    hooks.after_context_created(None)
    run = mlflow.start_run(experiment_id=store.experiment_id)
    wrapper = hooks.before_pipeline_run()
    next(wrapper)
    with pytest.raises(StopIteration):
        wrapper.send(None)  # every before_pipeline_run hook succeeded
    assert status(store, run) == "RUNNING"  # then the run is interrupted
    hooks.after_context_created(None)  # the next session of this process
    assert mlflow.active_run() is None
    assert status(store, run) == "KILLED"
