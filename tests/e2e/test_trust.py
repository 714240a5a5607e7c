"""Runs that never mix, a failed run that never shadows the last good one, and no silent typo."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_moons

from tests.support.helpers import (
    LOCK,
    MANIFESTS,
    RUN_ARTIFACTS,
    copy_newest_run,
    finish,
    manifest,
    record_run,
    snapshot,
    start,
    versioned_file,
    versions,
    wait_for,
)
from tests.support.projects import run_kedro

PREDICTIONS = "07_model_output/{}/inference_predictions.csv"


def start_kedro(project: Path, *args: str) -> subprocess.Popen:
    """``kedro run`` with ``args`` in its own process group, output captured."""
    return start([sys.executable, "-m", "kedro", "run", *args], project)


def lock_holder(project: Path) -> dict | None:
    """The run that holds the project's lock, as it wrote itself into the lock file."""
    lock = project / LOCK
    text = lock.read_text() if lock.exists() else ""
    return json.loads(text) if text else None


def assert_one_run_per_version(project: Path) -> dict:
    """Every versioned artifact is the one its run's manifest records; the manifest of the only run."""
    (version,) = versions(project, MANIFESTS)
    recorded = manifest(project, version)
    for name, relative in RUN_ARTIFACTS.items():
        assert versions(project, relative) == [version]
        file = versioned_file(project, relative, version)
        assert (
            hashlib.sha256(file.read_bytes()).hexdigest()
            == recorded["artifacts"][name]["sha256"]
        )
    return recorded


def held_table(project: Path) -> Path:
    """A named pipe as the run's source table: a run reading it waits until it is written."""
    fifo = project / "data/01_raw/held.csv"
    os.mkfifo(fifo)
    (project / "conf/local/catalog.yml").write_text(
        f"source_table:\n  type: pandas.CSVDataset\n  filepath: {fifo}\n"
    )
    return fifo


def test_a_second_run_in_the_same_folder_is_refused_at_once(project):
    table = held_table(project)
    first = start_kedro(project, "--params", "data.source=table,training.n_epochs=3")
    try:
        wait_for(lambda: lock_holder(project) is not None, "the first run's lock")
        holder = lock_holder(project)
        # The first run holds the lock and waits for its table until the second is done.
        second = subprocess.run(
            [sys.executable, "-m", "kedro", "run", "--params", "training.n_epochs=2"],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert first.poll() is None, "the first run ended before the second started"
        moons = make_moons(n_samples=200, noise=0.3, random_state=0)
        pd.DataFrame(moons[0], columns=["x1", "x2"]).assign(target=moons[1]).to_csv(
            table, index=False
        )
    finally:
        output = finish(first)
    assert first.returncode == 0, output[-3000:]
    assert second.returncode != 0
    message = " ".join(second.stdout.split() + second.stderr.split())
    assert "Another kedro run holds this project's data folder" in message
    assert holder["run_id"] in message
    assert "this run wrote nothing" in message
    assert "Traceback" not in message
    recorded = assert_one_run_per_version(project)
    assert recorded["version"] == holder["run_id"]
    version = recorded["version"]
    scaler = json.loads(
        versioned_file(project, RUN_ARTIFACTS["scaler"], version).read_text()
    )
    assert scaler["n_samples_seen_"] == 160  # noqa: PLR2004  (the first run's 200 points)
    for namespace in ("logistic", "mlp"):
        metrics = json.loads(
            versioned_file(
                project, RUN_ARTIFACTS[f"{namespace}_metrics"], version
            ).read_text()
        )
        assert (metrics["n_train"], metrics["n_val"]) == (160, 40)
        history = pd.read_csv(
            project / f"data/07_model_output/{namespace}/loss_history.csv"
        )
        assert len(history) == 3  # noqa: PLR2004  (the first run's epochs)
    assert lock_holder(project) is None


def test_an_interrupted_run_never_shadows_the_last_good_one(
    project, monkeypatch, caplog
):
    run_kedro(project, monkeypatch, runtime_params={"training": {"n_epochs": 3}})
    (good,) = versions(project, MANIFESTS)
    interrupted = start_kedro(project, "--params", "training.n_epochs=100000")
    try:
        wait_for(
            lambda: len(versions(project, RUN_ARTIFACTS["scaler"])) == 2,  # noqa: PLR2004
            "the interrupted run's scaler",
        )
        os.killpg(interrupted.pid, signal.SIGINT)  # Ctrl-C
    finally:
        finish(interrupted)
    assert interrupted.returncode != 0
    assert versions(project, MANIFESTS) == [good]
    # The interrupted run's lock died with its process: the next run gets in.
    caplog.set_level(logging.INFO, logger="moons_classifier.runs.hooks")
    run_kedro(project, monkeypatch, pipeline_name="inference")
    assert f"Using the artifacts of run {good}" in caplog.text
    for namespace in ("logistic", "mlp"):
        scored = pd.read_csv(
            sorted((project / "data" / PREDICTIONS.format(namespace)).glob("*/*"))[-1]
        )
        metrics = json.loads(
            versioned_file(
                project, RUN_ARTIFACTS[f"{namespace}_metrics"], good
            ).read_text()
        )
        assert (scored["threshold"] == metrics["selected_threshold"]["threshold"]).all()


def test_inference_before_any_run_says_to_run_first(project, monkeypatch):
    before = snapshot(project)
    with pytest.raises(ValueError, match="No trained model yet") as refused:
        run_kedro(project, monkeypatch, pipeline_name="inference")
    assert "Run `kedro run` first" in str(refused.value)
    assert snapshot(project) == before


def test_inference_with_one_model_scores_with_that_model_only(project, monkeypatch):
    run_kedro(project, monkeypatch, runtime_params={"training": {"n_epochs": 3}})
    (version,) = versions(project, MANIFESTS)
    run_kedro(
        project,
        monkeypatch,
        pipeline_name="inference",
        namespaces=["logistic"],
        load_versions={
            "scaler": version,
            "logistic.model_state_dict": version,
            "logistic_metrics": version,
        },
    )
    assert len(list((project / "data" / PREDICTIONS.format("logistic")).iterdir())) == 1
    assert not (project / "data" / PREDICTIONS.format("mlp")).exists()


def test_a_misspelt_parameter_group_is_refused_naming_the_known_ones(
    project, monkeypatch
):
    before = snapshot(project)
    with pytest.raises(ValueError) as refused:
        run_kedro(project, monkeypatch, runtime_params={"trainig": {"n_epochs": 5}})
    message = str(refused.value)
    assert "Unknown parameter group(s) ['trainig']" in message
    assert "'training'" in message
    assert "'logistic'" in message
    assert snapshot(project) == before


def test_more_points_than_memory_holds_are_refused_up_front(project, monkeypatch):
    before = snapshot(project)
    with pytest.raises(ValueError) as refused:
        run_kedro(project, monkeypatch, runtime_params={"data": {"n_samples": 10**12}})
    message = str(refused.value)
    assert "data.n_samples=1000000000000 needs about" in message
    assert "GiB available" in message
    assert snapshot(project) == before


def test_a_one_feature_plain_csv_table_runs_end_to_end(project, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    table = pd.DataFrame({"x": x, "label": (x + rng.normal(0, 0.5, 200) > 0)})
    table["label"] = table["label"].astype(int)
    table.to_csv(project / "data/01_raw/one_feature.csv", index=False)
    # The user's own entries, without schemas: the nodes check the columns they use.
    (project / "conf/local/catalog.yml").write_text(
        "source_table:\n"
        "  type: pandas.CSVDataset\n"
        "  filepath: data/01_raw/one_feature.csv\n"
        "inference_input:\n"
        "  type: pandas.CSVDataset\n"
        "  filepath: data/01_raw/inference_input.csv\n"
    )
    run_kedro(
        project,
        monkeypatch,
        runtime_params={
            "data": {"source": "table", "label_column": "label"},
            "training": {"n_epochs": 5},
        },
    )
    (version,) = versions(project, MANIFESTS)
    recorded = manifest(project, version)
    pngs = [name for name in recorded["artifacts"] if name.endswith("_figure")]
    assert pngs
    for name in pngs:
        assert Path(recorded["artifacts"][name]["path"]).read_bytes()[:4] == b"\x89PNG"
    scaler = json.loads(
        versioned_file(project, RUN_ARTIFACTS["scaler"], version).read_text()
    )
    assert scaler["feature_names_in_"] == ["x"]
    (project / "data/01_raw/inference_input.csv").write_text("id,x\n1,0.5\n2,-3.0\n")
    run_kedro(project, monkeypatch, pipeline_name="inference")
    scored = pd.read_csv(
        sorted((project / "data" / PREDICTIONS.format("logistic")).glob("*/*"))[-1]
    )
    assert scored["probability"].iloc[0] > scored["probability"].iloc[1]


def test_one_global_moves_every_dataset(project, monkeypatch, tmp_path):
    store = tmp_path / "elsewhere"
    env = project / "conf" / "elsewhere"
    env.mkdir()
    (env / "globals.yml").write_text(f"base_location: {store}\n")
    before = snapshot(project)
    run_kedro(
        project,
        monkeypatch,
        env="elsewhere",
        pipeline_names=["data_processing", "training", "evaluation"],
        runtime_params={"training": {"n_epochs": 2}},
    )
    assert snapshot(project) == before
    (recorded,) = (
        json.loads(path.read_text()) for path in store.glob(f"{MANIFESTS}/*/*")
    )
    assert set(recorded["artifacts"]) >= set(RUN_ARTIFACTS)
    for name in RUN_ARTIFACTS:
        assert recorded["artifacts"][name]["path"].startswith(str(store))
    assert (store / "01_raw/moons.parquet").is_file()


def test_a_damaged_newest_manifest_is_named_and_the_older_run_used(
    project, monkeypatch, caplog
):
    run_kedro(project, monkeypatch, runtime_params={"training": {"n_epochs": 3}})
    (good,) = versions(project, MANIFESTS)
    newer = copy_newest_run(project)
    record_run(project, newer, RUN_ARTIFACTS)
    damaged = versioned_file(project, MANIFESTS, newer)
    damaged.write_text(damaged.read_text()[:40])
    caplog.set_level(logging.INFO, logger="moons_classifier")
    run_kedro(project, monkeypatch, pipeline_name="inference")
    assert f"The manifest of run {newer} ({damaged}) is damaged" in caplog.text
    assert f"Using the artifacts of run {good}" in caplog.text
