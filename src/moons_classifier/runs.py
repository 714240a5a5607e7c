"""Runs that own their artifacts: one run at a time per data folder, and a manifest per run."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from kedro.io import DataCatalog
from kedro.io.core import (
    AbstractVersionedDataset,
    DatasetError,
    Version,
    get_filepath_str,
)

logger = logging.getLogger(__name__)

MANIFEST = "run_manifest"


class RunLockedError(RuntimeError):
    """Another run holds the project's data folder."""


@dataclass
class RunLock:
    """An exclusive ``flock`` on a file, released by ``release`` or when the process ends."""

    path: Path
    file: IO[str] | None = None

    def acquire(self, holder: dict[str, Any]) -> None:
        """Take the lock at once and write ``holder`` into it, or raise naming the run that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            held_by = file.read().strip() or "an unknown run"
            file.close()
            raise RunLockedError(
                f"Another kedro run holds this project's data folder ({self.path}): "
                f"{held_by}. Wait for it to finish, or run in another copy of the "
                "project; this run wrote nothing."
            ) from None
        file.seek(0)
        file.truncate()
        file.write(json.dumps(holder))
        file.flush()
        self.file = file

    def release(self) -> None:
        """Let the next run in."""
        if self.file is not None:
            self.file.seek(0)
            self.file.truncate()
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None


def holder(run_id: str, pipelines: list[str] | None) -> dict[str, Any]:
    """Who holds the lock: run id, pipelines, host, process and start time."""
    return {
        "run_id": run_id,
        "pipelines": pipelines or ["__default__"],
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


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
