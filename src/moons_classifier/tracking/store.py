"""A new local SQLite tracking store starts as a copy of an empty, already migrated one."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import mlflow
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

SQLITE_PREFIX = "sqlite:///"


def seed_sqlite_store(uri: str) -> None:
    """Create the SQLite file of ``uri``, if it is missing, from the cached empty store.

    MLflow builds a new store by running its ~70 schema migrations, which takes seconds; a
    copy takes milliseconds. Other URIs, and stores that exist, are left alone.
    """
    if not uri.startswith(SQLITE_PREFIX):
        return
    path = Path(uri.removeprefix(SQLITE_PREFIX))
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(path)
    shutil.copyfile(empty_store(), partial)
    try:  # a link, unlike a rename, never replaces a store another process just made
        os.link(partial, path)
    except FileExistsError:
        pass
    finally:
        partial.unlink()


def empty_store() -> Path:
    """An empty store of this MLflow version in the user's cache, migrated on first use."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    store = cache / "moons_classifier" / f"mlflow-{mlflow.__version__}-empty.db"
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial(store)
        SqlAlchemyStore(f"{SQLITE_PREFIX}{partial}", "mlruns").engine.dispose()
        partial.replace(store)
    return store


def _partial(path: Path) -> Path:
    """A unique temporary name next to ``path``."""
    return path.with_name(f"{path.name}.{uuid.uuid4().hex}.partial")
