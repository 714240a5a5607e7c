"""StandardScalerDataset: round trips, versions, and scaler files that must not load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from kedro.io.core import DatasetError, Version
from sklearn.preprocessing import StandardScaler

from moons_classifier.datasets import StandardScalerDataset

VALID_SCALER = {
    "mean_": [0.5, -1.0],
    "var_": [4.0, 0.25],
    "scale_": [2.0, 0.5],
    "n_features_in_": 2,
    "n_samples_seen_": 80,
    "feature_names_in_": ["x1", "x2"],
}
FIRST, SECOND = "2024-01-01T00.00.00.000Z", "2024-01-02T00.00.00.000Z"


def test_scaler_round_trip_gives_a_plain_identical_scaler(tmp_path: Path):
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(3.0, 2.0, size=(40, 2)), columns=["x1", "x2"])
    scaler = StandardScaler().fit(train)
    dataset = StandardScalerDataset(filepath=str(tmp_path / "scaler.json"))
    dataset.save(scaler)
    loaded = dataset.load()
    assert type(loaded) is StandardScaler
    for name in ("mean_", "var_", "scale_", "feature_names_in_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(scaler, name))
    assert (loaded.n_features_in_, loaded.n_samples_seen_) == (2, 40)
    points = pd.DataFrame(rng.normal(size=(5, 2)), columns=["x1", "x2"])
    np.testing.assert_array_equal(loaded.transform(points), scaler.transform(points))
    stored = json.loads((tmp_path / "scaler.json").read_text())
    assert stored["feature_names_in_"] == ["x1", "x2"]
    assert list(tmp_path.rglob("*.partial")) == []


def test_a_scaler_fitted_on_arrays_has_no_feature_names(tmp_path: Path):
    scaler = StandardScaler().fit(np.array([[0.0, 1.0], [2.0, 5.0]]))
    dataset = StandardScalerDataset(filepath=str(tmp_path / "scaler.json"))
    dataset.save(scaler)
    loaded = dataset.load()
    assert not hasattr(loaded, "feature_names_in_")
    np.testing.assert_array_equal(loaded.mean_, [1.0, 3.0])
    np.testing.assert_array_equal(loaded.transform([[1.0, 3.0]]), [[0.0, 0.0]])


def test_a_constant_feature_keeps_a_scale_of_one(tmp_path: Path):
    scaler = StandardScaler().fit(np.array([[1.0, 0.0], [1.0, 4.0]]))
    dataset = StandardScalerDataset(filepath=str(tmp_path / "scaler.json"))
    dataset.save(scaler)
    loaded = dataset.load()
    np.testing.assert_array_equal(loaded.scale_, [1.0, 2.0])
    np.testing.assert_array_equal(loaded.transform([[1.0, 2.0]]), [[0.0, 0.0]])


def test_versioned_scalers_are_listed_newest_first_and_the_latest_loads(
    tmp_path: Path,
):
    filepath = str(tmp_path / "scaler.json")
    latest = StandardScalerDataset(filepath=filepath, version=Version(None, None))
    assert not latest.exists()
    for version, shift in ((FIRST, 0.0), (SECOND, 10.0)):
        scaler = StandardScaler().fit(np.array([[shift], [shift + 2.0]]))
        StandardScalerDataset(filepath=filepath, version=Version(None, version)).save(
            scaler
        )
    assert latest.exists()
    assert latest.versions() == [SECOND, FIRST]
    np.testing.assert_array_equal(latest.load().mean_, [11.0])
    first = StandardScalerDataset(filepath=filepath, version=Version(FIRST, None))
    np.testing.assert_array_equal(first.load().mean_, [1.0])


def test_the_preview_is_the_stored_json(tmp_path: Path):
    path = tmp_path / "scaler.json"
    path.write_text(json.dumps(VALID_SCALER))
    assert json.loads(StandardScalerDataset(filepath=str(path)).preview()) == (
        VALID_SCALER
    )


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        json.dumps({"mean_": [0.0], "var_": [1.0], "scale_": [1.0]}),
        json.dumps(
            {
                "mean_": ["a"],
                "var_": [1.0],
                "scale_": [1.0],
                "n_features_in_": 1,
                "n_samples_seen_": 2,
            }
        ),
        json.dumps([1, 2, 3]),
    ],
)
def test_a_malformed_scaler_file_is_refused(tmp_path: Path, text: str):
    path = tmp_path / "scaler.json"
    path.write_text(text)
    with pytest.raises(DatasetError, match="is not a scaler written by this project"):
        StandardScalerDataset(filepath=str(path)).load()


@pytest.mark.parametrize(
    "missing", ["mean_", "var_", "scale_", "n_features_in_", "n_samples_seen_"]
)
def test_a_scaler_file_missing_a_statistic_is_refused_naming_it(
    tmp_path: Path, missing: str
):
    path = tmp_path / "scaler.json"
    path.write_text(json.dumps({k: v for k, v in VALID_SCALER.items() if k != missing}))
    with pytest.raises(DatasetError) as refused:
        StandardScalerDataset(filepath=str(path)).load()
    assert str(path) in str(refused.value)
    assert f"(KeyError: '{missing}')" in str(refused.value)
    assert "Re-run the data_processing pipeline." in str(refused.value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mean_", 0.5, "mean_ must hold 2 finite numbers"),
        ("mean_", [0.5], "mean_ must hold 2 finite numbers"),
        ("mean_", [0.5, None], "mean_ must hold 2 finite numbers"),
        ("var_", [4.0, float("inf")], "var_ must hold 2 finite numbers"),
        ("var_", [4.0, -0.25], "square root of var_"),
        ("scale_", [2.0, 0.0], "square root of var_"),
        ("scale_", [2.0, -0.5], "square root of var_"),
        ("scale_", [2.0, float("nan")], "scale_ must hold 2 finite numbers"),
        ("scale_", [2.0, 0.6], "square root of var_"),
        ("scale_", [2.0, 0.5, 1.0], "scale_ must hold 2 finite numbers"),
        ("n_features_in_", 3, "feature_names_in_ must name 3 distinct features"),
        ("n_features_in_", 0, "must be at least 1"),
        ("n_samples_seen_", 0, "must be at least 1"),
        ("feature_names_in_", ["x1"], "must name 2 distinct features"),
        ("feature_names_in_", ["x1", "x1"], "must name 2 distinct features"),
    ],
)
def test_a_tampered_scaler_field_is_refused_naming_the_file(
    tmp_path: Path, field: str, value: object, message: str
):
    path = tmp_path / "scaler.json"
    path.write_text(json.dumps({**VALID_SCALER, field: value}))
    with pytest.raises(DatasetError) as refused:
        StandardScalerDataset(filepath=str(path)).load()
    assert str(path) in str(refused.value)
    assert message in str(refused.value)


def test_the_untampered_scaler_loads(tmp_path: Path):
    path = tmp_path / "scaler.json"
    path.write_text(json.dumps(VALID_SCALER))
    loaded = StandardScalerDataset(filepath=str(path)).load()
    np.testing.assert_array_equal(loaded.transform([[2.5, -0.5]]), [[1.0, 1.0]])
