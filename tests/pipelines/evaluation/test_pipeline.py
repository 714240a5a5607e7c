"""The namespaced evaluation pipeline run over in-memory datasets."""

from __future__ import annotations

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from moons_classifier.models import build_model
from moons_classifier.params import EvaluationParams, ModelParams
from moons_classifier.pipelines import MODEL_NAMESPACES
from moons_classifier.pipelines.evaluation import create_pipeline
from tests.book_reference import BookRun, run_book

FIGURES = (
    "losses",
    "train_decision_surface",
    "validation_decision_surface",
    "probability_lines",
    "tradeoffs",
    "roc_pr_curves",
    "precision_quirk",
    "best_worst_curves",
)


@pytest.fixture(scope="module")
def book() -> BookRun:
    return run_book()


def run(book: BookRun, pipeline: Pipeline) -> tuple[DataCatalog, dict]:
    history = pd.DataFrame(
        {
            "epoch": range(1, 101),
            "train_loss": book.train_losses,
            "val_loss": book.val_losses,
        }
    )
    mlp = ModelParams(kind="mlp", hidden_units=3)
    datasets = {
        "train_features": pd.DataFrame(
            {"x1": book.x_train[:, 0], "x2": book.x_train[:, 1], "y": book.y_train}
        ),
        "validation_features": pd.DataFrame(
            {"x1": book.x_val[:, 0], "x2": book.x_val[:, 1], "y": book.y_val}
        ),
        "params:evaluation": EvaluationParams(grid_resolution=11),
        "params:logistic.model": ModelParams(),
        "params:mlp.model": mlp,
        "logistic.model_state_dict": book.state_dict,
        "mlp.model_state_dict": build_model(2, mlp).state_dict(),
        "logistic.loss_history": history,
        "mlp.loss_history": history,
    }
    catalog = DataCatalog(
        {name: MemoryDataset(data) for name, data in datasets.items()}
    )
    for name in pipeline.outputs():  # figures are handed on, not deep-copied
        catalog[name] = MemoryDataset(copy_mode="assign")
    return catalog, SequentialRunner().run(pipeline, catalog)


def test_pipeline_draws_every_figure_per_namespace(book):
    _, outputs = run(book, create_pipeline())
    expected = {"data_figure"} | {
        f"{namespace}.{figure}_figure"
        for namespace in MODEL_NAMESPACES
        for figure in FIGURES
    }
    assert set(outputs) == expected
    assert all(isinstance(outputs[name].load(), Figure) for name in expected)
    quirk = outputs["logistic.precision_quirk_figure"].load()
    assert quirk.axes[1].get_title() == "threshold 0.5: precision 10/12 = 0.8333"


def test_pipeline_computes_the_chapters_metrics(book):
    pipeline = create_pipeline().to_outputs("logistic.metrics", "mlp.metrics")
    catalog, _ = run(book, pipeline)
    logistic = catalog.load("logistic.metrics")
    assert logistic["auroc"] == pytest.approx(0.9797979797979798, abs=1e-12)
    assert logistic["aupr"] == pytest.approx(0.9854312354312356, abs=1e-12)
    assert logistic["thresholds"]["0.5"]["confusion_matrix"] == [[7, 2], [1, 10]]
    mlp = catalog.load("mlp.metrics")
    assert mlp["n_val"] == 20  # noqa: PLR2004
    assert mlp["auroc"] != logistic["auroc"]
