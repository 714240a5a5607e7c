"""An MLflow tracking store in ``tmp_path`` for each test that asks for one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest
from mlflow.tracking._tracking_service import utils as tracking_utils

from moons_classifier.tracking.store import seed_sqlite_store


@dataclass
class Store:
    """A test's tracking store, its client and an experiment whose artifacts it keeps."""

    uri: str
    client: mlflow.MlflowClient
    experiment_id: str
    folder: Path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A SQLite store in ``tmp_path``, MLflow's tracking URI for the test (restored
    after, with every run the test left active ended); copied from the empty store the
    project caches, as ``kedro run`` creates one, rather than migrated (seconds)."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    seed_sqlite_store(uri)
    monkeypatch.chdir(tmp_path)  # MLflow's relative default locations land here
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)  # restored once the test is done
    previous = tracking_utils._tracking_uri  # None, unless something set one
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient(uri)
    artifacts = (tmp_path / "artifacts").as_uri()
    experiment_id = client.create_experiment("tests", artifact_location=artifacts)
    try:
        yield Store(uri, client, experiment_id, tmp_path)
    finally:
        while mlflow.active_run():
            mlflow.end_run()
        mlflow.set_tracking_uri(previous)
