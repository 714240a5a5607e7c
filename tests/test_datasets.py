"""The project's datasets: round trips, versions, and files that must not load."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from kedro.io.core import DatasetError, Version
from sklearn.preprocessing import StandardScaler

from moons_classifier.datasets import StandardScalerDataset, TorchStateDictDataset

STATE = {
    "linear.weight": torch.tensor([[1.25, -2.5]]),
    "linear.bias": torch.tensor([0.125]),
}


class Exploit:
    """Unpickling it calls ``action(*args)``."""

    def __init__(self, action, *args) -> None:
        self.action, self.args = action, args

    def __reduce__(self):
        return self.action, self.args


def test_state_dict_round_trip(tmp_path: Path):
    dataset = TorchStateDictDataset(filepath=str(tmp_path / "models" / "model.pt"))
    assert not dataset.exists()
    trainable = {name: t.clone().requires_grad_() for name, t in STATE.items()}
    dataset.save(trainable)
    assert dataset.exists()
    loaded = dataset.load()
    assert type(loaded) is dict
    assert loaded.keys() == STATE.keys()
    for name, tensor in STATE.items():
        assert torch.equal(loaded[name], tensor)
        assert loaded[name].device.type == "cpu"
        assert not loaded[name].requires_grad
    assert list(tmp_path.rglob("*.partial")) == []
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["model.pt"]


def test_versioned_saves_keep_every_version_and_load_the_latest(tmp_path: Path):
    filepath = str(tmp_path / "model.pt")
    for version, bias in (
        ("2024-01-01T00.00.00.000Z", 1.0),
        ("2024-01-02T00.00.00.000Z", 2.0),
    ):
        TorchStateDictDataset(filepath=filepath, version=Version(None, version)).save(
            {"bias": torch.tensor([bias])}
        )
    assert sorted(p.name for p in (tmp_path / "model.pt").iterdir()) == [
        "2024-01-01T00.00.00.000Z",
        "2024-01-02T00.00.00.000Z",
    ]
    latest = TorchStateDictDataset(
        filepath=filepath, version=Version(None, None)
    ).load()
    assert latest["bias"].item() == 2.0  # noqa: PLR2004
    first = TorchStateDictDataset(
        filepath=filepath, version=Version("2024-01-01T00.00.00.000Z", None)
    ).load()
    assert first["bias"].item() == 1.0
    assert list(tmp_path.rglob("*.partial")) == []


@pytest.mark.parametrize("action", ["mkdir", "print"])
def test_pickled_code_is_refused_and_not_run(tmp_path: Path, capsys, action: str):
    marker = tmp_path / "pwned"
    exploit = (
        Exploit(os.mkdir, str(marker)) if action == "mkdir" else Exploit(print, "pwned")
    )
    path = tmp_path / "model.pt"
    torch.save({"linear.weight": torch.zeros(1, 2), "payload": exploit}, path)
    with pytest.raises(DatasetError, match="is not a plain state_dict of tensors"):
        TorchStateDictDataset(filepath=str(path)).load()
    assert not marker.exists()
    assert "pwned" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ([torch.zeros(2)], "list"),
        ({"weight": 1.5}, "dict"),
        ({3: torch.zeros(2)}, "dict"),
        (torch.zeros(2), "Tensor"),
    ],
)
def test_content_other_than_a_state_dict_is_refused(tmp_path: Path, content, kind: str):
    path = tmp_path / "model.pt"
    torch.save(content, path)
    with pytest.raises(DatasetError, match=f"holds a {kind}, not a state_dict"):
        TorchStateDictDataset(filepath=str(path)).load()


def test_a_file_that_is_not_torch_is_refused(tmp_path: Path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"not a torch file")
    with pytest.raises(DatasetError, match="was not loaded"):
        TorchStateDictDataset(filepath=str(path)).load()


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


VALID_SCALER = {
    "mean_": [0.5, -1.0],
    "var_": [4.0, 0.25],
    "scale_": [2.0, 0.5],
    "n_features_in_": 2,
    "n_samples_seen_": 80,
    "feature_names_in_": ["x1", "x2"],
}


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
