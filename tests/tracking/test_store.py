"""``tracking/store.py``: a new local SQLite store is a copy of an empty, migrated one,
cached per MLflow version (here in ``tmp_path``: migrated once for the module)."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest

from moons_classifier.tracking import store as store_module
from moons_classifier.tracking.store import empty_store, seed_sqlite_store


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user cache holding the empty store, which ``empty_store`` migrated into it."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
        empty_store()
    return folder


@pytest.fixture(autouse=True)
def use_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test finds that cache as the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))


def experiments(uri: str) -> list[str]:
    """The names of the experiments in the store at ``uri``."""
    return [e.name for e in mlflow.MlflowClient(uri).search_experiments()]


def test_the_empty_store_is_migrated_once_per_mlflow_version(cache, tmp_path):
    path = empty_store()
    assert path == cache / "moons_classifier" / f"mlflow-{mlflow.__version__}-empty.db"
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no partial left"
    made = path.stat().st_mtime_ns
    assert empty_store() == path
    assert path.stat().st_mtime_ns == made, "a cached store is not built again"
    copy = tmp_path / "copy.db"
    copy.write_bytes(path.read_bytes())
    assert experiments(f"sqlite:///{copy}") == ["Default"]


def test_a_missing_store_is_created_from_the_cached_one(tmp_path):
    path = tmp_path / "project" / "mlruns" / "mlflow.db"
    seed_sqlite_store(f"sqlite:///{path}")
    assert path.read_bytes() == empty_store().read_bytes()
    assert [p.name for p in path.parent.iterdir()] == ["mlflow.db"], "no partial left"
    assert experiments(f"sqlite:///{path}") == ["Default"]


@pytest.mark.parametrize(
    "uri",
    ["file:///{tmp}/mlruns", "http://127.0.0.1:9/", "postgresql://u@127.0.0.1:9/db"],
)
def test_other_uris_are_left_alone(tmp_path, uri):
    seed_sqlite_store(uri.format(tmp=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_existing_store_is_never_replaced(tmp_path, monkeypatch):
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"a store in use")
    seed_sqlite_store(f"sqlite:///{existing}")
    assert existing.read_bytes() == b"a store in use"

    # Another process creates the store while this one copies the empty store.
    raced = tmp_path / "raced.db"

    def made_meanwhile() -> Path:
        raced.write_bytes(b"the other process's store")
        return empty_store()

    monkeypatch.setattr(store_module, "empty_store", made_meanwhile)
    seed_sqlite_store(f"sqlite:///{raced}")
    assert raced.read_bytes() == b"the other process's store"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.db", "raced.db"]
