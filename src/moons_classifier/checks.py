"""Checks that refuse a run that cannot succeed, each naming what to change.

Pure functions of parameters, datasets and the catalog, called by the project's hooks
before a run touches anything: what needs torch or the pipelines is imported where used.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from kedro.io import DataCatalog
from kedro.io.core import DatasetError

from moons_classifier.catalog_names import (
    MODEL_NAMESPACES,
    STATE_DICT,
    metrics_name,
    namespace_of,
)
from moons_classifier.params import DaskParams, DataParams, SplitParams

# Peak memory of a pandas run per generated row (measured: 1.7 GB at 1e7 rows, most of it
# the tables' copies between nodes), with headroom.
BYTES_PER_ROW = 200
# Runtime keys that are not parameter groups (conf/base/globals.yml): ``--params
# base_location=DIR`` moves the files a run writes, ``persist_intermediates=true`` writes
# the Dask backend's tables between nodes.
RUNTIME_KEYS = {"base_location", "persist_intermediates"}


def check_parameter_groups(parameters: dict[str, Any], base: dict[str, Any]) -> None:
    """Every top-level parameter group must be one ``conf/base`` defines, and so must every
    group inside a model's namespace; ``base_location``, where set, must name a folder,
    and ``persist_intermediates`` be true or false."""
    _refuse_unknown_groups(set(parameters) - RUNTIME_KEYS, set(base))
    for namespace in MODEL_NAMESPACES:
        _refuse_unknown_groups(
            set(parameters.get(namespace) or {}), set(base[namespace]), namespace
        )
    if "base_location" in parameters:
        check_base_location(parameters["base_location"])
    if not isinstance(parameters.get("persist_intermediates", False), bool):
        raise ValueError(
            f"persist_intermediates is {parameters['persist_intermediates']!r}; give "
            "true (write the Dask backend's tables between nodes) or false."
        )


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


def check_base_location(location: Any) -> None:
    """``--params base_location=DIR`` must name a folder (a path or a URL)."""
    if not isinstance(location, str | Path) or not str(location).strip():
        raise ValueError(
            f"base_location is {location!r}, not a folder. Give a path or URL, as in "
            "--params base_location=/tmp/moons, or leave it out to use "
            "conf/base/globals.yml's."
        )


def check_device(device: str) -> None:
    """The training device must be available on this machine."""
    from moons_classifier.devices import resolve_device  # noqa: PLC0415

    resolve_device(device)


def check_backend(parameters: dict[str, Any]) -> None:
    """The ``dask`` and ``data`` groups must be valid, and the Dask backend installed."""
    DaskParams.model_validate(parameters.get("dask", {}))
    if DataParams.model_validate(parameters.get("data", {})).backend == "dask":
        check_dask_installed()


def check_dask_installed() -> None:
    """``data.backend: dask`` needs the ``scale`` extra."""
    missing = [name for name in ("distributed", "triad") if find_spec(name) is None]
    if missing:
        raise ValueError(
            f"data.backend=dask needs {missing}, which are not installed. Install the "
            "project's scale extra (pip install -e '.[scale]') or use data.backend=pandas."
        )


def check_data_size(
    data: DataParams, split: SplitParams, available: int | None = None
) -> None:
    """The moons must fit in ``available`` bytes (this machine's, by default; one partition
    of them on the Dask backend), and the split must leave rows on both sides (of each
    partition); no test split on Dask."""
    from moons_classifier.partitions import partition_sizes  # noqa: PLC0415
    from moons_classifier.pipelines.data_processing.kernels import (  # noqa: PLC0415
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
    needed = data.n_samples * BYTES_PER_ROW
    available = available_memory() if available is None else available
    if needed > available:
        raise ValueError(
            f"data.n_samples={data.n_samples} needs about {needed / 2**30:,.1f} GiB of "
            f"memory ({BYTES_PER_ROW} bytes a row) and this machine has "
            f"{available / 2**30:,.1f} GiB available. Lower data.n_samples."
        )
    check_split_sizes(data.n_samples, split)


def available_memory() -> int:
    """Bytes of memory available to a new allocation on this machine."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_persisted_metrics(inputs: set[str], catalog: DataCatalog) -> None:
    """Each model's metrics the run loads must keep the ``Metrics`` contract (its dataset
    checks the file as it loads it), before any node runs."""
    for namespace in MODEL_NAMESPACES:
        name = metrics_name(namespace)
        if name in inputs:
            try:
                catalog.load(name)
            except DatasetError as error:
                raise ValueError(f"{name}: {error.__cause__ or error}") from None


def check_persisted_models(inputs: set[str], catalog: DataCatalog) -> None:
    """Each ``<model>.model_state_dict`` the run loads must fit ``params:<model>.model``."""
    if "scaler" not in inputs:
        return
    from moons_classifier.models import load_model  # noqa: PLC0415

    n_features = catalog.load("scaler").n_features_in_
    for name in sorted(inputs):
        namespace = namespace_of(name, STATE_DICT)
        params = f"params:{namespace}.model"
        if namespace is None or params not in inputs:
            continue
        try:
            load_model(catalog.load(name), n_features, catalog.load(params))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from error


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
