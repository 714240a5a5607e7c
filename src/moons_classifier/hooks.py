"""The project's run checks: refuse a run that cannot succeed before it touches anything.

Kedro imports the hooks with the project's settings, before any command runs: the checks
(``checks.py``) import torch and the pipelines' nodes only when they are called.
"""

from __future__ import annotations

from typing import Any

from kedro.config import OmegaConfigLoader
from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline

from moons_classifier.checks import (
    check_backend,
    check_data_size,
    check_device,
    check_parameter_groups,
    check_saves_dask,
)


class RunChecksHooks:
    """Before any other hook does anything, refuse a run that cannot succeed; during the
    run, refuse a Dask table bound for a dataset that writes pandas tables only.

    Checked: every parameter group is one the project defines; the training device is
    available; the Dask backend is installed where chosen; the data fits in memory.
    """

    def __init__(self) -> None:
        self._base: dict[str, Any] = {}
        self._catalog: DataCatalog | None = None

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Remember the parameter groups the project defines."""
        self._base = _base_parameters(context.config_loader)

    # First of all (settings.HOOKS registers this hook last): a refused run takes no lock,
    # starts no cluster and leaves no tracking run behind.
    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, pipeline: Pipeline, catalog: DataCatalog) -> None:
        """Run the checks that apply to ``pipeline``."""
        self._catalog = catalog
        inputs = pipeline.inputs()
        parameters = catalog.load("parameters")
        check_parameter_groups(parameters, self._base)
        if "params:training" in inputs:
            check_device(catalog.load("params:training").device)
        check_backend(parameters)
        if "params:data" in inputs and "params:split" in inputs:
            check_data_size(catalog.load("params:data"), catalog.load("params:split"))

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, data: Any) -> None:
        """Refuse a lazy Dask table bound for a dataset that writes pandas tables only."""
        from moons_classifier.partitions import is_dask  # noqa: PLC0415

        if is_dask(data) and self._catalog is not None:
            check_saves_dask(dataset_name, self._catalog.get(dataset_name))

    @hook_impl
    def after_pipeline_run(self) -> None:
        """Forget the run's catalog (a sweep's worker would otherwise hold its last trial's)."""
        self._catalog = None

    @hook_impl
    def on_pipeline_error(self) -> None:
        """Forget the failed run's catalog."""
        self._catalog = None


def _base_parameters(loader: OmegaConfigLoader) -> dict[str, Any]:
    """The parameters of the base environment alone, from a folder or an archive
    (``--conf-source`` of a packaged project; Kedro 1.7 finds either's path)."""
    return loader.load_and_merge_dir_config(
        loader._get_conf_env_path(loader.base_env),  # noqa: SLF001
        loader.config_patterns["parameters"],
        "base_parameters",  # any key but "parameters", which merges the --params in
        set(),
    )
