"""Project hooks: refuse a run that cannot succeed, give each run the project to itself, record it.

Kedro imports them with the project's settings, before any command runs: what needs
torch, scikit-learn or pandas is imported where it is used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from kedro.config import OmegaConfigLoader
from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.io.core import Version
from kedro.pipeline import Pipeline

from moons_classifier.params import DaskParams, DataParams, SplitParams
from moons_classifier.pipelines import MODEL_NAMESPACES, shared_name
from moons_classifier.runs import (
    MANIFEST,
    RunLock,
    build_manifest,
    holder,
    select_run,
)

logger = logging.getLogger(__name__)

STATE_DICT_SUFFIX = ".model_state_dict"
# Peak memory of a pandas run per generated row (measured: 1.7 GB at 1e7 rows, most of it
# the tables' copies between nodes), with headroom.
BYTES_PER_ROW = 200
# Runtime keys that are not parameter groups: ``--params base_location=DIR`` moves the
# files a run writes (conf/base/globals.yml).
RUNTIME_KEYS = {"base_location"}


class ProjectHooks:
    """Checks before the first node, the one-run-per-data-folder lock, and the run manifest.

    Checked first, so that a refused run touches nothing: every parameter group is one the
    project defines; the training device is available; the data fits in memory; the
    persisted artifacts the run loads come from one completed run, unchanged, and fit
    their configured models. Then the run takes the data folder's lock; when it
    completes, it records a manifest of every versioned artifact it wrote.
    """

    def __init__(self) -> None:
        self._lock: RunLock | None = None
        self._cluster: ExitStack | None = None
        self._base: dict[str, Any] = {}
        self._catalog: DataCatalog | None = None

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Remember the parameter groups the project defines."""
        self._base = _base_parameters(context.config_loader)

    # First, before kedro-mlflow starts a tracking run: a refused run leaves none behind.
    @hook_impl(tryfirst=True)
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog
    ) -> None:
        """Run the checks that apply to ``pipeline``, then take the lock."""
        self._catalog = catalog
        inputs = pipeline.inputs()
        _check_parameter_groups(catalog, self._base)
        if "params:training" in inputs:
            from moons_classifier.devices import resolve_device  # noqa: PLC0415

            resolve_device(catalog.load("params:training").device)
        parameters = catalog.load("parameters")
        dask = DaskParams.model_validate(parameters.get("dask", {}))
        backend = DataParams.model_validate(parameters.get("data", {})).backend
        if backend == "dask":
            _check_dask_installed()
        if "params:data" in inputs and "params:split" in inputs:
            _check_data_size(catalog.load("params:data"), catalog.load("params:split"))
        run = select_run(catalog, inputs, run_params.get("load_versions") or {})
        if run is not None:
            _use_run(catalog, inputs, run)
            _check_persisted_models(inputs, catalog)
            logger.info(
                "Using the artifacts of run %s (completed %s)",
                run["version"],
                run["completed"],
            )
        self._release()  # held still if Ctrl-C ended this process's last run
        lock = _lock_path(catalog)
        if lock is not None:
            self._lock = RunLock(lock)
            self._lock.acquire(
                holder(run_params["run_id"], run_params["pipeline_names"])
            )
        if backend == "dask":
            self._cluster = _dask_client(dask)

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, data: Any) -> None:
        """Refuse a lazy Dask table bound for a dataset that writes pandas tables only."""
        from moons_classifier.partitions import is_dask  # noqa: PLC0415

        if is_dask(data) and self._catalog is not None:
            check_saves_dask(dataset_name, self._catalog.get(dataset_name))

    @hook_impl
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
            self._finish()

    @hook_impl
    def on_pipeline_error(self) -> None:
        """Let the next run in; a failed run records no manifest."""
        self._finish()

    def _finish(self) -> None:
        """Release the run's cluster and lock, and forget its catalog (a sweep's worker
        would otherwise hold its last trial's until the next)."""
        self._release()
        self._catalog = None

    def _release(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def check_saves_dask(name: str, dataset: Any) -> None:
    """Refuse to save a Dask table with a kedro-datasets pandas dataset (a CSV file, say),
    which would fail on it obscurely; name the dataset that writes it."""
    kind = type(dataset)
    if kind.__module__.startswith("kedro_datasets.pandas."):
        raise ValueError(
            f"{name} is a Dask DataFrame (read from a partitioned parquet folder), "
            f"which {kind.__name__} cannot write. Point {name} at a parquet folder with "
            "type: moons_classifier.datasets.TableDataset (conf/base/catalog/inference.yml "
            "shows the entries)."
        )


def _lock_path(catalog: DataCatalog) -> Path | None:
    """The lock file beside the run manifests; None where they are not on a local disk."""
    manifests = catalog.get(MANIFEST)
    if manifests is None or manifests._protocol != "file":  # noqa: SLF001
        return None
    return Path(manifests._filepath).parent / "run.lock"  # noqa: SLF001


def _check_parameter_groups(catalog: DataCatalog, base: dict[str, Any]) -> None:
    """Every top-level parameter group must be one ``conf/base`` defines, and so must every
    group inside a model's namespace; ``base_location``, where set, must name a folder."""
    parameters = catalog.load("parameters")
    _refuse_unknown_groups(set(parameters) - RUNTIME_KEYS, set(base))
    for namespace in MODEL_NAMESPACES:
        _refuse_unknown_groups(
            set(parameters.get(namespace) or {}), set(base[namespace]), namespace
        )
    if "base_location" in parameters:
        _check_base_location(parameters["base_location"])


def _refuse_unknown_groups(
    groups: set[str], known: set[str], namespace: str = ""
) -> None:
    """Refuse ``groups`` (of ``namespace``, if any) that are not among ``known``."""
    prefix = f"{namespace}." if namespace else ""
    unknown = sorted(f"{prefix}{group}" for group in groups - known)
    if unknown:
        of = f" of {namespace}" if namespace else ""
        raise ValueError(
            f"Unknown parameter group(s) {unknown}: conf/base defines no such group (a "
            f"typo?). The known groups{of} are {sorted(f'{prefix}{g}' for g in known)}."
        )


def _check_base_location(location: Any) -> None:
    """``--params base_location=DIR`` must name a folder (a path or a URL)."""
    if not isinstance(location, str | Path) or not str(location).strip():
        raise ValueError(
            f"base_location is {location!r}, not a folder. Give a path or URL, as in "
            "--params base_location=/tmp/moons, or leave it out to use "
            "conf/base/globals.yml's."
        )


def _base_parameters(loader: OmegaConfigLoader) -> dict[str, Any]:
    """The parameters of the base environment alone."""
    return loader.load_and_merge_dir_config(
        f"{loader.conf_source}/{loader.base_env}",
        loader.config_patterns["parameters"],
        "base_parameters",  # any key but "parameters", which merges the --params in
        set(),
    )


def _available_memory() -> int:
    """Bytes of memory available to a new allocation on this machine."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _check_dask_installed() -> None:
    """``data.backend: dask`` needs the ``scale`` extra."""
    missing = [name for name in ("distributed", "triad") if find_spec(name) is None]
    if missing:
        raise ValueError(
            f"data.backend=dask needs {missing}, which are not installed. Install the "
            "project's scale extra (pip install -e '.[scale]') or use data.backend=pandas."
        )


def _dask_client(params: DaskParams) -> ExitStack:
    """The run's Dask client (the default scheduler until the stack closes)."""
    from moons_classifier.cluster import dask_client  # noqa: PLC0415

    stack = ExitStack()
    client = stack.enter_context(
        dask_client(params.scheduler, params.workers, params.worker_memory)
    )
    logger.info("Dask backend: %s", client)
    return stack


def _check_data_size(data: DataParams, split: SplitParams) -> None:
    """The moons must fit in memory (one partition of them, on the Dask backend), and the
    split must leave rows on both sides (of each partition); no test split on Dask."""
    from moons_classifier.partitions import partition_sizes  # noqa: PLC0415
    from moons_classifier.pipelines.data_processing.nodes import (  # noqa: PLC0415
        check_no_test_split,
        check_split_sizes,
    )

    if data.backend == "dask":
        check_no_test_split(split)
    if data.source != "moons":
        return
    if data.backend == "dask":
        check_split_sizes(
            min(partition_sizes(data.n_samples, data.partition_rows)), split
        )
        return
    needed, available = data.n_samples * BYTES_PER_ROW, _available_memory()
    if needed > available:
        raise ValueError(
            f"data.n_samples={data.n_samples} needs about {needed / 2**30:,.1f} GiB of "
            f"memory ({BYTES_PER_ROW} bytes a row) and this machine has "
            f"{available / 2**30:,.1f} GiB available. Lower data.n_samples."
        )
    check_split_sizes(data.n_samples, split)


@contextmanager
def _quiet_replacement() -> Iterator[None]:
    """Silence the catalog's warning that a dataset is replaced: here that is the point."""
    catalog_logger = logging.getLogger("kedro.io.data_catalog")
    level = catalog_logger.level
    catalog_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        catalog_logger.setLevel(level)


def _use_run(catalog: DataCatalog, inputs: set[str], run: dict[str, Any]) -> None:
    """Point every versioned input the run loads at ``run``'s version."""
    with _quiet_replacement():
        for name in run["artifacts"].keys() & inputs:
            catalog[name] = catalog.get(name, version=Version(run["version"], None))
    for namespace in MODEL_NAMESPACES:
        name = shared_name(namespace, "metrics")
        if name in inputs:
            _check_metrics(name, catalog.load(name))


def _check_metrics(name: str, metrics: Any) -> None:
    """The metrics inference reads its threshold from must hold a probability or null there."""
    try:
        threshold = metrics["selected_threshold"]["threshold"]
    except (KeyError, TypeError):
        threshold = "missing"
    if threshold is not None and not (
        isinstance(threshold, int | float) and 0 <= threshold <= 1
    ):
        raise ValueError(
            f"{name}: selected_threshold.threshold is {threshold!r}, not a probability in "
            "[0, 1] or null. The file is not this project's metrics; re-run `kedro run`."
        )


def _check_persisted_models(inputs: set[str], catalog: DataCatalog) -> None:
    """Each ``<model>.model_state_dict`` the run loads must fit ``params:<model>.model``."""
    if "scaler" not in inputs:
        return
    from moons_classifier.models import load_model  # noqa: PLC0415

    n_features = catalog.load("scaler").n_features_in_
    for name in sorted(inputs):
        params = f"params:{name.removesuffix(STATE_DICT_SUFFIX)}.model"
        if not name.endswith(STATE_DICT_SUFFIX) or params not in inputs:
            continue
        try:
            load_model(catalog.load(name), n_features, catalog.load(params))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from error
