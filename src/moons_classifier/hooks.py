"""Project hooks: checks that must pass before any node runs."""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline

# Imported here, not when a check needs them, so that torch is loaded when the project is
# bootstrapped: ParallelRunner forks its shared-memory manager before any node runs, and a
# manager that has to import torch itself, from two threads at once, fails intermittently.
from moons_classifier.models import load_model
from moons_classifier.params import TrainingParams
from moons_classifier.trainer import resolve_device

logger = logging.getLogger(__name__)

SPLIT = ("train_split", "validation_split")
STATE_DICT_SUFFIX = ".model_state_dict"
METRICS_SUFFIX = ".metrics"


class PreflightHooks:
    """Refuse, before the first node writes anything, a run that cannot succeed.

    Checked: the training device is available; the data, prepared in memory up to the
    train/validation split, gives a split the pipeline accepts; and the persisted scaler,
    state_dicts and metrics the run loads come from one run, and each state_dict fits its
    configured model.
    """

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog
    ) -> None:
        """Run the checks that apply to ``pipeline``."""
        inputs = pipeline.inputs()
        if "params:training" in inputs:
            _check_device(catalog.load("params:training"))
        if set(SPLIT) <= pipeline.all_outputs():
            _check_split(pipeline, catalog)
        if "scaler" in inputs:
            _check_same_run(inputs, catalog)
            _check_persisted_models(inputs, catalog)


def _check_device(training: TrainingParams) -> None:
    """Resolve ``training.device``; an unavailable one raises, naming the available ones."""
    resolve_device(training.device)


def _check_split(pipeline: Pipeline, catalog: DataCatalog) -> None:
    """Run the nodes up to the split in memory, so that their refusals come before any write."""
    logger.info("Checking the data up to the split in memory; nothing is written")
    values: dict[str, Any] = {}
    for node in pipeline.to_outputs(*SPLIT).nodes:
        values.update(
            node.run(
                {
                    name: values[name] if name in values else catalog.load(name)
                    for name in node.inputs
                }
            )
        )


def _check_same_run(inputs: set[str], catalog: DataCatalog) -> None:
    """The scaler, state_dicts and metrics the run loads must share one version (one run)."""
    versioned = sorted(
        name
        for name in inputs
        if name == "scaler" or name.endswith((STATE_DICT_SUFFIX, METRICS_SUFFIX))
    )
    versions = {name: catalog.get(name).resolve_load_version() for name in versioned}
    if len(set(versions.values())) > 1:
        pins = ",".join(f"{name}:<version>" for name in versioned)
        raise ValueError(
            f"The run would combine artifacts of different runs: {versions}. Pin them all "
            f'to one run\'s version with --load-versions "{pins}", or re-run the pipeline.'
        )


def _check_persisted_models(inputs: set[str], catalog: DataCatalog) -> None:
    """Each ``<model>.model_state_dict`` the run loads must fit ``params:<model>.model``."""
    n_features = catalog.load("scaler").n_features_in_
    for name in sorted(inputs):
        params = f"params:{name.removesuffix(STATE_DICT_SUFFIX)}.model"
        if not name.endswith(STATE_DICT_SUFFIX) or params not in inputs:
            continue
        try:
            load_model(catalog.load(name), n_features, catalog.load(params))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from error
