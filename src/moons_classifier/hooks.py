"""Project hooks: checks that must pass before any node runs."""

from __future__ import annotations

from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline


class DeviceCheckHooks:
    """Refuse a run whose training device is not available, before the first node."""

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog
    ) -> None:
        """Resolve ``training.device`` when the run trains a model."""
        if "params:training" not in pipeline.inputs():
            return
        from moons_classifier.trainer import resolve_device  # noqa: PLC0415 (torch is heavy)

        training = catalog.load("params:training")
        device = training["device"] if isinstance(training, dict) else training.device
        resolve_device(device)
