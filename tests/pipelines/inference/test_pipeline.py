"""The inference pipeline run over in-memory datasets, and over a catalog whose input
carries the shipped validator."""

from __future__ import annotations

from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.io.core import DatasetError
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
from moons_classifier.schemas import TableError
from tests.support.helpers import metrics_at
from tests.support.projects import shipped_validator


def artifacts(threshold: float | None) -> dict[str, object]:
    """The scaler, both models' weights and metrics, and the parameters."""
    train, _ = split_data(generate_moons(DataParams()), SplitParams())
    mlp = ModelParams(kind="mlp", hidden_units=3)
    return {
        "scaler": fit_scaler(train),
        "params:inference": InferenceParams(threshold=threshold),
        "params:logistic.model": ModelParams(),
        "params:mlp.model": mlp,
        "logistic.model_state_dict": build_model(2, ModelParams()).state_dict(),
        "mlp.model_state_dict": build_model(2, mlp).state_dict(),
        "logistic_metrics": metrics_at(threshold=0.4),
        "mlp_metrics": metrics_at(threshold=0.6),
    }


def catalog_for(points: pd.DataFrame, threshold: float | None) -> DataCatalog:
    datasets = {"inference_input": points, **artifacts(threshold)}
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


def validated_catalog(points: dict, predictions: dict) -> DataCatalog:
    """The entries ``points`` of the input, with the shipped validator, and
    ``predictions`` of each model's predictions; the artifacts in memory."""
    catalog = DataCatalog.from_config(
        {
            "inference_input": {
                **points,
                "validator": shipped_validator("inference_input"),
            },
            "{namespace}.inference_predictions": predictions,
        }
    )
    for name, data in artifacts(threshold=0.5).items():
        catalog[name] = data
    return catalog


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param(
            "x1,x2\n0.1,0.2\n,0.4\n",
            ["Column 'x1' holds nan (missing, NaN or infinite) in data row 2"],
            id="NaN",
        ),
        pytest.param(
            "x1,x2\n0.1,0.2\n0.3,-inf\n",
            ["Column 'x2' holds -inf (missing, NaN or infinite) in data row 2"],
            id="inf",
        ),
        pytest.param(
            "x1,x2\n0.1,0.2\n0.3,abc\n",
            ["Column 'x2' holds the non-numeric value 'abc' in data row 2"],
            id="string",
        ),
        pytest.param(
            "id,x1\n1,0.5\n",
            ["lacks the column(s) ['x2']; it has ['id', 'x1'], and needs ['x1', 'x2']"],
            id="missing-column",
        ),
        pytest.param(
            "x1,x2,threshold\n0.1,0.2,0.5\n",
            ["has a column the predictions write", "Rename or drop it in the input"],
            id="output-column",
        ),
        pytest.param("x1,x2\n", ["has no rows"], id="header-only"),
    ],
)
def test_the_inputs_validator_refuses_a_bad_csv_and_nothing_is_written(
    tmp_path: Path, text: str, fragments: list[str]
):
    source = tmp_path / "points.csv"
    source.write_text(text)
    catalog = validated_catalog(
        {"type": "pandas.CSVDataset", "filepath": str(source)},
        {
            "type": "pandas.CSVDataset",
            "filepath": f"{tmp_path}/out/{{namespace}}/inference_predictions.csv",
        },
    )
    with pytest.raises(TableError) as refused:
        SequentialRunner().run(create_pipeline(), catalog)
    message = str(refused.value)
    assert message.startswith("Validation failed for dataset 'inference_input' on load")
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"{missing} not in: {message}"
    assert not (tmp_path / "out").exists()


def test_a_dask_input_is_refused_naming_the_partition_whose_row_is_bad(tmp_path):
    points = pd.DataFrame({"x1": np.linspace(-2, 2, 12), "x2": np.linspace(1, -1, 12)})
    points.loc[5, "x2"] = np.inf  # row 2 of the second of three partitions of 4
    folder = tmp_path / "points"
    dd.from_pandas(points, npartitions=3).to_parquet(folder, write_index=False)
    table = "moons_classifier.datasets.TableDataset"
    catalog = validated_catalog(
        {"type": table, "filepath": str(folder)},
        {
            "type": table,
            "filepath": f"{tmp_path}/out/{{namespace}}/inference_predictions.parquet",
        },
    )
    with (
        dask.config.set(scheduler="synchronous"),
        pytest.raises(DatasetError) as refused,
    ):
        SequentialRunner().run(create_pipeline(), catalog)
    assert (
        "Column 'x2' holds inf (missing, NaN or infinite) in data row 2 of partition 1, "
        f"file {folder / 'part.1.parquet'} (1 row in that partition)"
    ) in str(refused.value)
    # Validated as it is read, the bad partition is never written (those before it may be).
    assert not list((tmp_path / "out").rglob("part.1.parquet"))


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
