"""The reporting pipeline over in-memory datasets, and runs that leave it out or need it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from moons_classifier.models import build_model
from moons_classifier.params import EvaluationParams, ModelParams, ReportingParams
from moons_classifier.pipelines import MODEL_NAMESPACES
from moons_classifier.pipelines.evaluation.nodes import predict_probabilities
from moons_classifier.pipelines.reporting import create_pipeline
from tests.pipelines.evaluation.chapter import chapter
from tests.pipelines.reporting.figures import PER_MODEL, SHARED
from tests.support.projects import run_kedro


def test_pipeline_draws_every_figure_per_namespace():
    run = chapter()
    mlp = ModelParams(kind="mlp", hidden_units=3)
    mlp_state = build_model(2, mlp).state_dict()
    datasets = {
        "train_features": run.train,
        "validation_features": run.val,
        "params:evaluation": EvaluationParams(),
        "params:reporting": ReportingParams(grid_resolution=11),
        "params:logistic.model": ModelParams(),
        "params:mlp.model": mlp,
        "logistic.model_state_dict": run.state_dict,
        "mlp.model_state_dict": mlp_state,
        "logistic.loss_history": run.history,
        "mlp.loss_history": run.history,
        "logistic_validation_predictions": run.predictions,
        "mlp_validation_predictions": predict_probabilities(mlp_state, run.val, mlp),
        "logistic_metrics": run.metrics,
        "mlp_metrics": run.metrics,
    }
    catalog = DataCatalog(
        {name: MemoryDataset(data) for name, data in datasets.items()}
    )
    pipeline = create_pipeline()
    for name in pipeline.outputs():  # figures are handed on, not deep-copied
        catalog[name] = MemoryDataset(copy_mode="assign")

    outputs = SequentialRunner().run(pipeline, catalog)

    expected = {f"{figure}_figure" for figure in SHARED} | {
        f"{namespace}.{figure}_figure"
        for namespace in MODEL_NAMESPACES
        for figure in PER_MODEL
    }
    assert set(outputs) == expected
    assert all(isinstance(outputs[name].load(), Figure) for name in expected)
    quirk = outputs["logistic.precision_quirk_figure"].load()
    assert quirk.axes[1].get_title() == "threshold 0.5: precision 10/12 = 0.8333"


def test_the_grid_is_predicted_once_per_model_for_every_figure_that_draws_it():
    pipeline = create_pipeline()
    for namespace in MODEL_NAMESPACES:
        grid = f"{namespace}.decision_grid"
        (producer,) = pipeline.only_nodes_with_outputs(grid).nodes
        assert producer.name == f"{namespace}.predict_decision_grid"
        assert {node.name for node in pipeline.only_nodes_with_inputs(grid).nodes} == {
            f"{namespace}.plot_train_decision_surface",
            f"{namespace}.plot_validation_decision_surface",
            f"{namespace}.plot_probability_lines",
        }
    assert {tag for node in pipeline.nodes for tag in node.tags} == {
        "reporting",
        *MODEL_NAMESPACES,
    }


def test_metrics_without_reporting_write_no_figure(project, monkeypatch, latest):
    run_kedro(
        project,
        monkeypatch,
        pipeline_names=["data_processing", "training", "evaluation"],
    )
    for namespace in MODEL_NAMESPACES:
        metrics = json.loads(
            latest(project, f"08_reporting/{namespace}/metrics.json").read_text()
        )
        assert metrics["n_val"] == 20  # noqa: PLR2004
    comparison = json.loads(
        latest(project, "08_reporting/model_comparison.json").read_text()
    )
    assert set(comparison) == set(MODEL_NAMESPACES)
    assert not list((project / "data").rglob("*.png"))


def test_a_one_feature_table_runs_end_to_end(
    project: Path, monkeypatch, latest: Callable[[Path, str], Path]
):
    run_kedro(
        project,
        monkeypatch,
        runtime_params={
            "data": {"source": "table", "feature_columns": ["mean_radius"]},
            "training": {"n_epochs": 2},
        },
    )
    for figure in SHARED:
        assert latest(project, f"08_reporting/{figure}.png").read_bytes()[:4] == (
            b"\x89PNG"
        )
    for figure in PER_MODEL:
        assert latest(project, f"08_reporting/mlp/{figure}.png").read_bytes()[:4] == (
            b"\x89PNG"
        )
