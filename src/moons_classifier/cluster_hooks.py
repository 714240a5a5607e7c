"""The Dask cluster's hook: a ``data.backend: dask`` run's client, from its first node to its end.

Kedro imports it with the project's settings, before any command runs: Dask (``cluster.py``)
is imported only when a run on the Dask backend starts.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog

from moons_classifier.params import DaskParams, DataParams

logger = logging.getLogger(__name__)


class ClusterHooks:
    """Start the Dask client of a run on the Dask backend (after the run checks and the
    lock) and close it when the run ends, before the lock is released; on the pandas
    backend, start nothing."""

    def __init__(self) -> None:
        self._cluster: ExitStack | None = None

    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, catalog: DataCatalog) -> None:
        """Start the run's Dask client where ``data.backend`` is ``dask``."""
        self._close()  # open still if Ctrl-C ended this process's last run
        parameters = catalog.load("parameters")
        if DataParams.model_validate(parameters.get("data", {})).backend == "dask":
            self._cluster = open_cluster(
                DaskParams.model_validate(parameters.get("dask", {}))
            )

    @hook_impl
    def after_pipeline_run(self) -> None:
        """Close the completed run's Dask client."""
        self._close()

    @hook_impl
    def on_pipeline_error(self) -> None:
        """Close the failed run's Dask client."""
        self._close()

    def _close(self) -> None:
        """Close the Dask client this hook started, if any."""
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def open_cluster(params: DaskParams) -> ExitStack:
    """The run's Dask client (the default scheduler until the stack closes)."""
    from moons_classifier.cluster import dask_client  # noqa: PLC0415

    stack = ExitStack()
    client = stack.enter_context(
        dask_client(params.scheduler, params.workers, params.worker_memory)
    )
    logger.info("Dask backend: %s", client)
    return stack
