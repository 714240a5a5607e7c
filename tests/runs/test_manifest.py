"""The run manifest: the version, path and SHA-256 of every versioned artifact a run wrote."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset

from moons_classifier.runs.manifest import (
    MANIFEST,
    artifact_path,
    build_manifest,
    file_digest,
    read_manifest,
    versioned,
)

VERSION = "2026-01-01T00.00.00.000Z"
JSON = "moons_classifier.datasets.JSONDataset"


def run_catalog(root: Path, version: str | None = None) -> DataCatalog:
    """A run's catalog saving under ``version``: two versioned JSON artifacts, an
    unversioned one, the run manifests and a parameter."""
    entries = {
        name: {"type": JSON, "filepath": str(root / f"{name}.json"), "versioned": True}
        for name in ("model", "metrics", MANIFEST)
    }
    entries["summary"] = {"type": JSON, "filepath": str(root / "summary.json")}
    catalog = DataCatalog.from_config(entries, save_version=version)
    catalog["params:model"] = MemoryDataset({"kind": "mlp"})
    return catalog


def test_only_versioned_artifacts_but_the_manifests_are_versioned(tmp_path):
    catalog = run_catalog(tmp_path)
    names = {"model", "metrics", "summary", "params:model", MANIFEST, "missing"}
    assert list(versioned(catalog, names)) == ["metrics", "model"]


def test_an_artifact_path_and_digest_are_of_the_version_given(tmp_path):
    catalog = run_catalog(tmp_path, VERSION)
    catalog.save("model", {"weights": [1, 2]})
    dataset = catalog.get("model")
    path = tmp_path / "model.json" / VERSION / "model.json"
    assert artifact_path(dataset, VERSION) == str(path)
    assert (
        file_digest(dataset, VERSION) == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    with pytest.raises(FileNotFoundError):
        file_digest(dataset, "2025-01-01T00.00.00.000Z")


def test_a_manifest_records_each_versioned_artifact_the_run_wrote(tmp_path):
    catalog = run_catalog(tmp_path, VERSION)
    catalog.save("model", {"weights": [1, 2]})
    catalog.save("summary", {"rows": 3})
    manifest = build_manifest(catalog, {"model", "summary"}, VERSION, ["training"])
    model = tmp_path / "model.json" / VERSION / "model.json"
    assert manifest["version"] == VERSION
    assert manifest["pipelines"] == ["training"]
    assert datetime.fromisoformat(manifest["completed"]).tzinfo is not None
    assert manifest["artifacts"] == {
        "model": {
            "path": str(model),
            "sha256": hashlib.sha256(model.read_bytes()).hexdigest(),
        }
    }
    assert build_manifest(catalog, set(), VERSION, None)["pipelines"] == ["__default__"]


def test_a_saved_manifest_is_read_back(tmp_path):
    catalog = run_catalog(tmp_path, VERSION)
    catalog.save("model", {"weights": [1, 2]})
    manifest = build_manifest(catalog, {"model"}, VERSION, None)
    catalog.save(MANIFEST, manifest)
    assert read_manifest(run_catalog(tmp_path), VERSION) == manifest


@pytest.mark.parametrize(
    "content", ["not json {", "[1, 2]", '{"version": "v"}', '{"artifacts": []}']
)
def test_a_damaged_manifest_is_refused_named(tmp_path, content):
    path = tmp_path / f"{MANIFEST}.json" / VERSION / f"{MANIFEST}.json"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(ValueError, match=f"The manifest of run {VERSION}") as error:
        read_manifest(run_catalog(tmp_path), VERSION)
    assert f"({path}) is damaged" in str(error.value)
