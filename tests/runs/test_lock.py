"""The data folder's lock: one holder at a time, named to the next; free once its process ends."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset

from moons_classifier.datasets import JSONDataset
from moons_classifier.runs import RunLock, RunLockedError, holder, lock_path
from moons_classifier.runs.manifest import MANIFEST

# A process that takes the lock as run "other-run", says so, and holds it until its
# stdin closes; then it exits without releasing it.
HOLD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from moons_classifier.runs.lock import RunLock, holder
    lock = RunLock(Path(sys.argv[1]))
    lock.acquire(holder("other-run", None))
    print("locked", flush=True)
    sys.stdin.read()
    """
)


def test_a_free_lock_is_taken_with_its_holder_and_released_empty(tmp_path):
    path = tmp_path / "reporting" / "run.lock"
    lock = RunLock(path)
    lock.acquire({"run_id": "this-run"})
    assert json.loads(path.read_text()) == {"run_id": "this-run"}
    lock.release()
    assert lock.file is None
    assert path.read_text() == ""
    lock.release()  # a released lock releases nothing more


def test_a_held_lock_is_refused_naming_its_holder(tmp_path):
    path = tmp_path / "run.lock"
    first = RunLock(path)
    first.acquire({"run_id": "first-run"})
    with pytest.raises(RunLockedError, match="Another kedro run holds") as error:
        RunLock(path).acquire({"run_id": "second-run"})
    assert '{"run_id": "first-run"}' in str(error.value)
    assert "this run wrote nothing" in str(error.value)
    assert json.loads(path.read_text()) == {"run_id": "first-run"}
    first.release()
    second = RunLock(path)
    second.acquire({"run_id": "second-run"})
    second.release()


def test_a_live_process_holds_the_lock_until_it_ends(tmp_path):
    path = tmp_path / "run.lock"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "locked\n"
        with pytest.raises(RunLockedError, match="other-run"):
            RunLock(path).acquire({"run_id": "this-run"})
    finally:
        process.communicate(timeout=60)
    assert process.returncode == 0
    lock = RunLock(path)
    lock.acquire({"run_id": "this-run"})
    assert json.loads(path.read_text()) == {"run_id": "this-run"}
    lock.release()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    path = tmp_path / "run.lock"
    dead = subprocess.run(
        [sys.executable, "-c", HOLD, str(path)],
        input="",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert dead.stdout == "locked\n"
    stale = json.loads(path.read_text())
    assert stale["run_id"] == "other-run"
    assert stale["pid"] != os.getpid()
    lock = RunLock(path)
    lock.acquire({"run_id": "this-run"})
    assert json.loads(path.read_text()) == {"run_id": "this-run"}
    lock.release()


def test_an_empty_held_lock_names_an_unknown_run(tmp_path):
    path = tmp_path / "run.lock"
    first = RunLock(path)
    first.acquire({})
    first.file.seek(0)
    first.file.truncate()
    first.file.flush()
    with pytest.raises(RunLockedError, match="an unknown run"):
        RunLock(path).acquire({"run_id": "second-run"})
    first.release()


def test_the_holder_names_the_run_its_pipelines_host_and_process():
    held_by = holder("2026-01-01T00.00.00.000Z", ["inference"])
    assert held_by["run_id"] == "2026-01-01T00.00.00.000Z"
    assert held_by["pipelines"] == ["inference"]
    assert held_by["host"] == socket.gethostname()
    assert held_by["pid"] == os.getpid()
    assert datetime.fromisoformat(held_by["started"]).tzinfo is not None
    assert holder("run", None)["pipelines"] == ["__default__"]
    assert holder("run", [])["pipelines"] == ["__default__"]


def test_the_lock_lies_beside_the_run_manifests_on_a_local_disk(tmp_path):
    manifests = JSONDataset(
        filepath=str(tmp_path / "08_reporting" / "run_manifest.json")
    )
    catalog = DataCatalog(datasets={MANIFEST: manifests})
    assert lock_path(catalog) == Path(tmp_path / "08_reporting" / "run.lock")


def test_no_lock_without_local_run_manifests():
    assert lock_path(DataCatalog(datasets={"other": MemoryDataset()})) is None
    remote = JSONDataset(filepath="memory://moons/08_reporting/run_manifest.json")
    assert lock_path(DataCatalog(datasets={MANIFEST: remote})) is None
