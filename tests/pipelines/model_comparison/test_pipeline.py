"""The model-comparison pipeline run over in-memory datasets."""

from __future__ import annotations

import pandas as pd
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from moons_classifier.params import EvaluationParams
from moons_classifier.pipelines.model_comparison import create_pipeline


def test_pipeline_compares_the_namespaced_models():
    predictions = pd.DataFrame({"y": [0, 1, 0, 1], "probability": [0.2, 0.7, 0.4, 0.9]})
    datasets = {"params:evaluation": EvaluationParams()}
    for namespace, auroc in (("logistic", 0.98), ("mlp", 0.99)):
        datasets[f"{namespace}.validation_predictions"] = predictions
        datasets[f"{namespace}.metrics"] = {
            "auroc": auroc,
            "aupr": 0.97,
            "final_train_loss": 0.36,
            "final_val_loss": 0.23,
            "selected_threshold": {"threshold": 0.68},
        }
    catalog = DataCatalog(
        {name: MemoryDataset(data) for name, data in datasets.items()}
    )

    outputs = SequentialRunner().run(create_pipeline(), catalog)

    assert set(outputs) == {"model_comparison", "model_comparison_figure"}
    table = catalog.load("model_comparison")
    assert {model: row["auroc"] for model, row in table.items()} == {
        "logistic": 0.98,
        "mlp": 0.99,
    }
    assert table["mlp"]["selected_threshold"] == 0.68  # noqa: PLR2004
    figure = catalog.load("model_comparison_figure")
    assert isinstance(figure, Figure)
    assert [line.get_label() for line in figure.axes[0].get_lines()] == [
        "logistic",
        "mlp",
    ]
