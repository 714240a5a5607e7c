"""End-to-end runs of what goes beyond the chapter: models side by side, real data, imbalance."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.support.projects import run_kedro


def read_json(path):
    return json.loads(path.read_text())


def test_default_run_compares_both_models(default_run, latest):
    comparison = read_json(latest(default_run, "08_reporting/model_comparison.json"))
    logistic = read_json(latest(default_run, "08_reporting/logistic/metrics.json"))
    mlp = read_json(latest(default_run, "08_reporting/mlp/metrics.json"))
    assert set(comparison) == {"logistic", "mlp"}
    assert (
        comparison["logistic"]["auroc"]
        == logistic["auroc"]
        == pytest.approx(0.9797979797979798)
    )
    assert comparison["mlp"]["auroc"] == mlp["auroc"]
    assert comparison["mlp"]["final_train_loss"] != logistic["final_train_loss"]
    assert (
        latest(default_run, "08_reporting/model_comparison.png").read_bytes()[:4]
        == b"\x89PNG"
    )
    selected = logistic["selected_threshold"]
    assert selected["criterion"] == "f1"
    best_f1 = max(m["f1"] for m in logistic["thresholds"].values())
    assert selected["metrics"]["f1"] >= best_f1


def test_real_table_with_thirty_features_runs_end_to_end(project, monkeypatch, latest):
    run_kedro(project, monkeypatch, runtime_params={"data": {"source": "table"}})
    table = pd.read_csv(project / "data/01_raw/breast_cancer.csv")
    metrics = read_json(latest(project, "08_reporting/logistic/metrics.json"))
    assert metrics["n_train"] + metrics["n_val"] == len(table) == 569  # noqa: PLR2004
    assert metrics["auroc"] > 0.95  # noqa: PLR2004
    features = pd.read_parquet(project / "data/05_model_input/train_features.parquet")
    assert features.shape[1] == 31  # noqa: PLR2004
    scaler = read_json(latest(project, "06_models/scaler.json"))
    assert scaler["feature_names_in_"] == [c for c in table.columns if c != "target"]


def test_imbalanced_data_and_balanced_loss(project, monkeypatch, latest):
    imbalanced = {"data": {"n_samples": 1000, "positive_fraction": 0.1}}
    run_kedro(
        project,
        monkeypatch,
        runtime_params={**imbalanced, "training": {"n_epochs": 20}},
    )
    unweighted = read_json(latest(project, "08_reporting/logistic/metrics.json"))
    run_kedro(
        project,
        monkeypatch,
        runtime_params={
            **imbalanced,
            "training": {"n_epochs": 20, "pos_weight": "balanced"},
        },
    )
    weighted = read_json(latest(project, "08_reporting/logistic/metrics.json"))
    raw = pd.read_parquet(project / "data/02_intermediate/raw_data.parquet")
    assert raw["y"].mean() == pytest.approx(0.1, abs=1e-3)
    assert (raw["y"] == 0).sum() == 500  # noqa: PLR2004
    assert weighted["class_balance"]["train_positive_rate"] == pytest.approx(
        0.1, abs=0.03
    )
    assert weighted["pr_baseline"] == weighted["class_balance"]["val_positive_rate"]
    at_half = "0.5"
    assert (
        weighted["thresholds"][at_half]["recall"]
        > unweighted["thresholds"][at_half]["recall"]
    )
    assert (
        weighted["thresholds"][at_half]["fpr"]
        > unweighted["thresholds"][at_half]["fpr"]
    )
