"""Which completed run a run loads: the newest that wrote every artifact, or a pinned one,
each file checked against the SHA-256 its manifest records."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset

from moons_classifier.runs.manifest import MANIFEST, build_manifest
from moons_classifier.runs.selection import completed_runs, pin_run, select_run

V1, V2, V3 = (f"2026-01-0{day}T00.00.00.000Z" for day in (1, 2, 3))
JSON = "moons_classifier.datasets.JSONDataset"
LOADED = {"model", "metrics", "params:model"}


def run_catalog(root: Path, version: str | None = None) -> DataCatalog:
    """A run's catalog saving under ``version``: two versioned JSON artifacts, the run
    manifests and a parameter."""
    catalog = DataCatalog.from_config(
        {
            name: {
                "type": JSON,
                "filepath": str(root / f"{name}.json"),
                "versioned": True,
            }
            for name in ("model", "metrics", MANIFEST)
        },
        save_version=version,
    )
    catalog["params:model"] = MemoryDataset({"kind": "mlp"})
    return catalog


def write_run(root: Path, version: str, names: tuple[str, ...], complete: bool) -> None:
    """Save ``names`` under ``version``; and the run's manifest where it ``complete``d."""
    catalog = run_catalog(root, version)
    for name in names:
        catalog.save(name, {"name": name, "version": version})
    if complete:
        catalog.save(MANIFEST, build_manifest(catalog, set(names), version, None))


def artifact(root: Path, name: str, version: str) -> Path:
    """The file of ``version`` of the artifact ``name``."""
    return root / f"{name}.json" / version / f"{name}.json"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """Completed runs V1 and V2 of both artifacts, and V3, which stopped before its end."""
    write_run(tmp_path, V1, ("model", "metrics"), complete=True)
    write_run(tmp_path, V2, ("model", "metrics"), complete=True)
    write_run(tmp_path, V3, ("model", "metrics"), complete=False)
    return tmp_path


def test_the_newest_completed_run_is_selected(runs):
    run = select_run(run_catalog(runs), LOADED, {})
    assert run["version"] == V2
    assert set(run["artifacts"]) == {"model", "metrics"}


def test_the_newest_run_that_wrote_every_loaded_artifact_is_selected(runs):
    write_run(runs, "2026-01-04T00.00.00.000Z", ("model",), complete=True)
    assert select_run(run_catalog(runs), LOADED, {})["version"] == V2
    newest = select_run(run_catalog(runs), {"model"}, {})["version"]
    assert newest == "2026-01-04T00.00.00.000Z"


def test_a_pinned_run_is_selected(runs):
    assert select_run(run_catalog(runs), LOADED, {"model": V1})["version"] == V1
    pins = {"model": V1, "metrics": V1, "unloaded": V2}
    assert select_run(run_catalog(runs), LOADED, pins)["version"] == V1


def test_a_run_that_did_not_complete_cannot_be_pinned(runs):
    with pytest.raises(ValueError, match=f"to {V3}, which is not a completed run") as e:
        select_run(run_catalog(runs), LOADED, {"model": V3})
    assert f"completed runs: {[V2, V1]}" in str(e.value)


def test_artifacts_of_different_runs_are_refused(runs):
    with pytest.raises(ValueError, match="combine artifacts of different runs"):
        select_run(run_catalog(runs), LOADED, {"model": V1, "metrics": V2})


def test_a_pinned_run_that_did_not_write_a_loaded_artifact_is_refused(runs):
    write_run(runs, "2026-01-04T00.00.00.000Z", ("model",), complete=True)
    with pytest.raises(ValueError, match="did not write metrics"):
        select_run(run_catalog(runs), LOADED, {"model": "2026-01-04T00.00.00.000Z"})


def test_a_file_changed_since_its_run_is_refused_by_its_sha(runs):
    artifact(runs, "metrics", V2).write_text('{"name": "metrics", "edited": true}')
    with pytest.raises(ValueError, match="changed since") as error:
        select_run(run_catalog(runs), LOADED, {})
    assert f"metrics ({artifact(runs, 'metrics', V2)}) is not the file run {V2}" in str(
        error.value
    )
    assert select_run(run_catalog(runs), LOADED, {"model": V1})["version"] == V1


def test_a_missing_file_is_refused(runs):
    artifact(runs, "model", V2).unlink()
    with pytest.raises(ValueError, match="it is missing"):
        select_run(run_catalog(runs), LOADED, {})


def test_no_completed_run_says_to_run_first(tmp_path):
    write_run(tmp_path, V3, ("model", "metrics"), complete=False)
    with pytest.raises(ValueError, match="No trained model yet") as error:
        select_run(run_catalog(tmp_path), LOADED, {})
    assert "no completed run wrote ['metrics', 'model']" in str(error.value)


def test_a_run_that_loads_no_versioned_artifact_selects_none(tmp_path):
    assert select_run(run_catalog(tmp_path), {"params:model", "absent"}, {}) is None


def test_a_damaged_manifest_is_skipped_for_an_older_run(runs, caplog):
    damaged = runs / f"{MANIFEST}.json" / V2 / f"{MANIFEST}.json"
    damaged.write_text("[]")
    with caplog.at_level(logging.WARNING, logger="moons_classifier.runs.selection"):
        assert select_run(run_catalog(runs), LOADED, {})["version"] == V1
    assert f"The manifest of run {V2} ({damaged}) is damaged" in caplog.text
    assert "Using an older run." in caplog.text
    assert [run["version"] for run in completed_runs(run_catalog(runs))] == [V1]


def test_pinning_points_the_loaded_artifacts_at_the_run(runs):
    catalog = run_catalog(runs)
    assert (
        catalog.load("model")["version"] == V3
    )  # the newest file, of no completed run
    run = select_run(catalog, {"model"}, {})
    pin_run(catalog, {"model", "params:model"}, run)
    assert catalog.load("model")["version"] == V2
    assert catalog.load("metrics")["version"] == V3  # not loaded by the run: untouched
    assert catalog.load("params:model") == {"kind": "mlp"}
