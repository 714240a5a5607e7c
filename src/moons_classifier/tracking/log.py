"""What a Kedro run logs to its MLflow run besides kedro-mlflow's parameters and tags."""

from __future__ import annotations

import shutil
import time
from importlib.metadata import version
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import mlflow
import pandas as pd
from kedro.io import DataCatalog
from kedro.io.core import AbstractVersionedDataset
from kedro.pipeline import Pipeline
from mlflow.entities import Metric
from mlflow.models import ModelSignature
from mlflow.models.model import ModelInfo
from mlflow.types import ColSpec, Schema

from moons_classifier.catalog_names import (
    LOSS_HISTORY,
    MODEL_NAMESPACES,
    SCALER,
    STATE_DICT,
    metrics_name,
    model_of,
    namespace_of,
)
from moons_classifier.datasets import StandardScalerDataset
from moons_classifier.dotted import flatten
from moons_classifier.params import ModelParams
from moons_classifier.tracking.nesting import TrialRun

MODEL_CODE = Path(__file__).with_name("pyfunc_model.py")
# The project's package, logged with each model: it loads where the project is not installed.
PACKAGE = Path(__file__).parents[1]
# What the logged model and the package's modules it imports need, pinned as installed.
MODEL_REQUIREMENTS = (
    "torch",
    "scikit-learn",
    "pandas",
    "numpy",
    "pydantic",
    "kedro",
    "kedro-datasets",
    "fsspec",
    "pandera",
)


def numeric_leaves(tree: Any, prefix: str) -> dict[str, float]:
    """The numeric leaves of ``tree`` (no nulls, strings or booleans), as MLflow metrics."""
    return {
        key: float(leaf)
        for key, leaf in flatten(tree, prefix, lists=True).items()
        if isinstance(leaf, int | float) and not isinstance(leaf, bool)
    }


def saved_files(names: set[str], catalog: DataCatalog) -> dict[str, Path]:
    """Each versioned dataset of ``names`` and the local file this run saved for it."""
    files = {}
    for name in sorted(names):
        dataset = catalog.get(name)
        if not isinstance(dataset, AbstractVersionedDataset) or not dataset._version:
            continue
        path = Path(dataset._get_versioned_path(dataset.resolve_save_version()))
        if path.is_file():
            files[name] = path
    return files


def log_artifacts(run_id: str, files: dict[str, Path]) -> None:
    """Log each file under its dataset's namespace (``logistic/metrics.json``)."""
    client = mlflow.MlflowClient()
    for name, path in files.items():
        client.log_artifact(run_id, str(path), model_of(name))


def log_loss_histories(pipeline: Pipeline, catalog: DataCatalog) -> None:
    """Log each ``<namespace>.loss_history`` as one metric history per loss, by epoch."""
    timestamp = int(time.time() * 1000)
    metrics = [
        Metric(f"{namespace}.{column}", float(value), timestamp, int(epoch))
        for name in sorted(pipeline.all_outputs())
        for namespace in [namespace_of(name, LOSS_HISTORY)]
        if namespace
        for table in [catalog.load(name)]
        for column in table.columns.drop("epoch")
        for epoch, value in zip(table["epoch"], table[column], strict=True)
    ]
    mlflow.MlflowClient().log_batch(mlflow.active_run().info.run_id, metrics=metrics)


def log_final_metrics(pipeline: Pipeline, catalog: DataCatalog) -> None:
    """Log the numeric leaves of each ``<namespace>_metrics`` under its namespace."""
    outputs = pipeline.all_outputs()
    for namespace in MODEL_NAMESPACES:
        name = metrics_name(namespace)
        if name in outputs:
            metrics = catalog.load(name).document()
            mlflow.log_metrics(numeric_leaves(metrics, namespace))


def log_models(files: dict[str, Path], catalog: DataCatalog, prefix: str) -> None:
    """Log and register, as ``<prefix>-<namespace>``, each model trained with this run's scaler."""
    if SCALER not in files:
        return
    for name, path in files.items():
        if namespace := namespace_of(name, STATE_DICT):
            log_model(
                namespace,
                files[SCALER],
                path,
                catalog.load(f"params:{namespace}.model"),
                f"{prefix}-{namespace}",
            )


def log_model(
    namespace: str,
    scaler_path: Path,
    state_dict_path: Path,
    model_params: ModelParams,
    registered_name: str,
) -> ModelInfo:
    """Log the scaler and network as one pyfunc model from code, and register it."""
    scaler = StandardScalerDataset(filepath=str(scaler_path)).load()
    columns = list(scaler.feature_names_in_)
    with TemporaryDirectory() as folder:
        params_path = Path(folder) / "model_params.json"
        params_path.write_text(model_params.model_dump_json())
        code = Path(folder) / PACKAGE.name
        shutil.copytree(PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
        return _log_pyfunc_model(
            namespace,
            {
                "scaler": str(scaler_path),
                "state_dict": str(state_dict_path),
                "model_params": str(params_path),
            },
            columns,
            pd.DataFrame([scaler.mean_], columns=columns),  # the mean point
            registered_name,
            code,
        )


def _log_pyfunc_model(
    namespace: str,
    artifacts: dict[str, str],
    columns: list[str],
    input_example: pd.DataFrame,
    registered_name: str,
    code: Path,
) -> ModelInfo:
    """``mlflow.pyfunc.log_model`` for ``pyfunc_model.py``, with signature, pinned
    requirements and the project's package as code."""
    return mlflow.pyfunc.log_model(
        name=f"{namespace}_model",
        python_model=str(MODEL_CODE),
        artifacts=artifacts,
        signature=ModelSignature(
            inputs=Schema([ColSpec("double", column) for column in columns]),
            outputs=Schema([ColSpec("double", "probability")]),
        ),
        input_example=input_example,
        pip_requirements=[f"{name}=={version(name)}" for name in MODEL_REQUIREMENTS],
        code_paths=[str(code)],
        registered_model_name=registered_name,
    )


def note_models(trial: TrialRun, files: dict[str, Path], catalog: DataCatalog) -> None:
    """Note in ``trial`` each model it trained: its scaler, state_dict and parameters."""
    for name, path in files.items():
        namespace = namespace_of(name, STATE_DICT)
        if namespace and SCALER in files:
            trial.models[namespace] = {
                "scaler": str(files[SCALER]),
                "state_dict": str(path),
                "model_params": catalog.load(f"params:{namespace}.model").model_dump(
                    mode="json"
                ),
            }
