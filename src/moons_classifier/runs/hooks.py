"""The artifact-run hook: pin the run whose artifacts a run loads, hold the data folder, record the run.

Kedro imports it with the project's settings, before any command runs: what needs torch
(the persisted models' check) is imported when it is called.
"""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline

from moons_classifier.checks import check_persisted_metrics, check_persisted_models
from moons_classifier.runs.lock import RunLock, holder, lock_path
from moons_classifier.runs.manifest import MANIFEST, build_manifest
from moons_classifier.runs.selection import pin_run, select_run

logger = logging.getLogger(__name__)


class ArtifactRunHooks:
    """Runs that own their artifacts.

    Before the first node, after the run checks and before anything else: the persisted
    artifacts the run loads come from one completed run, unchanged, and fit their
    configured models; then the run takes the data folder's lock. When it completes, it
    records a manifest of every versioned artifact it wrote; however it ends, it lets the
    next run in, last of all (after the Dask cluster is closed).
    """

    def __init__(self) -> None:
        self._lock: RunLock | None = None

    @hook_impl(tryfirst=True)
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog
    ) -> None:
        """Pin and check the completed run whose artifacts ``pipeline`` loads, then take the lock."""
        inputs = pipeline.inputs()
        run = select_run(catalog, inputs, run_params.get("load_versions") or {})
        if run is not None:
            pin_run(catalog, inputs, run)
            check_persisted_metrics(inputs, catalog)
            check_persisted_models(inputs, catalog)
            logger.info(
                "Using the artifacts of run %s (completed %s)",
                run["version"],
                run["completed"],
            )
        self._release()  # held still if Ctrl-C ended this process's last run
        path = lock_path(catalog)
        if path is not None:
            self._lock = RunLock(path)
            self._lock.acquire(
                holder(run_params["run_id"], run_params["pipeline_names"])
            )

    @hook_impl(trylast=True)
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog
    ) -> None:
        """Record the completed run's versioned artifacts, then let the next run in."""
        try:
            if MANIFEST in catalog:
                # A session saves every versioned dataset under its run id.
                catalog.save(
                    MANIFEST,
                    build_manifest(
                        catalog,
                        pipeline.all_outputs(),
                        run_params["run_id"],
                        run_params["pipeline_names"],
                    ),
                )
        finally:
            self._release()

    @hook_impl(trylast=True)
    def on_pipeline_error(self) -> None:
        """Let the next run in; a failed run records no manifest."""
        self._release()

    def _release(self) -> None:
        """Release the lock this hook holds, if any."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None
