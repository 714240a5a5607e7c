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


def run(pipeline: Pipeline) -> DataCatalog:
    """Run ``pipeline`` on the chapter's model and an untrained MLP; the catalog after."""
    run = chapter()
    mlp = ModelParams(kind="mlp", hidden_units=3)
    datasets = {
        "train_features": run.train,
        "validation_features": run.val,
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
    catalog = run(create_pipeline().to_outputs("logistic.metrics", "mlp.metrics"))
    logistic = catalog.load("logistic.metrics")
    assert logistic["auroc"] == pytest.approx(AUROC, abs=1e-12)
    assert logistic["aupr"] == pytest.approx(AUPR, abs=1e-12)
    assert logistic["thresholds"]["0.5"]["confusion_matrix"] == [[7, 2], [1, 10]]
    mlp = catalog.load("mlp.metrics")
    assert mlp["n_val"] == 20  # noqa: PLR2004
    assert mlp["auroc"] != logistic["auroc"]


def test_pipeline_compares_the_models_and_draws_nothing():
    pipeline = create_pipeline()
    assert "model_comparison" in pipeline.outputs()
    assert not [name for name in pipeline.all_outputs() if name.endswith("_figure")]
    table = run(pipeline).load("model_comparison")
    assert set(table) == {"logistic", "mlp"}
    assert table["logistic"]["auroc"] == pytest.approx(AUROC, abs=1e-12)
