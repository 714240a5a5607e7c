"""MetricsDataset: ``Metrics`` round trips, documents that break the contract, versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from kedro.io.core import DatasetError, Version

from moons_classifier.contracts import Areas, AucErrorBounds, Metrics
from moons_classifier.datasets import MetricsDataset
from tests.support.helpers import metrics_at

PREDICTIONS = pd.DataFrame({"y": [1, 0, 1, 0], "probability": [0.9, 0.6, 0.4, 0.2]})
FIRST, SECOND = "2024-01-01T00.00.00.000Z", "2024-01-02T00.00.00.000Z"


@pytest.fixture
def metrics() -> Metrics:
    return metrics_at(PREDICTIONS, [0.3, 0.5], threshold=0.5)


def test_a_round_trip_gives_equal_metrics_and_the_document_as_json(
    tmp_path: Path, metrics: Metrics
):
    path = tmp_path / "mlp" / "metrics.json"
    dataset = MetricsDataset(filepath=str(path))
    dataset.save(metrics)
    loaded = dataset.load()
    assert isinstance(loaded, Metrics)
    assert loaded == metrics
    assert loaded.at(0.5) == metrics.at(0.5)
    assert json.loads(path.read_text()) == metrics.document()
    assert "auc_error_bounds" not in json.loads(path.read_text())


def test_error_bounds_are_written_and_read_where_there_are_some(
    tmp_path: Path, metrics: Metrics
):
    areas = Areas(auroc=1e-6, aupr=2e-6)
    bounded = metrics.model_copy(
        update={"auc_error_bounds": AucErrorBounds(model=areas, random_baseline=areas)}
    )
    dataset = MetricsDataset(filepath=str(tmp_path / "metrics.json"))
    dataset.save(bounded)
    assert dataset.load() == bounded
    assert dataset.load().auc_error_bounds.model == areas


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"aupr": "high"}, "aupr: Input should be a valid number"),
        ({"n_val": None}, "n_val: Input should be a valid integer"),
        ({"surplus": 1}, "surplus: Extra inputs are not permitted"),
    ],
)
def test_a_document_breaking_the_contract_is_refused_naming_the_field(
    tmp_path: Path, metrics: Metrics, change, named
):
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(metrics.document() | change))
    with pytest.raises(DatasetError) as error:
        MetricsDataset(filepath=str(path)).load()
    message = str(error.value)
    assert f"{path} does not hold a model's metrics: {named}" in message
    assert "Rerun the evaluation pipeline to write them again." in message


def test_a_missing_field_is_named(tmp_path: Path, metrics: Metrics):
    document = metrics.document()
    del document["selected_threshold"]["criterion"]
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(document))
    with pytest.raises(
        DatasetError, match=re.escape("selected_threshold.criterion: Field required")
    ):
        MetricsDataset(filepath=str(path)).load()


def test_versions_are_saved_apart_and_the_latest_loads(
    tmp_path: Path, metrics: Metrics
):
    filepath = str(tmp_path / "metrics.json")
    other = metrics_at(PREDICTIONS, [0.3, 0.5], threshold=0.3)
    MetricsDataset(filepath=filepath, version=Version(None, FIRST)).save(metrics)
    MetricsDataset(filepath=filepath, version=Version(None, SECOND)).save(other)
    latest = MetricsDataset(filepath=filepath, version=Version(None, None))
    assert latest.versions() == [SECOND, FIRST]
    assert latest.load() == other
    assert MetricsDataset(filepath=filepath, version=Version(FIRST, None)).load() == (
        metrics
    )
    stored = tmp_path / "metrics.json" / FIRST / "metrics.json"
    assert json.loads(stored.read_text()) == metrics.document()
