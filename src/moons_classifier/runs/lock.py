"""One run at a time per data folder: an exclusive lock file naming the run that holds it."""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from kedro.io import DataCatalog

from moons_classifier.runs.manifest import MANIFEST


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


def lock_path(catalog: DataCatalog) -> Path | None:
    """The lock file beside the run manifests; None where they are not on a local disk."""
    manifests = catalog.get(MANIFEST)
    if manifests is None or manifests._protocol != "file":  # noqa: SLF001
        return None
    return Path(manifests._filepath).parent / "run.lock"  # noqa: SLF001
