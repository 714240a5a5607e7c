"""The namespaced training pipeline run over in-memory datasets."""

from __future__ import annotations

import pandas as pd
import torch
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from moons_classifier.params import LoaderParams, ModelParams, TrainingParams
from moons_classifier.pipelines import MODEL_NAMESPACES
from moons_classifier.pipelines.training import create_pipeline
from tests.support.book_reference import run_book


def test_pipeline_trains_one_model_per_namespace():
    book = run_book()
    frames = {
        name: pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "y": y})
        for name, x, y in (
            ("train_features", book.x_train, book.y_train),
            ("validation_features", book.x_val, book.y_val),
        )
    }
    datasets = {name: MemoryDataset(data) for name, data in frames.items()}
    datasets |= {
        "params:loaders": MemoryDataset(LoaderParams()),
        "params:training": MemoryDataset(TrainingParams(device="cpu")),
        "params:logistic.model": MemoryDataset(ModelParams()),
        "params:mlp.model": MemoryDataset(ModelParams(kind="mlp", hidden_units=4)),
    }
    for namespace in MODEL_NAMESPACES:
        for name in ("train_loader", "validation_loader", "initial_model"):
            datasets[f"{namespace}.{name}"] = MemoryDataset(copy_mode="assign")
    catalog = DataCatalog(datasets)

    outputs = SequentialRunner().run(create_pipeline(), catalog)

    assert set(outputs) == {
        f"{namespace}.{name}"
        for namespace in MODEL_NAMESPACES
        for name in ("model_state_dict", "loss_history")
    }
    logistic = catalog.load("logistic.model_state_dict")
    for name, tensor in book.state_dict.items():
        assert torch.equal(logistic[name], tensor)
    history = catalog.load("logistic.loss_history")
    assert history["train_loss"].tolist() == book.train_losses
    assert history["val_loss"].tolist() == book.val_losses

    mlp = catalog.load("mlp.model_state_dict")
    assert {name: tuple(t.shape) for name, t in mlp.items()} == {
        "hidden.weight": (4, 2),
        "hidden.bias": (4,),
        "output.weight": (1, 4),
        "output.bias": (1,),
    }
    mlp_history = catalog.load("mlp.loss_history")
    assert len(mlp_history) == 100  # noqa: PLR2004
    assert mlp_history["train_loss"].iloc[-1] < mlp_history["train_loss"].iloc[0]
