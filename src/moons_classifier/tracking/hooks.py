"""Hooks that complete kedro-mlflow's tracking: typed parameters, results, models, run ends.

Kedro imports them with the project's settings, before any command runs: what logs
results (and imports pandas, torch and MLflow's model flavours) is imported when used.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Generator
from pathlib import Path
from typing import Any

import mlflow
from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.pipeline import Node, Pipeline
from kedro_mlflow.config.resolvers import resolve_random_name
from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook
from mlflow.entities import RunStatus
from mlflow.utils.git_utils import get_git_commit
from mlflow.utils.mlflow_tags import MLFLOW_GIT_COMMIT, MLFLOW_PARENT_RUN_ID
from omegaconf import OmegaConf
from pydantic import BaseModel

from moons_classifier.tracking.config import (
    RUN_PIPELINES,
    read_mlflow_config,
    tracked,
)
from moons_classifier.tracking.nesting import current_trial


class MlflowPluginHooks:
    """kedro-mlflow's own hooks, which the settings disable as a plugin, called here: in a
    run command (``kedro run``, a sweep's trial) only where it tracks the run's pipelines.

    Kedro registers a plugin's hooks in every session, and kedro-mlflow's open the tracking
    store and create every dataset of the catalog before the run says whether it is
    tracked. A run command names its pipelines first (``tracking.config.running``), so an
    untracked run calls none of them. Elsewhere (a notebook, ``kedro mlflow ui``, a
    sweep's own run) they are all called, as the plugin's would be.
    """

    def __init__(self) -> None:
        self._active = False

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Set MLflow up for the session, unless it runs pipelines that are untracked;
        first create a missing local SQLite store quickly."""
        if not OmegaConf.has_resolver("km.random_name"):  # mlflow.yml may use it
            OmegaConf.register_new_resolver(
                "km.random_name", resolve_random_name, use_cache=True
            )
        config = read_mlflow_config(context.config_loader)
        pipelines = RUN_PIPELINES.get()
        self._active = pipelines is None or tracked(pipelines, config)
        if not self._active:
            return
        uri = (config.get("server") or {}).get("mlflow_tracking_uri")
        if uri:
            from moons_classifier.tracking.store import seed_sqlite_store  # noqa: PLC0415

            seed_sqlite_store(uri)
        mlflow_hook.after_context_created(context)

    @hook_impl
    def after_catalog_created(  # noqa: PLR0913
        self,
        catalog: DataCatalog,
        conf_catalog: dict[str, Any],
        conf_creds: dict[str, Any],
        parameters: dict[str, Any],
        save_version: str,
        load_versions: dict[str, str],
    ) -> None:
        """kedro-mlflow names its metric datasets."""
        if self._active:
            mlflow_hook.after_catalog_created(
                catalog,
                conf_catalog,
                conf_creds,
                parameters,
                save_version,
                load_versions,
            )

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog
    ) -> None:
        """kedro-mlflow starts its run, where the run's pipelines are tracked."""
        if self._active:
            mlflow_hook.before_pipeline_run(run_params, pipeline, catalog)

    @hook_impl
    def before_node_run(
        self, node: Node, catalog: DataCatalog, inputs: dict[str, Any], is_async: bool
    ) -> None:
        """kedro-mlflow logs the node's parameters."""
        if self._active:
            mlflow_hook.before_node_run(node, catalog, inputs, is_async)

    @hook_impl
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog
    ) -> None:
        """kedro-mlflow ends its run."""
        if self._active:
            mlflow_hook.after_pipeline_run(run_params, pipeline, catalog)

    @hook_impl
    def on_pipeline_error(
        self,
        error: Exception,
        run_params: dict[str, Any],
        pipeline: Pipeline,
        catalog: DataCatalog,
    ) -> None:
        """kedro-mlflow ends its run as failed."""
        if self._active:
            mlflow_hook.on_pipeline_error(error, run_params, pipeline, catalog)


class TrackingHooks:
    """Log into the MLflow run that kedro-mlflow starts for each Kedro run what it does not.

    ``MlflowPluginHooks`` is registered after these and runs first, so
    ``before_pipeline_run`` finds its run started; ``after_pipeline_run`` runs first
    (``tryfirst``), before kedro-mlflow ends the run. Without an active run (tracking off
    for the pipeline, or kedro-mlflow disabled) nothing is logged.
    """

    @hook_impl(tryfirst=True)
    def before_node_run(self, inputs: dict[str, Any]) -> None:
        """Give kedro-mlflow the typed parameter groups as dicts: it logs one param per leaf.

        Kedro hands the hooks a copy of the node's inputs; the node still gets the models.
        """
        inputs.update(
            {
                name: value.model_dump(mode="json")
                for name, value in inputs.items()
                if name.startswith("params:") and isinstance(value, BaseModel)
            }
        )

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any]) -> None:
        """Tag the run with the git commit of the project, or else of the installed code,
        and a sweep trial's run with its sweep and number."""
        if mlflow.active_run() is None:
            return
        trial = current_trial()
        if trial is not None:
            trial.run_id = mlflow.active_run().info.run_id
            mlflow.set_tags({MLFLOW_PARENT_RUN_ID: trial.parent_run_id, **trial.tags})
        commit = get_git_commit(run_params["project_path"]) or get_git_commit(
            str(Path(__file__).parent)
        )
        if commit:
            mlflow.set_tag(MLFLOW_GIT_COMMIT, commit)

    @hook_impl(tryfirst=True)
    def after_pipeline_run(self, pipeline: Pipeline, catalog: DataCatalog) -> None:
        """Log the loss histories, final metrics, saved artifacts and trained models; of
        a sweep trial, only the histories and metrics, and its models are noted for the
        sweep to register the best."""
        run = mlflow.active_run()
        if run is None:
            return
        from moons_classifier.tracking.log import (  # noqa: PLC0415
            log_artifacts,
            log_final_metrics,
            log_loss_histories,
            log_models,
            note_models,
            saved_files,
        )

        files = saved_files(pipeline.all_outputs(), catalog)
        log_loss_histories(pipeline, catalog)
        log_final_metrics(pipeline, catalog)
        trial = current_trial()
        if trial is not None:
            note_models(trial, files, catalog)
            return
        log_artifacts(run.info.run_id, files)
        log_models(files, catalog, mlflow.get_experiment(run.info.experiment_id).name)


class EndRunHooks:
    """End the Kedro run's MLflow run however the run ends.

    kedro-mlflow ends one level of the run after the pipeline, leaves it active when a
    ``before_pipeline_run`` check fails, and keeps its id, and the next session in the same
    process would log into it. A run that Ctrl-C or SIGTERM interrupts ends with no hook
    called, and MLflow's own exit handler would mark it ``FINISHED``. These wrappers end it
    fully, ``KILLED`` if it was interrupted, unless it was started before the session.
    """

    def __init__(self) -> None:
        self._outer_run = False
        self._started: str | None = None

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """End a run an earlier session of this process left interrupted; note whether an
        MLflow run is active before the session (an orchestrator's)."""
        self._end_interrupted()
        self._outer_run = mlflow.active_run() is not None

    @hook_impl(wrapper=True)
    def before_pipeline_run(self) -> Generator[None, Any, Any]:
        """End the run as failed if a ``before_pipeline_run`` hook raises; otherwise end
        it as killed if the process exits while it is still active."""
        try:
            result = yield
        except Exception:
            self._end_runs(RunStatus.FAILED)
            raise
        run = mlflow.active_run()
        if run is not None and not self._outer_run:
            self._started = run.info.run_id
            # After MLflow's own exit handler, so that it runs first.
            atexit.unregister(self._end_interrupted)
            atexit.register(self._end_interrupted)
        return result

    @hook_impl(wrapper=True)
    def after_pipeline_run(
        self, pipeline: Pipeline, catalog: DataCatalog
    ) -> Generator[None, Any, Any]:
        """Once every ``after_pipeline_run`` hook is done, log the versioned files they
        saved (the run manifest) and end the run, as failed if a hook raised."""
        run = mlflow.active_run()
        status = RunStatus.FAILED
        try:
            result = yield
            if run is not None and current_trial() is None:
                from moons_classifier.tracking.log import (  # noqa: PLC0415
                    log_artifacts,
                    saved_files,
                )

                late = set(catalog.keys()) - pipeline.all_outputs()
                log_artifacts(run.info.run_id, saved_files(late, catalog))
            status = RunStatus.FINISHED
            return result
        finally:
            self._end_runs(status)

    @hook_impl
    def on_pipeline_error(self) -> None:
        """End, as failed, what kedro-mlflow leaves of a run a node's error stopped."""
        self._end_runs(RunStatus.FAILED)

    def _end_interrupted(self) -> None:
        """End as killed the run this object started, if it is still active."""
        if self._started is None:
            return
        # An interrupted write may have left its store connection open in a transaction,
        # locking a SQLite store: collecting the interrupted frames rolls it back.
        gc.collect()
        run = mlflow.active_run()
        if run is not None and run.info.run_id == self._started:
            self._end_runs(RunStatus.KILLED)
        self._started = None

    def _end_runs(self, status: int) -> None:
        """End every active MLflow run of this thread with ``status``, and make
        kedro-mlflow forget it."""
        self._started = None
        if self._outer_run:
            return
        while mlflow.active_run():
            mlflow.end_run(RunStatus.to_string(status))
        # kedro-mlflow 2.0.3's hook is one object per process that keeps the last run's
        # id: a later session with tracking disabled would reopen that run at every node.
        mlflow_hook.run_id = None
