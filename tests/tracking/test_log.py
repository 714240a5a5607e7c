"""``tracking/log.py``: the metrics, artifacts and models a run of a small catalog (datasets
in memory and versioned files in ``tmp_path``) logs to a temporary MLflow store."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset, Version
from kedro.pipeline import Pipeline, node, pipeline
from sklearn.preprocessing import StandardScaler

from moons_classifier.datasets import (
    JSONDataset,
    MetricsDataset,
    StandardScalerDataset,
    TorchStateDictDataset,
)
from moons_classifier.models import build_model
from moons_classifier.params import ModelParams
from moons_classifier.tracking.log import (
    log_artifacts,
    log_final_metrics,
    log_loss_histories,
    log_models,
    note_models,
    numeric_leaves,
    saved_files,
)
from moons_classifier.tracking.nesting import TrialRun
from tests.support.helpers import metrics_at

VERSION = "2026-01-01T00.00.00.000Z"
LOGISTIC = ModelParams(kind="logistic", seed=3)
SHARED_OUTPUTS = ["scaler", "logistic_metrics", "unsaved", "in_memory"]
LOGISTIC_OUTPUTS = ["model_state_dict", "loss_history"]  # in the logistic namespace


def versioned(kind: type, folder: Path, name: str):
    """A dataset of ``kind`` saving version ``VERSION`` of ``folder/name``."""
    return kind(filepath=str(folder / name), version=Version(None, VERSION))


def produce() -> None:
    """Stands for the nodes whose outputs the tracking reads."""


@pytest.fixture
def run(tmp_path: Path) -> tuple[Pipeline, DataCatalog]:
    """A pipeline's outputs, saved as a run saves them, and a dataset it did not save."""
    features = pd.DataFrame({"x1": [0.0, 1.0, 3.0], "x2": [1.0, 2.0, 0.0]})
    catalog = DataCatalog(
        {
            "scaler": versioned(StandardScalerDataset, tmp_path, "scaler.json"),
            "logistic.model_state_dict": versioned(
                TorchStateDictDataset, tmp_path / "logistic", "model.pt"
            ),
            "logistic_metrics": versioned(
                MetricsDataset, tmp_path / "logistic", "metrics.json"
            ),
            "logistic.loss_history": MemoryDataset(
                pd.DataFrame(
                    {"epoch": [1, 2], "train_loss": [0.7, 0.5], "val_loss": [0.8, 0.6]}
                )
            ),
            "unsaved": versioned(JSONDataset, tmp_path, "unsaved.json"),
            "in_memory": MemoryDataset({"a": 1}),
            "params:logistic.model": MemoryDataset(LOGISTIC),
        }
    )
    catalog.save("scaler", StandardScaler().fit(features))
    catalog.save("logistic.model_state_dict", build_model(2, LOGISTIC).state_dict())
    catalog.save("logistic_metrics", metrics_at())
    model = pipeline(
        [node(produce, None, LOGISTIC_OUTPUTS, name="train")], namespace="logistic"
    )
    evaluate = Pipeline([node(produce, None, SHARED_OUTPUTS, name="evaluate")])
    return evaluate + model, catalog


def test_the_numeric_leaves_are_metrics_under_a_prefix():
    tree = {
        "auroc": 0.9,
        "n_val": 20,
        "aupr": None,
        "criterion": "f1",
        "flag": True,
        "thresholds": {"0.5": {"confusion_matrix": [[6, 3], [0, 11]]}},
    }
    assert numeric_leaves(tree, "mlp") == {
        "mlp.auroc": 0.9,
        "mlp.n_val": 20.0,
        "mlp.thresholds.0.5.confusion_matrix.0.0": 6.0,
        "mlp.thresholds.0.5.confusion_matrix.0.1": 3.0,
        "mlp.thresholds.0.5.confusion_matrix.1.0": 0.0,
        "mlp.thresholds.0.5.confusion_matrix.1.1": 11.0,
    }


def test_the_saved_files_are_the_versioned_ones_this_run_wrote(run, tmp_path):
    pipeline, catalog = run
    assert saved_files(pipeline.all_outputs(), catalog) == {
        "scaler": tmp_path / "scaler.json" / VERSION / "scaler.json",
        "logistic.model_state_dict": tmp_path
        / "logistic/model.pt"
        / VERSION
        / "model.pt",
        "logistic_metrics": tmp_path
        / "logistic/metrics.json"
        / VERSION
        / "metrics.json",
    }
    assert list(saved_files({"scaler"}, catalog)) == ["scaler"]


def test_a_run_logs_its_artifacts_losses_and_final_metrics(run, store, tmp_path):
    pipeline, catalog = run
    files = saved_files(pipeline.all_outputs(), catalog)
    with mlflow.start_run(experiment_id=store.experiment_id) as active:
        log_loss_histories(pipeline, catalog)
        log_final_metrics(pipeline, catalog)
        log_artifacts(active.info.run_id, files)
    client, run_id = store.client, active.info.run_id
    history = client.get_metric_history(run_id, "logistic.val_loss")
    assert [(m.step, m.value) for m in history] == [(1, 0.8), (2, 0.6)]
    logged = client.get_run(run_id).data.metrics
    histories = {"logistic.train_loss", "logistic.val_loss"}
    final = {k: v for k, v in logged.items() if k not in histories}
    assert final == numeric_leaves(metrics_at().document(), "logistic")
    assert {"logistic.aupr", "logistic.class_balance.val_positive_rate"} <= set(final)
    assert sorted(a.path for a in client.list_artifacts(run_id)) == [
        "logistic",
        "scaler.json",
    ]
    assert sorted(a.path for a in client.list_artifacts(run_id, "logistic")) == [
        "logistic/metrics.json",
        "logistic/model.pt",
    ]
    download = client.download_artifacts(run_id, "logistic/model.pt", str(tmp_path))
    assert (
        Path(download).read_bytes() == files["logistic.model_state_dict"].read_bytes()
    )


def test_a_trial_notes_the_models_it_trained_with_its_scaler(run):
    pipeline, catalog = run
    files = saved_files(pipeline.all_outputs(), catalog)
    trial = TrialRun("sweep", {})
    note_models(trial, {k: v for k, v in files.items() if k != "scaler"}, catalog)
    assert trial.models == {}, "a model without this run's scaler is not noted"
    note_models(trial, files, catalog)
    assert trial.models == {
        "logistic": {
            "scaler": str(files["scaler"]),
            "state_dict": str(files["logistic.model_state_dict"]),
            "model_params": {"kind": "logistic", "hidden_units": 10, "seed": 3},
        }
    }


def test_each_model_trained_with_the_runs_scaler_is_registered(run, store):
    pipeline, catalog = run
    files = saved_files(pipeline.all_outputs(), catalog)
    with mlflow.start_run(experiment_id=store.experiment_id) as active:
        log_models({k: v for k, v in files.items() if k != "scaler"}, catalog, "p")
        log_models(files, catalog, "p")
    (version,) = store.client.search_model_versions()
    assert (version.name, version.version, version.run_id) == (
        "p-logistic",
        1,
        active.info.run_id,
    )
    model = mlflow.pyfunc.load_model(f"models:/p-logistic/{version.version}")
    assert model.metadata.get_input_schema().input_names() == ["x1", "x2"]
    assert model.metadata.get_output_schema().input_names() == ["probability"]
