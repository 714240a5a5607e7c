"""The evaluation pipeline run over in-memory datasets."""

from __future__ import annotations

import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner

from moons_classifier.models import build_model
from moons_classifier.params import EvaluationParams, ModelParams
from moons_classifier.pipelines.evaluation import create_pipeline
from tests.pipelines.evaluation.chapter import AUPR, AUROC, chapter


def run(pipeline: Pipeline, with_test: bool = False) -> DataCatalog:
    """Run ``pipeline`` on the chapter's model and an untrained MLP; the catalog after.

    ``with_test`` scores the validation split again as the test split; else it is empty.
    """
    run = chapter()
    mlp = ModelParams(kind="mlp", hidden_units=3)
    datasets = {
        "train_features": run.train,
        "validation_features": run.val,
        "test_features": run.val if with_test else run.val.iloc[:0],
        "params:evaluation": EvaluationParams(),
        "params:logistic.model": ModelParams(),
        "params:mlp.model": mlp,
        "logistic.model_state_dict": run.state_dict,
        "mlp.model_state_dict": build_model(2, mlp).state_dict(),
        "logistic.loss_history": run.history,
        "mlp.loss_history": run.history,
    }
    catalog = DataCatalog(
        {name: MemoryDataset(data) for name, data in datasets.items()}
    )
    SequentialRunner().run(pipeline, catalog)
    return catalog


def test_pipeline_computes_the_chapters_metrics_per_namespace():
    catalog = run(create_pipeline().to_outputs("logistic_metrics", "mlp_metrics"))
    logistic = catalog.load("logistic_metrics").document()
    assert logistic["auroc"] == pytest.approx(AUROC, abs=1e-12)
    assert logistic["aupr"] == pytest.approx(AUPR, abs=1e-12)
    assert logistic["thresholds"]["0.5"]["confusion_matrix"] == [[7, 2], [1, 10]]
    mlp = catalog.load("mlp_metrics").document()
    assert mlp["n_val"] == 20  # noqa: PLR2004
    assert mlp["auroc"] != logistic["auroc"]


def test_pipeline_compares_the_models_and_draws_nothing():
    pipeline = create_pipeline()
    assert "model_comparison" in pipeline.outputs()
    assert not [name for name in pipeline.all_outputs() if name.endswith("_figure")]
    table = run(pipeline).load("model_comparison")
    assert set(table) == {"logistic", "mlp"}
    assert table["logistic"]["auroc"] == pytest.approx(AUROC, abs=1e-12)


def test_test_metrics_carry_bootstrap_intervals_and_are_empty_without_a_test_split():
    pipeline = create_pipeline().to_outputs("logistic.test_metrics")
    assert run(pipeline).load("logistic.test_metrics") == {"n_test": 0}
    first, second = (run(pipeline, with_test=True) for _ in range(2))
    test = first.load("logistic.test_metrics")
    assert test == second.load("logistic.test_metrics")  # seeded
    pipeline = create_pipeline().to_outputs("logistic_metrics")
    metrics = run(pipeline).load("logistic_metrics").document()
    assert test["n_test"] == 20  # noqa: PLR2004
    assert test["selected_threshold"] == metrics["selected_threshold"]["threshold"]
    assert test["auroc"]["value"] == pytest.approx(AUROC, abs=1e-12)
    for key in ("auroc", "aupr", "precision", "recall", "f1", "accuracy"):
        assert test[key]["low"] <= test[key]["value"] <= test[key]["high"], key
