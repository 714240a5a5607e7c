"""The run checks, one function at a time: good input passes, bad input is refused, named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from kedro.io import DataCatalog, MemoryDataset
from kedro_datasets.pandas import CSVDataset
from pydantic import ValidationError
from sklearn.preprocessing import StandardScaler

from moons_classifier import checks
from moons_classifier.checks import (
    BYTES_PER_ROW,
    available_memory,
    check_backend,
    check_base_location,
    check_dask_installed,
    check_data_size,
    check_device,
    check_parameter_groups,
    check_persisted_metrics,
    check_persisted_models,
    check_saves_dask,
)
from moons_classifier.datasets import MetricsDataset, TableDataset
from moons_classifier.models import build_model
from moons_classifier.params import DataParams, ModelParams, SplitParams
from tests.support.helpers import metrics_at

BASE = {
    "data": {"n_samples": 100},
    "split": {"test_size": 0.2},
    "logistic": {"model": {"kind": "logistic"}},
    "mlp": {"model": {"kind": "mlp"}},
}
GIB = 2**30


@pytest.mark.parametrize(
    "parameters",
    [
        BASE,
        {"data": {"n_samples": 5}, "logistic": {}, "mlp": None},
        {**BASE, "base_location": "/tmp/moons"},
        {**BASE, "base_location": "s3://bucket/moons"},
        {**BASE, "persist_intermediates": True},
    ],
)
def test_known_parameter_groups_pass(parameters):
    check_parameter_groups(parameters, BASE)


@pytest.mark.parametrize(
    ("parameters", "refused"),
    [
        ({**BASE, "trainig": {}}, "Unknown parameter group(s) ['trainig']"),
        (
            {**BASE, "mlp": {"modle": {}}},
            "Unknown parameter group(s) ['mlp.modle']",
        ),
        ({**BASE, "base_location": " "}, "base_location is ' ', not a folder"),
        (
            {**BASE, "persist_intermediates": "yes"},
            "persist_intermediates is 'yes'; give true",
        ),
    ],
)
def test_unknown_parameter_groups_are_refused(parameters, refused):
    with pytest.raises(ValueError, match=re.escape(refused)):
        check_parameter_groups(parameters, BASE)


def test_an_unknown_group_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="typo") as error:
        check_parameter_groups({**BASE, "logistic": {"optimiser": {}}}, BASE)
    assert "The known groups of logistic are ['logistic.model']" in str(error.value)


@pytest.mark.parametrize("location", ["/tmp/moons", Path("/tmp/moons"), "memory://x"])
def test_a_folder_is_a_base_location(location):
    check_base_location(location)


@pytest.mark.parametrize("location", [None, "", "  ", 3, ["/tmp"]])
def test_a_base_location_that_names_no_folder_is_refused(location):
    with pytest.raises(ValueError, match="not a folder"):
        check_base_location(location)


@pytest.mark.parametrize("device", ["cpu", "auto"])
def test_an_available_device_passes(device):
    check_device(device)


def test_a_device_this_machine_lacks_is_refused():
    missing = f"cuda:{torch.cuda.device_count()}"
    with pytest.raises(ValueError, match="is not available on this machine"):
        check_device(missing)


@pytest.mark.parametrize(
    "parameters",
    [{}, {"data": {"backend": "pandas"}}, {"data": {"backend": "dask"}}],
)
def test_a_valid_backend_passes(parameters):
    check_backend(parameters)


def test_invalid_dask_parameters_are_refused_on_any_backend():
    with pytest.raises(ValidationError, match="workers"):
        check_backend({"data": {"backend": "pandas"}, "dask": {"workers": 0}})


def test_the_dask_backend_without_its_packages_is_refused(monkeypatch):
    monkeypatch.setattr(checks, "find_spec", lambda name: None)
    check_backend({"data": {"backend": "pandas"}})
    with pytest.raises(ValueError, match=r"needs \['distributed', 'triad'\]"):
        check_backend({"data": {"backend": "dask"}})
    with pytest.raises(ValueError, match="scale extra"):
        check_dask_installed()


def test_installed_dask_passes():
    pytest.importorskip("distributed")
    pytest.importorskip("triad")
    check_dask_installed()


def test_data_that_fits_in_memory_passes():
    check_data_size(
        DataParams(n_samples=1000), SplitParams(), available=1000 * BYTES_PER_ROW
    )


def test_data_too_large_for_memory_is_refused():
    data = DataParams(n_samples=10_000_000)
    with pytest.raises(ValueError, match="Lower data.n_samples") as error:
        check_data_size(data, SplitParams(), available=GIB)
    assert f"needs about {10_000_000 * BYTES_PER_ROW / GIB:,.1f} GiB" in str(
        error.value
    )
    assert "this machine has 1.0 GiB available" in str(error.value)


def test_a_split_that_leaves_no_validation_rows_is_refused():
    with pytest.raises(ValueError, match="both sets need rows"):
        check_data_size(
            DataParams(n_samples=2), SplitParams(test_size=0.1), available=GIB
        )


def test_a_table_source_is_not_measured():
    check_data_size(
        DataParams(source="table", n_samples=10**9), SplitParams(), available=0
    )


def test_the_dask_backend_checks_each_partition_and_refuses_a_test_split():
    dask = {"backend": "dask", "n_samples": 1000, "partition_rows": 10}
    check_data_size(DataParams(**dask), SplitParams(), available=0)
    with pytest.raises(ValueError, match="test split is not available"):
        check_data_size(DataParams(**dask), SplitParams(test_fraction=0.1))
    with pytest.raises(ValueError, match="on 2 rows leaves"):
        check_data_size(
            DataParams(**{**dask, "partition_rows": 2}),
            SplitParams(test_size=0.9),
            available=0,
        )


def test_available_memory_is_some_bytes():
    assert available_memory() > 0


def metrics_file(tmp_path: Path, name: str, document: object) -> MetricsDataset:
    """A metrics dataset over a file holding ``document``."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    return MetricsDataset(filepath=str(path))


@pytest.mark.parametrize(
    ("change", "found"),
    [
        ({"threshold": 1.5}, "less than or equal to 1"),
        ({"threshold": "high"}, "valid number"),
        ({"criterion": None}, "selected_threshold.criterion"),
    ],
)
def test_persisted_metrics_that_break_the_contract_are_refused(tmp_path, change, found):
    document = metrics_at(threshold=0.5).document()
    document["selected_threshold"] |= change
    catalog = DataCatalog(
        datasets={"mlp_metrics": metrics_file(tmp_path, "mlp_metrics", document)}
    )
    with pytest.raises(ValueError, match="^mlp_metrics: ") as error:
        check_persisted_metrics({"mlp_metrics"}, catalog)
    assert found in str(error.value)
    assert "Rerun the evaluation pipeline" in str(error.value)


def test_only_the_metrics_a_run_loads_are_checked(tmp_path):
    good = metrics_at(threshold=0.3).document()
    bad = {**good, "selected_threshold": {**good["selected_threshold"], "threshold": 2}}
    catalog = DataCatalog(
        datasets={
            "logistic_metrics": metrics_file(tmp_path, "logistic_metrics", bad),
            "mlp_metrics": metrics_file(tmp_path, "mlp_metrics", good),
        }
    )
    check_persisted_metrics({"mlp_metrics"}, catalog)
    with pytest.raises(ValueError, match="^logistic_metrics: "):
        check_persisted_metrics({"logistic_metrics", "mlp_metrics"}, catalog)


def model_catalog(state_dict: dict, params: ModelParams) -> DataCatalog:
    """A scaler fitted on two features, a saved model and its configured parameters."""
    scaler = StandardScaler().fit([[0.0, 1.0], [1.0, 0.0]])
    return DataCatalog(
        datasets={
            "scaler": MemoryDataset(scaler, copy_mode="assign"),
            "mlp.model_state_dict": MemoryDataset(state_dict, copy_mode="assign"),
            "params:mlp.model": MemoryDataset(params, copy_mode="assign"),
        }
    )


INPUTS = {"scaler", "mlp.model_state_dict", "params:mlp.model"}


def test_a_persisted_model_that_fits_its_parameters_passes():
    params = ModelParams(kind="mlp", hidden_units=3)
    catalog = model_catalog(build_model(2, params).state_dict(), params)
    check_persisted_models(INPUTS, catalog)


def test_a_persisted_model_that_does_not_fit_is_refused_named():
    saved = build_model(2, ModelParams(kind="mlp", hidden_units=3)).state_dict()
    catalog = model_catalog(saved, ModelParams(kind="mlp", hidden_units=4))
    with pytest.raises(ValueError, match=r"^mlp.model_state_dict: The saved model"):
        check_persisted_models(INPUTS, catalog)
    check_persisted_models(INPUTS - {"scaler"}, catalog)  # no scaler loaded: no check


def test_a_dask_table_bound_for_a_pandas_dataset_is_refused(tmp_path):
    csv = CSVDataset(filepath=str(tmp_path / "predictions.csv"))
    with pytest.raises(ValueError, match="CSVDataset cannot write") as error:
        check_saves_dask("logistic.inference_predictions", csv)
    assert "Point logistic.inference_predictions at a parquet folder" in str(
        error.value
    )
    check_saves_dask("x", TableDataset(filepath=str(tmp_path / "predictions.parquet")))
