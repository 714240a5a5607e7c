"""The run manifest: a completed run's version and the path and SHA-256 of each artifact it wrote."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from kedro.io import DataCatalog
from kedro.io.core import (
    AbstractVersionedDataset,
    DatasetError,
    Version,
    get_filepath_str,
)

MANIFEST = "run_manifest"


def artifact_path(dataset: AbstractVersionedDataset, version: str) -> str:
    """Where ``version`` of a versioned dataset's file lives."""
    path = dataset._get_versioned_path(version)  # noqa: SLF001
    return get_filepath_str(path, getattr(dataset, "_protocol", "file"))


def file_digest(dataset: AbstractVersionedDataset, version: str) -> str:
    """The SHA-256 of ``version`` of the dataset's file."""
    digest = hashlib.sha256()
    with dataset._fs.open(artifact_path(dataset, version), "rb") as file:  # noqa: SLF001
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versioned(
    catalog: DataCatalog, names: set[str]
) -> dict[str, AbstractVersionedDataset]:
    """The versioned datasets among ``names``, by name."""
    datasets = {name: catalog.get(name) for name in sorted(names) if name in catalog}
    return {
        name: dataset
        for name, dataset in datasets.items()
        if isinstance(dataset, AbstractVersionedDataset)
        and dataset._version is not None  # noqa: SLF001
        and name != MANIFEST
    }


def build_manifest(
    catalog: DataCatalog, outputs: set[str], version: str, pipelines: list[str] | None
) -> dict[str, Any]:
    """The completed run's version and the path and SHA-256 of every versioned artifact it wrote."""
    return {
        "version": version,
        "pipelines": pipelines or ["__default__"],
        "completed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "artifacts": {
            name: {
                "path": artifact_path(dataset, version),
                "sha256": file_digest(dataset, version),
            }
            for name, dataset in versioned(catalog, outputs).items()
        },
    }


def read_manifest(catalog: DataCatalog, version: str) -> dict[str, Any]:
    """The manifest of the completed run ``version``; a damaged one is refused, named."""
    dataset = catalog.get(MANIFEST, version=Version(version, None))
    try:
        run = dataset.load()
    except DatasetError:  # not JSON at all
        run = None
    if not isinstance(run, dict) or not isinstance(run.get("artifacts"), dict):
        path = artifact_path(dataset, version)
        raise ValueError(
            f"The manifest of run {version} ({path}) is damaged: it is not a complete "
            "run manifest. Delete its folder to forget that run, or re-run `kedro run`."
        )
    return run
