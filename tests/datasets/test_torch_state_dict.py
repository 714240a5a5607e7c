"""TorchStateDictDataset: round trips, versions, and files that must not load."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from kedro.io.core import DatasetError, Version

from moons_classifier.datasets import TorchStateDictDataset

STATE = {
    "linear.weight": torch.tensor([[1.25, -2.5]]),
    "linear.bias": torch.tensor([0.125]),
}
FIRST, SECOND = "2024-01-01T00.00.00.000Z", "2024-01-02T00.00.00.000Z"


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


def test_versions_are_listed_newest_first_and_exist_once_saved(tmp_path: Path):
    filepath = str(tmp_path / "model.pt")
    latest = TorchStateDictDataset(filepath=filepath, version=Version(None, None))
    assert not latest.exists()
    assert latest.versions() == []
    for version in (FIRST, SECOND):
        TorchStateDictDataset(filepath=filepath, version=Version(None, version)).save(
            STATE
        )
    assert latest.exists()
    assert latest.versions() == [SECOND, FIRST]
    assert TorchStateDictDataset(
        filepath=filepath, version=Version(FIRST, None)
    ).exists()
    assert not TorchStateDictDataset(
        filepath=filepath, version=Version("2023-12-31T00.00.00.000Z", None)
    ).exists()


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


def test_a_refused_file_is_named_with_the_files_it_accepts(tmp_path: Path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"not a torch file")
    with pytest.raises(DatasetError) as refused:
        TorchStateDictDataset(filepath=str(path)).load()
    assert str(path) in str(refused.value)
    assert "Only files written by torch.save(model.state_dict()) are accepted." in str(
        refused.value
    )
