"""The whole project through a Kedro session, in a temporary copy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from tests.pipelines.reporting.figures import PER_MODEL, SHARED
from tests.support.book_reference import book_aucs, book_metrics, run_book
from tests.support.projects import copy_project, run_kedro
from tests.support.reference import BOOK, REFERENCE, REFERENCE_TOLERANCE


def test_default_run_reproduces_the_chapter(default_run, latest):
    metrics = json.loads(
        latest(default_run, "08_reporting/logistic/metrics.json").read_text()
    )
    assert (metrics["n_train"], metrics["n_val"]) == (80, 20)
    for threshold, matrix in BOOK["confusion"].items():
        assert metrics["thresholds"][threshold]["confusion_matrix"] == matrix
    assert metrics["auroc"] == pytest.approx(BOOK["auroc"], abs=1e-12)
    assert metrics["aupr"] == pytest.approx(BOOK["aupr"], abs=1e-12)
    assert metrics["random_baseline"] == pytest.approx(BOOK["random"], abs=1e-12)
    assert metrics["final_train_loss"] == pytest.approx(
        REFERENCE["train_loss"], abs=REFERENCE_TOLERANCE
    )
    assert metrics["final_val_loss"] == pytest.approx(
        REFERENCE["val_loss"], abs=REFERENCE_TOLERANCE
    )
    at_half = metrics["thresholds"]["0.5"]
    assert at_half["tpr"] == pytest.approx(0.9090909, abs=1e-7)
    assert at_half["fpr"] == pytest.approx(0.2222222, abs=1e-7)
    assert at_half["precision"] == pytest.approx(0.8333333, abs=1e-7)

    state = torch.load(
        latest(default_run, "06_models/logistic/model.pt"), weights_only=True
    )
    assert torch.allclose(
        state["linear.weight"],
        torch.tensor(REFERENCE["weight"]),
        atol=REFERENCE_TOLERANCE,
    )
    assert torch.allclose(
        state["linear.bias"], torch.tensor(REFERENCE["bias"]), atol=REFERENCE_TOLERANCE
    )


def test_default_run_writes_every_artifact(default_run, latest):
    for name in [f"logistic/{figure}" for figure in PER_MODEL] + list(SHARED):
        assert (
            latest(default_run, f"08_reporting/{name}.png").read_bytes()[:4]
            == b"\x89PNG"
        )
    scaler = json.loads(latest(default_run, "06_models/scaler.json").read_text())
    assert scaler["mean_"] == pytest.approx(REFERENCE["scaler_mean"], abs=1e-12)
    assert scaler["scale_"] == pytest.approx(REFERENCE["scaler_scale"], abs=1e-12)
    for table in (
        "01_raw/moons.parquet",
        "02_intermediate/train_split.parquet",
        "05_model_input/validation_features.parquet",
        "07_model_output/logistic/validation_predictions.parquet",
        "07_model_output/logistic/loss_history.csv",
    ):
        assert (default_run / "data" / table).stat().st_size > 0


def test_same_configuration_writes_identical_metrics_bytes(
    default_run, project, monkeypatch, latest
):
    run_kedro(project, monkeypatch)
    for namespace in ("logistic", "mlp"):
        relative = f"08_reporting/{namespace}/metrics.json"
        assert (
            latest(project, relative).read_bytes()
            == latest(default_run, relative).read_bytes()
        )


def test_parameter_overrides_match_an_independent_implementation(
    project, monkeypatch, latest
):
    run_kedro(
        project,
        monkeypatch,
        runtime_params={"data": {"n_samples": 500}, "split": {"test_size": 0.25}},
    )
    metrics = json.loads(
        latest(project, "08_reporting/logistic/metrics.json").read_text()
    )
    book = run_book(n_samples=500, test_size=0.25)
    assert (metrics["n_train"], metrics["n_val"]) == (375, 125)
    assert metrics["final_train_loss"] == book.train_losses[-1]
    assert metrics["final_val_loss"] == book.val_losses[-1]
    auroc, aupr = book_aucs(book.y_val, book.probabilities)
    assert (metrics["auroc"], metrics["aupr"]) == (auroc, aupr)
    for threshold in ("0.3", "0.5", "0.7"):
        expected = book_metrics(book.y_val, book.probabilities, float(threshold))
        assert (
            metrics["thresholds"][threshold]["confusion_matrix"]
            == expected["confusion_matrix"]
        )
    state = torch.load(
        latest(project, "06_models/logistic/model.pt"), weights_only=True
    )
    for name, tensor in book.state_dict.items():
        assert torch.equal(state[name], tensor)


def test_environment_overrides_single_keys_and_keeps_the_rest(
    project, monkeypatch, latest
):
    env = project / "conf" / "wide"
    env.mkdir()
    (env / "parameters.yml").write_text("mlp:\n  model:\n    hidden_units: 20\n")
    run_kedro(
        project, monkeypatch, env="wide", runtime_params={"training": {"n_epochs": 2}}
    )
    state = torch.load(latest(project, "06_models/mlp/model.pt"), weights_only=True)
    assert state["hidden.weight"].shape == (20, 2)
    assert state["output.weight"].shape == (1, 20)


def test_environment_overrides_parameters(project, monkeypatch, latest):
    env = project / "conf" / "bigger"
    env.mkdir()
    (env / "parameters.yml").write_text(
        "data:\n  n_samples: 500\n  noise: 0.3\n  random_state: 0\n"
        "split:\n  test_size: 0.25\n  random_state: 13\n"
    )
    run_kedro(
        project, monkeypatch, env="bigger", runtime_params={"training": {"n_epochs": 2}}
    )
    metrics = json.loads(
        latest(project, "08_reporting/logistic/metrics.json").read_text()
    )
    assert (metrics["n_train"], metrics["n_val"]) == (375, 125)


def test_the_registry_lists_every_pipeline(project):
    listed = subprocess.run(
        [sys.executable, "-m", "kedro", "registry", "list"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in (
        "__default__",
        "data_processing",
        "training",
        "evaluation",
        "reporting",
        "inference",
    ):
        assert f"- {name}\n" in listed


def test_a_fresh_default_run_prints_no_warning(tmp_path):
    """``kedro run`` in a fresh copy, tracked and logging as the project configures it."""
    project = copy_project(tmp_path / "project", tracking=True)
    env = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    env.pop("KEDRO_LOGGING_CONFIG", None)  # the tests' logging, not conf/logging.yml
    done = subprocess.run(
        [sys.executable, "-m", "kedro", "run"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert "Warning" not in output, output
    assert "WARNING" not in output, output
