"""Runs that own their artifacts: one run at a time per data folder, and a manifest per run.

``lock`` keeps the data folder to one run, ``manifest`` records what a completed run
wrote, ``selection`` picks and pins the run whose artifacts a run loads, and ``hooks``
does all three around each Kedro run.
"""

from moons_classifier.runs.lock import RunLock, RunLockedError, holder, lock_path
from moons_classifier.runs.manifest import (
    MANIFEST,
    artifact_path,
    build_manifest,
    file_digest,
    read_manifest,
    versioned,
)
from moons_classifier.runs.selection import completed_runs, pin_run, select_run

__all__ = [
    "MANIFEST",
    "RunLock",
    "RunLockedError",
    "artifact_path",
    "build_manifest",
    "completed_runs",
    "file_digest",
    "holder",
    "lock_path",
    "pin_run",
    "read_manifest",
    "select_run",
    "versioned",
]
