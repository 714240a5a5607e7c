"""The inference pipeline run over in-memory datasets."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from moons_classifier.models import build_model
from moons_classifier.params import (
    DataParams,
    InferenceParams,
    ModelParams,
    SplitParams,
)
from moons_classifier.partitions import is_dask
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    split_data,
)
from moons_classifier.pipelines.inference import create_pipeline
from tests.support.helpers import metrics_at


def catalog_for(points: pd.DataFrame, threshold: float | None) -> DataCatalog:
    train, _ = split_data(generate_moons(DataParams()), SplitParams())
    mlp = ModelParams(kind="mlp", hidden_units=3)
    datasets = {
        "inference_input": points,
        "scaler": fit_scaler(train),
        "params:inference": InferenceParams(threshold=threshold),
        "params:logistic.model": ModelParams(),
        "params:mlp.model": mlp,
        "logistic.model_state_dict": build_model(2, ModelParams()).state_dict(),
        "mlp.model_state_dict": build_model(2, mlp).state_dict(),
        "logistic_metrics": metrics_at(threshold=0.4),
        "mlp_metrics": metrics_at(threshold=0.6),
    }
    return DataCatalog({name: MemoryDataset(data) for name, data in datasets.items()})


def test_pipeline_scores_the_input_with_every_model():
    points = pd.DataFrame(
        {"x2": [0.3, -0.5, 1.0], "x1": [1.5, 0.0, -1.0], "note": list("abc")}
    )
    catalog = catalog_for(points, threshold=None)

    outputs = SequentialRunner().run(create_pipeline(), catalog)

    assert set(outputs) == {
        "logistic.inference_predictions",
        "mlp.inference_predictions",
    }
    for namespace, threshold in (("logistic", 0.4), ("mlp", 0.6)):
        scored = catalog.load(f"{namespace}.inference_predictions")
        pd.testing.assert_frame_equal(scored[["x2", "x1", "note"]], points)
        assert scored["threshold"].tolist() == [threshold] * 3
        probability = scored["probability"].to_numpy()
        assert ((probability > 0) & (probability < 1)).all()
        np.testing.assert_array_equal(
            scored["predicted_class"], probability >= threshold
        )
    logistic = catalog.load("logistic.inference_predictions")["probability"]
    mlp = catalog.load("mlp.inference_predictions")["probability"]
    assert not np.allclose(logistic, mlp)


def test_pipeline_refuses_bad_input_before_scoring():
    points = pd.DataFrame({"x1": [0.0, 1.0], "x2": [0.5, np.nan]})
    with pytest.raises(ValueError, match="Column 'x2' holds nan .* data row 2"):
        SequentialRunner().run(create_pipeline(), catalog_for(points, threshold=0.5))


def test_pipeline_scores_a_dask_input_partition_by_partition():
    points = pd.DataFrame({"x1": np.linspace(-2, 2, 12), "x2": np.linspace(1, -1, 12)})
    pandas_catalog, dask_catalog = (catalog_for(points, None) for _ in range(2))
    dask_catalog["inference_input"] = MemoryDataset(
        dd.from_pandas(points, npartitions=3, sort=False), copy_mode="assign"
    )

    with dask.config.set(scheduler="synchronous"):
        for catalog in (pandas_catalog, dask_catalog):
            SequentialRunner().run(create_pipeline(), catalog)
        for namespace in ("logistic", "mlp"):
            name = f"{namespace}.inference_predictions"
            scored = dask_catalog.load(name)
            assert is_dask(scored)
            assert scored.npartitions == 3  # noqa: PLR2004
            pd.testing.assert_frame_equal(
                scored.compute().reset_index(drop=True), pandas_catalog.load(name)
            )
