"""JSONDataset: round trips, versions, previews, and documents that must not be written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kedro.io.core import DatasetError, Version

from moons_classifier.datasets import JSONDataset

DOCUMENT = {"auroc": 0.9797979797979798, "counts": [3, 1], "model": "mlp"}
FIRST, SECOND = "2024-01-01T00.00.00.000Z", "2024-01-02T00.00.00.000Z"


def test_json_round_trip_writes_an_indented_document(tmp_path: Path):
    dataset = JSONDataset(filepath=str(tmp_path / "reporting" / "metrics.json"))
    assert not dataset.exists()
    dataset.save(DOCUMENT)
    assert dataset.exists()
    assert dataset.load() == DOCUMENT
    path = tmp_path / "reporting" / "metrics.json"
    assert path.read_text() == json.dumps(DOCUMENT, indent=2)
    assert list(tmp_path.rglob("*.partial")) == []


def test_save_args_are_passed_to_json_dumps(tmp_path: Path):
    path = tmp_path / "metrics.json"
    JSONDataset(filepath=str(path), save_args={"indent": None, "sort_keys": True}).save(
        {"b": 1, "a": 2}
    )
    assert path.read_text() == '{"a": 2, "b": 1}'


def test_versioned_documents_are_listed_newest_first_and_the_latest_loads(
    tmp_path: Path,
):
    filepath = str(tmp_path / "manifest.json")
    latest = JSONDataset(filepath=filepath, version=Version(None, None))
    assert not latest.exists()
    assert latest.versions() == []
    for version in (FIRST, SECOND):
        JSONDataset(filepath=filepath, version=Version(None, version)).save(
            {"version": version}
        )
    assert latest.exists()
    assert latest.versions() == [SECOND, FIRST]
    assert latest.load() == {"version": SECOND}
    first = JSONDataset(filepath=filepath, version=Version(FIRST, None))
    assert first.load() == {"version": FIRST}


def test_the_preview_is_the_stored_text(tmp_path: Path):
    dataset = JSONDataset(filepath=str(tmp_path / "metrics.json"))
    dataset.save(DOCUMENT)
    assert dataset.preview() == json.dumps(DOCUMENT, indent=2)


def test_a_document_that_is_not_json_is_refused_and_the_old_file_kept(
    tmp_path: Path,
):
    path = tmp_path / "metrics.json"
    dataset = JSONDataset(filepath=str(path))
    dataset.save(DOCUMENT)
    with pytest.raises(
        DatasetError, match="Object of type set is not JSON serializable"
    ):
        dataset.save({"auroc": {0.5}})
    assert dataset.load() == DOCUMENT
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_a_missing_file_is_refused(tmp_path: Path):
    with pytest.raises(DatasetError, match="No such file or directory"):
        JSONDataset(filepath=str(tmp_path / "metrics.json")).load()
