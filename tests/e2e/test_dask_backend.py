"""The Dask backend through Kedro sessions: exact on one partition (on the run's own
local cluster, figures included), the same counts as pandas on many, and parquet folders
in and out (on a scheduler started by hand)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
import torch

from moons_classifier.metrics import areas_under_curves, threshold_metrics
from moons_classifier.params import LoaderParams, ModelParams, TrainingParams
from moons_classifier.pipelines.evaluation.nodes import predict_probabilities
from moons_classifier.pipelines.training.nodes import (
    build_loaders,
    build_model,
    train_model,
)
from tests.support.helpers import dask_cluster_by_hand, probabilities
from tests.support.projects import copy_project, run_kedro

PIPELINES = ["data_processing", "training", "evaluation"]
MODELS = ("logistic", "mlp")
ARTIFACTS = ("06_models/scaler.json", "07_model_output/logistic/loss_history.csv")
# Many partitions shuffle differently from one table: after MANY_EPOCHS the logistic
# weights of the two backends agree within this (measured: about 0.01).
WEIGHT_TOLERANCE = 0.05
MANY = {"n_samples": 1200, "partition_rows": 300}
MANY_EPOCHS = 30
# The Dask backend's tables between nodes, written only with persist_intermediates.
INTERMEDIATES = (
    "01_raw/moons.parquet",
    "02_intermediate/train_split.parquet",
    "05_model_input/train_features.parquet",
    "05_model_input/validation_features.parquet",
)
INFERENCE_CATALOG = """
inference_input:
  type: moons_classifier.datasets.TableDataset
  filepath: {data}/01_raw/new_points
"{{namespace}}.inference_predictions":
  type: moons_classifier.datasets.TableDataset
  filepath: {data}/07_model_output/{{namespace}}/inference_predictions.parquet
"""


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a ``dask scheduler`` with one ``dask worker``, started by hand on
    127.0.0.1 and shared by this module's runs (the worker keeps its imports)."""
    with dask_cluster_by_hand(tmp_path_factory.mktemp("dask"), workers=1) as address:
        yield address


def dask_run(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    pipelines: list[str] = PIPELINES,
    **groups: dict,
) -> None:
    """``kedro run`` of ``pipelines`` on the Dask backend, one local worker by default."""
    data = groups.pop("data", {})
    dask = {"workers": 1, **groups.pop("dask", {})}
    run_kedro(
        project,
        monkeypatch,
        pipeline_names=pipelines,
        runtime_params={"data": {"backend": "dask", **data}, "dask": dask, **groups},
    )


def metrics_of(project: Path, latest: Callable, model: str) -> dict:
    """A model's newest metrics."""
    return json.loads(latest(project, f"08_reporting/{model}/metrics.json").read_text())


def test_one_partition_gives_the_pandas_runs_results_exactly(
    default_run: Path, project: Path, monkeypatch: pytest.MonkeyPatch, latest
):
    dask_run(project, monkeypatch, [*PIPELINES, "reporting"])
    figures = sorted(p.name for p in (project / "data/08_reporting").rglob("*.png"))
    expected = sorted(
        p.name for p in (default_run / "data/08_reporting").rglob("*.png")
    )
    assert figures == expected
    for relative in ARTIFACTS:
        pandas_path = default_run / "data" / relative
        dask_path = project / "data" / relative
        if not pandas_path.is_file():
            pandas_path, dask_path = (
                latest(default_run, relative),
                latest(project, relative),
            )
        assert dask_path.read_bytes() == pandas_path.read_bytes(), relative
    for model in MODELS:
        relative = f"06_models/{model}/model.pt"
        expected = torch.load(latest(default_run, relative), weights_only=True)
        got = torch.load(latest(project, relative), weights_only=True)
        assert all(torch.equal(got[k], expected[k]) for k in expected)
        metrics = metrics_of(project, latest, model)
        bounds = metrics.pop("auc_error_bounds")
        assert bounds["model"] == {"auroc": 0.0, "aupr": 0.0}
        assert metrics == metrics_of(default_run, latest, model)


def test_fused_tables_give_the_persisted_tables_metrics_and_write_none_of_them(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, latest, scheduler
):
    persisted = copy_project(tmp_path / "persisted")
    dask_run(project, monkeypatch, data=MANY, dask={"scheduler": scheduler})
    dask_run(
        persisted,
        monkeypatch,
        data=MANY,
        dask={"scheduler": scheduler},
        persist_intermediates=True,
    )
    written = [f"08_reporting/{model}/metrics.json" for model in MODELS]
    for relative in (*ARTIFACTS, *written):
        fused, kept = project / "data" / relative, persisted / "data" / relative
        if not fused.is_file():
            fused, kept = latest(project, relative), latest(persisted, relative)
        assert fused.read_bytes() == kept.read_bytes(), relative
    for table in INTERMEDIATES:
        assert not (project / "data" / table).exists(), table
        folder = persisted / "data" / table
        assert len(list(folder.glob("*.parquet"))) == 4, table  # noqa: PLR2004


def pandas_table(folder: Path) -> pd.DataFrame:
    """A partitioned parquet folder as one pandas table, partitions in order."""
    return dd.read_parquet(folder).compute().reset_index(drop=True)


def test_many_partitions_on_a_scheduler_started_by_hand_match_pandas_on_the_same_rows(
    project: Path, monkeypatch: pytest.MonkeyPatch, latest, scheduler: str
):
    dask_run(
        project,
        monkeypatch,
        data=MANY,
        dask={"scheduler": scheduler},
        training={"n_epochs": MANY_EPOCHS},
        persist_intermediates=True,
    )
    inputs = project / "data/05_model_input"
    train = pandas_table(inputs / "train_features.parquet")
    val = pandas_table(inputs / "validation_features.parquet")
    assert len(list((inputs / "train_features.parquet").glob("*.parquet"))) == 4  # noqa: PLR2004
    metrics = metrics_of(project, latest, "logistic")
    assert (metrics["n_train"], metrics["n_val"]) == (len(train), len(val))

    # The pandas trainer on the same rows lands near the streamed weights.
    model_params = ModelParams()
    loaders = build_loaders(train, val, LoaderParams())
    weights, _ = train_model(
        build_model(train, model_params),
        *loaders,
        TrainingParams(n_epochs=MANY_EPOCHS),
        model_params,
    )
    streamed = torch.load(
        latest(project, "06_models/logistic/model.pt"), weights_only=True
    )
    for name, value in weights.items():
        torch.testing.assert_close(streamed[name], value, atol=WEIGHT_TOLERANCE, rtol=0)

    # The streamed model's counts equal pandas' on the same rows; AUCs within the bound.
    scored = predict_probabilities(streamed, val, model_params)
    labels, probabilities = scored["y"].to_numpy(), scored["probability"].to_numpy()
    for threshold, values in metrics["thresholds"].items():
        expected = threshold_metrics(labels, probabilities, float(threshold))
        assert values == expected
    exact = areas_under_curves(labels, probabilities)
    bounds = metrics["auc_error_bounds"]["model"]
    for key in ("auroc", "aupr"):
        assert abs(metrics[key] - exact[key]) <= bounds[key]
    threshold = metrics["selected_threshold"]["threshold"]
    assert metrics["selected_threshold"]["metrics"] == threshold_metrics(
        labels, probabilities, threshold
    )


def test_a_parquet_folder_is_a_table_source(
    project: Path, monkeypatch: pytest.MonkeyPatch, latest, scheduler: str
):
    table = pd.read_csv(project / "data/01_raw/breast_cancer.csv")
    folder = project / "data/01_raw/breast_cancer"
    dd.from_pandas(table, npartitions=3).to_parquet(folder, write_index=False)
    (project / "conf/local/catalog.yml").write_text(
        f"source_table:\n  type: dask.ParquetDataset\n  filepath: {folder.as_posix()}\n"
    )
    dask_run(
        project,
        monkeypatch,
        data={"source": "table"},
        dask={"scheduler": scheduler},
        training={"n_epochs": 3},
        persist_intermediates=True,
    )
    features = project / "data/05_model_input/train_features.parquet"
    assert len(list(features.glob("*.parquet"))) == 3  # noqa: PLR2004
    metrics = metrics_of(project, latest, "logistic")
    assert metrics["n_train"] + metrics["n_val"] == len(table)
    assert np.isfinite([metrics["auroc"], metrics["aupr"]]).all()

    # Inference scores a parquet folder into a parquet folder, partition by partition.
    points = table.drop(columns="target").iloc[:100]
    dd.from_pandas(points, npartitions=2).to_parquet(
        project / "data/01_raw/new_points", write_index=False
    )
    (project / "conf/local/catalog.yml").write_text(
        (project / "conf/local/catalog.yml").read_text()
        + INFERENCE_CATALOG.format(data=(project / "data").as_posix())
    )
    run_kedro(
        project,
        monkeypatch,
        pipeline_names=["inference"],
        runtime_params={"data": {"source": "table"}, "dask": {"scheduler": scheduler}},
    )
    scored = project / "data/07_model_output/logistic/inference_predictions.parquet"
    assert len(list(scored.glob("*.parquet"))) == 2  # noqa: PLR2004
    got = pandas_table(scored)
    state = torch.load(
        latest(project, "06_models/logistic/model.pt"), weights_only=True
    )
    scaler = json.loads(latest(project, "06_models/scaler.json").read_text())
    np.testing.assert_allclose(
        got["probability"], probabilities(state, scaler, points), rtol=1e-5, atol=1e-6
    )
    pd.testing.assert_frame_equal(got[points.columns], points)
