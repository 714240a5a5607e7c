"""``tracking/pyfunc_model.py``: the model from code rebuilds the scaler and the network
from plain data artifacts written with the project's datasets, unpickles nothing, and
scores as ``models.scaled_probabilities`` does."""

from __future__ import annotations

import re
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
import torch
from kedro.io.core import DatasetError
from mlflow.exceptions import MlflowException
from mlflow.pyfunc import PythonModelContext
from sklearn.preprocessing import StandardScaler

from moons_classifier.datasets import StandardScalerDataset, TorchStateDictDataset
from moons_classifier.models import build_model, scaled_probabilities
from moons_classifier.params import ModelParams
from moons_classifier.tracking.log import MODEL_CODE
from moons_classifier.tracking.pyfunc_model import ScaledNetwork

FEATURES = ["x1", "x2", "x3"]


@pytest.fixture
def points() -> pd.DataFrame:
    """Rows with the model's features (in another order) and a column it ignores."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(2.0, 3.0, size=(40, 3)), columns=FEATURES)
    return table.assign(label=1)[["x3", "label", "x1", "x2"]]


def artifacts(folder: Path, params: ModelParams, points: pd.DataFrame) -> dict:
    """A fitted scaler, a trained network's state_dict and its parameters, written as a
    run writes them; the scaler and network too."""
    scaler = StandardScaler().fit(points[FEATURES])
    network = build_model(len(FEATURES), params).eval()
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():  # trained: weights that only the state_dict holds
        for weights in network.parameters():
            weights.add_(torch.randn(weights.shape, generator=generator))
    paths = {
        "scaler": folder / "scaler.json",
        "state_dict": folder / "model.pt",
        "model_params": folder / "model_params.json",
    }
    StandardScalerDataset(filepath=str(paths["scaler"])).save(scaler)
    TorchStateDictDataset(filepath=str(paths["state_dict"])).save(network.state_dict())
    paths["model_params"].write_text(params.model_dump_json())
    return {
        "paths": {k: str(v) for k, v in paths.items()},
        "scaler": scaler,
        "network": network,
    }


@pytest.mark.parametrize(
    "params",
    [
        ModelParams(kind="logistic", seed=1),
        ModelParams(kind="mlp", hidden_units=5, seed=2),
    ],
    ids=["logistic", "mlp"],
)
def test_the_model_scores_as_the_project_does(tmp_path, points, params):
    written = artifacts(tmp_path, params, points)
    model = ScaledNetwork()
    model.load_context(PythonModelContext(written["paths"], None))
    assert model.features == FEATURES
    predicted = model.predict(None, points)
    assert list(predicted.columns) == ["probability"]
    expected = scaled_probabilities(written["scaler"], written["network"], points)
    assert np.array_equal(predicted["probability"].to_numpy(), expected)
    assert 0 < expected.min() < expected.max() < 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.drop(columns="x2"), "lacks the column(s) ['x2']"),
        (lambda p: p.assign(x1=[0.1, None, 0.3][: len(p)]), "'x1' holds nan"),
        (lambda p: p.assign(x2=np.inf), "Column 'x2' holds inf"),
        (lambda p: p.iloc[:0], "has no rows"),
    ],
    ids=["missing column", "NaN", "inf", "empty"],
)
def test_rows_the_inference_pipeline_refuses_are_a_bad_request(
    tmp_path, points, change, message
):
    written = artifacts(tmp_path, ModelParams(), points)
    model = ScaledNetwork()
    model.load_context(PythonModelContext(written["paths"], None))
    with pytest.raises(MlflowException, match=re.escape(message)) as refused:
        model.predict(None, change(points.iloc[:3]))
    assert refused.value.get_http_status_code() == 400  # noqa: PLR2004


def test_a_state_dict_holding_other_objects_is_refused_not_unpickled(tmp_path, points):
    written = artifacts(tmp_path, ModelParams(), points)
    torch.save({"linear.weight": Path("/not/a/tensor")}, written["paths"]["state_dict"])
    with pytest.raises(DatasetError, match="is not a plain state_dict"):
        ScaledNetwork().load_context(PythonModelContext(written["paths"], None))


def test_mlflow_loads_the_saved_model_from_its_code_and_data_alone(tmp_path, points):
    written = artifacts(tmp_path, ModelParams(kind="mlp", hidden_units=3), points)
    folder = tmp_path / "model"
    mlflow.pyfunc.save_model(
        str(folder),
        python_model=str(MODEL_CODE),
        artifacts=written["paths"],
        pip_requirements=["torch"],
    )
    assert not [p for p in folder.rglob("*") if p.suffix in (".pkl", ".pickle")]
    assert (folder / MODEL_CODE.name).read_text() == MODEL_CODE.read_text()
    loaded = mlflow.pyfunc.load_model(str(folder))
    expected = scaled_probabilities(written["scaler"], written["network"], points)
    predicted = loaded.predict(points)["probability"].to_numpy()
    assert np.array_equal(predicted, expected)
