"""Which completed run's artifacts a run loads: the newest or a pinned one, checked by content."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kedro.io import DataCatalog
from kedro.io.core import AbstractVersionedDataset, Version

from moons_classifier.runs.manifest import (
    MANIFEST,
    file_digest,
    read_manifest,
    versioned,
)

logger = logging.getLogger(__name__)


def completed_runs(catalog: DataCatalog) -> Iterator[dict[str, Any]]:
    """The manifests of the completed runs, newest first, each read only when reached;
    a damaged manifest is skipped with a warning naming it."""
    for version in catalog.get(MANIFEST).versions():
        try:
            yield read_manifest(catalog, version)
        except ValueError as damaged:
            logger.warning("%s Using an older run.", damaged)


def select_run(
    catalog: DataCatalog, names: set[str], pinned: dict[str, str]
) -> dict[str, Any] | None:
    """The completed run whose artifacts among ``names`` a run loads, each checked by content.

    Pinned versions (``--load-versions``) name the run; otherwise it is the newest
    completed run that wrote every one of them. None if no versioned artifact is loaded.
    """
    datasets = versioned(catalog, names)
    if not datasets:
        return None
    pins = {name: version for name, version in pinned.items() if name in datasets}
    if len(set(pins.values())) > 1:
        raise ValueError(
            f"The run would combine artifacts of different runs: {pins}. Pin them all "
            "to one run's version with --load-versions, or leave them unpinned to use "
            "the newest completed run."
        )
    if pins:
        version = next(iter(pins.values()))
        completed = catalog.get(MANIFEST).versions()
        if version not in completed:
            raise ValueError(
                f"--load-versions pins {sorted(pins)} to {version}, which is not a "
                f"completed run; completed runs: {completed or 'none'}."
            )
        run = read_manifest(catalog, version)
    else:
        run = next(
            (
                run
                for run in completed_runs(catalog)
                if set(datasets) <= set(run["artifacts"])
            ),
            None,
        )
        if run is None:
            raise ValueError(
                f"No trained model yet: no completed run wrote {sorted(datasets)}. "
                "Run `kedro run` first."
            )
    for name, dataset in datasets.items():
        _check_content(name, dataset, run)
    return run


def pin_run(catalog: DataCatalog, names: set[str], run: dict[str, Any]) -> None:
    """Point every one of ``names`` that ``run`` wrote at ``run``'s version."""
    with _quiet_replacement():
        for name in run["artifacts"].keys() & names:
            catalog[name] = catalog.get(name, version=Version(run["version"], None))


def _check_content(
    name: str, dataset: AbstractVersionedDataset, run: dict[str, Any]
) -> None:
    """``dataset``'s file in ``run``'s version must be the one the run wrote, byte for byte."""
    recorded = run["artifacts"].get(name)
    if recorded is None:
        raise ValueError(
            f"Run {run['version']} (pipelines {run['pipelines']}) did not write {name}; "
            "pin every loaded artifact to one run that wrote them all."
        )
    try:
        digest = file_digest(dataset, run["version"])
    except FileNotFoundError:
        digest = None
    if digest != recorded["sha256"]:
        raise ValueError(
            f"{name} ({recorded['path']}) is not the file run {run['version']} wrote: it "
            f"is {'missing' if digest is None else 'changed since'}. Restore it, pin "
            "another run with --load-versions, or re-run `kedro run`."
        )


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
