"""Bad parameters and bad inference input are refused clearly, and nothing under data/ changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from kedro.io.core import DatasetError
from kedro.validation import DataValidationError, ParameterValidationError

from moons_classifier.devices import available_devices
from tests.support.helpers import (
    MANIFESTS,
    RUN_ARTIFACTS,
    copy_newest_run,
    newest_version,
    probabilities,
    record_run,
    snapshot,
    versioned_file,
    versions,
)
from tests.support.projects import copy_project, run_kedro

FEW_EPOCHS = {"training": {"n_epochs": 5}}
INPUT = "data/01_raw/inference_input.csv"
PREDICTIONS = "07_model_output/{}/inference_predictions.csv"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy after one successful (short) run, so there are outputs to lose."""
    project = copy_project(tmp_path_factory.mktemp("trained") / "project")
    with pytest.MonkeyPatch.context() as monkeypatch:
        run_kedro(project, monkeypatch, runtime_params=FEW_EPOCHS)
    return project


@pytest.fixture
def trained_copy(trained: Path, tmp_path: Path) -> Path:
    """This test's own copy of the trained project, modification times preserved."""
    return shutil.copytree(trained, tmp_path / "project")


def assert_refused(project, monkeypatch, error_type, fragments, **run_args) -> None:
    """The run raises ``error_type`` whose message holds every fragment; data/ is unchanged."""
    before = snapshot(project)
    with pytest.raises(error_type) as refused:
        run_kedro(project, monkeypatch, **run_args)
    message = str(refused.value)
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"{missing} not in: {message}"
    assert snapshot(project) == before


BAD_PARAMETERS = [
    pytest.param(
        {"data": {"n_samples": 0}},
        ["'data'", "n_samples", "input_value=0", "greater than or equal to 1"],
        id="data.n_samples=0",
    ),
    pytest.param(
        {"data": {"noise": -1}},
        ["'data'", "noise", "input_value=-1", "greater than or equal to 0"],
        id="data.noise=-1",
    ),
    pytest.param(
        {"split": {"test_size": 1.5}},
        ["'split'", "test_size", "input_value=1.5", "less than 1"],
        id="split.test_size=1.5",
    ),
    pytest.param(
        {"loaders": {"batch_size": 0}},
        ["'loaders'", "batch_size", "input_value=0", "greater than or equal to 1"],
        id="loaders.batch_size=0",
    ),
    pytest.param(
        {"training": {"lr": 0}},
        ["'training'", "lr", "input_value=0", "greater than 0"],
        id="training.lr=0",
    ),
    pytest.param(
        {"training": {"n_epochs": 0}},
        ["'training'", "n_epochs", "input_value=0", "greater than or equal to 1"],
        id="training.n_epochs=0",
    ),
    pytest.param(
        {"training": {"device": "gpu"}},
        [
            "'training'",
            "device",
            "'gpu'",
            "auto, cpu, cuda, cuda:N (N a number) or mps",
        ],
        id="training.device=gpu",
    ),
    pytest.param(
        {"training": {"n_epoch": 3}},
        ["'training'", "n_epoch", "input_value=3", "Extra inputs are not permitted"],
        id="typo-training.n_epoch",
    ),
    pytest.param(
        {"evaluation": {"thresholds": [1.5]}},
        ["'evaluation'", "thresholds", "[1.5]", "must lie in [0, 1]"],
        id="evaluation.thresholds=[1.5]",
    ),
    pytest.param(
        {"logistic": {"model": {"kind": "tree"}}},
        ["'logistic.model'", "kind", "'tree'", "'logistic' or 'mlp'"],
        id="logistic.model.kind=tree",
    ),
]


@pytest.mark.parametrize(("runtime_params", "fragments"), BAD_PARAMETERS)
def test_bad_parameter_is_refused_before_any_node(
    trained_copy, monkeypatch, runtime_params, fragments
):
    assert_refused(
        trained_copy,
        monkeypatch,
        ParameterValidationError,
        fragments,
        runtime_params=runtime_params,
    )


@pytest.mark.parametrize(
    ("runtime_params", "fragments"),
    [
        pytest.param(
            {
                "data": {"backend": "dask", "source": "table"},
                "split": {"test_fraction": 0.2},
            },
            [
                "split.test_fraction=0.2",
                "data.backend=dask",
                "split.test_fraction to null",
            ],
            id="dask-test-split",
        ),
        pytest.param(
            {"data": {"backend": "dask", "n_samples": 6, "partition_rows": 2}},
            ["split.test_size=0.2 on 2 rows", "both sets need rows"],
            id="dask-partition-too-small",
        ),
    ],
)
def test_a_dask_run_that_cannot_split_is_refused_before_any_node(
    trained_copy, monkeypatch, runtime_params, fragments
):
    assert_refused(
        trained_copy, monkeypatch, ValueError, fragments, runtime_params=runtime_params
    )


def test_bad_inference_threshold_is_refused_by_the_inference_pipeline(
    trained_copy, monkeypatch
):
    assert_refused(
        trained_copy,
        monkeypatch,
        ParameterValidationError,
        ["'inference'", "threshold", "input_value=2", "less than or equal to 1"],
        runtime_params={"inference": {"threshold": 2}},
        pipeline_name="inference",
    )


@pytest.mark.parametrize(
    ("yaml", "fragments"),
    [
        pytest.param(
            "training:\n  n_epoch: 3\n",
            [
                "'training'",
                "n_epoch",
                "input_value=3",
                "Extra inputs are not permitted",
            ],
            id="typo",
        ),
        pytest.param(
            "data:\n  n_samples: 0\n",
            ["'data'", "n_samples", "input_value=0", "greater than or equal to 1"],
            id="bound",
        ),
    ],
)
def test_bad_parameter_in_an_environment_is_refused(
    trained_copy, monkeypatch, yaml, fragments
):
    (trained_copy / "conf" / "bad").mkdir()
    (trained_copy / "conf" / "bad" / "parameters.yml").write_text(yaml)
    assert_refused(
        trained_copy, monkeypatch, ParameterValidationError, fragments, env="bad"
    )


def test_unavailable_device_is_refused_before_any_node(trained_copy, monkeypatch):
    assert_refused(
        trained_copy,
        monkeypatch,
        ValueError,
        [
            "training.device='cuda:3'",
            "not available",
            f"(available: {', '.join(available_devices())})",
        ],
        runtime_params={"training": {"device": "cuda:3"}},
    )


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        pytest.param(
            {"n_samples": 10, "positive_fraction": 0.1},
            [
                "training split",
                "holds only class(es) [0]",
                "both classes 0 and 1",
                "data.n_samples",
            ],
            id="no-positive-to-train-on",
        ),
        pytest.param(
            {"n_samples": 3},
            [
                "validation split",
                "holds only class(es) [1]",
                "both classes 0 and 1",
                "data.n_samples",
            ],
            id="n_samples=3",
        ),
    ],
)
def test_split_without_both_classes_is_refused_before_any_artifact(
    trained_copy, monkeypatch, data, fragments
):
    before = snapshot(trained_copy)
    with pytest.raises(ValueError) as refused:
        run_kedro(
            trained_copy, monkeypatch, runtime_params={"data": data, **FEW_EPOCHS}
        )
    missing = [fragment for fragment in fragments if fragment not in str(refused.value)]
    assert not missing, f"{missing} not in: {refused.value}"
    after = snapshot(trained_copy)
    versioned = [path for path in before if "/20" in path]
    assert [path for path in after if "/20" in path] == versioned
    assert all(after[path] == before[path] for path in versioned)
    assert len(versions(trained_copy, MANIFESTS)) == 1


@pytest.mark.parametrize(
    ("text", "error_type", "fragments"),
    [
        pytest.param(
            "id,x1\n1,0.5\n",
            DataValidationError,
            ["inference_input", "lacks the column(s) ['x2']", "['id', 'x1']"],
            id="missing-column",
        ),
        pytest.param(
            "x1,x2\n0.1,0.2\n0.3,abc\n",
            DataValidationError,
            ["Column 'x2'", "non-numeric value 'abc'", "data row 2"],
            id="non-numeric",
        ),
        pytest.param(
            "x1,x2\n0.1,0.2\n,0.4\n",
            DataValidationError,
            ["Column 'x1'", "holds nan", "data row 2"],
            id="nan",
        ),
        pytest.param(
            "x1,x2\n0.1,inf\n",
            DataValidationError,
            ["Column 'x2'", "holds inf", "data row 1"],
            id="inf",
        ),
        pytest.param("x1,x2\n", DataValidationError, ["has no rows"], id="header-only"),
        pytest.param(
            "",
            DatasetError,
            ["inference_input.csv", "No columns to parse"],
            id="zero-bytes",
        ),
    ],
)
def test_bad_inference_input_is_refused_and_nothing_is_written(
    trained_copy, monkeypatch, text, error_type, fragments
):
    (trained_copy / INPUT).write_text(text)
    assert_refused(
        trained_copy, monkeypatch, error_type, fragments, pipeline_name="inference"
    )
    assert not list((trained_copy / "data").rglob("inference_predictions*"))


@pytest.mark.parametrize(
    ("model", "fragments"),
    [
        pytest.param(
            {"logistic": {"model": {"kind": "mlp"}}},
            ["logistic.model_state_dict", "configured 'mlp' model on 2 features"],
            id="logistic-weights-as-mlp",
        ),
        pytest.param(
            {"mlp": {"model": {"hidden_units": 5}}},
            ["mlp.model_state_dict", "(10, 2)", "(5, 2)"],
            id="mlp-with-other-width",
        ),
    ],
)
def test_model_that_does_not_fit_its_parameters_is_refused(
    trained_copy, monkeypatch, model, fragments
):
    assert_refused(
        trained_copy,
        monkeypatch,
        ValueError,
        fragments,
        runtime_params=model,
        pipeline_name="inference",
    )
    assert not list((trained_copy / "data").rglob("inference_predictions*"))


def test_state_dict_with_three_features_is_refused(trained_copy, monkeypatch):
    version = copy_newest_run(trained_copy)
    torch.save(
        {"linear.weight": torch.ones(1, 3), "linear.bias": torch.zeros(1)},
        versioned_file(trained_copy, "06_models/logistic/model.pt", version),
    )
    record_run(trained_copy, version, RUN_ARTIFACTS)
    assert_refused(
        trained_copy,
        monkeypatch,
        ValueError,
        [
            "logistic.model_state_dict",
            "'linear.weight': (1, 3)",
            "'linear.weight': (1, 2)",
            "'logistic' model on 2 features",
        ],
        pipeline_name="inference",
    )
    assert not list((trained_copy / "data").rglob("inference_predictions*"))


def test_artifacts_pinned_to_different_runs_are_not_combined(trained_copy, monkeypatch):
    first = versions(trained_copy, MANIFESTS)[0]
    second = copy_newest_run(trained_copy)
    record_run(trained_copy, second, RUN_ARTIFACTS)
    assert_refused(
        trained_copy,
        monkeypatch,
        ValueError,
        [
            "combine artifacts of different runs",
            f"'scaler': '{second}'",
            f"'mlp_metrics': '{first}'",
            "--load-versions",
        ],
        pipeline_name="inference",
        load_versions={"scaler": second, "mlp_metrics": first},
    )
    assert not list((trained_copy / "data").rglob("inference_predictions*"))


SWAPPED = {
    "logistic.model_state_dict": "mlp.model_state_dict",
    "mlp.model_state_dict": "logistic.model_state_dict",
    "logistic_metrics": "mlp_metrics",
    "mlp_metrics": "logistic_metrics",
}


@pytest.mark.parametrize("artifact", sorted(RUN_ARTIFACTS))
def test_an_artifact_changed_after_its_run_is_refused(
    trained_copy, monkeypatch, artifact
):
    version = versions(trained_copy, MANIFESTS)[0]
    target = versioned_file(trained_copy, RUN_ARTIFACTS[artifact], version)
    if (
        artifact in SWAPPED
    ):  # another valid file of the same run: only its content tells
        other = RUN_ARTIFACTS[SWAPPED[artifact]]
        shutil.copy2(versioned_file(trained_copy, other, version), target)
    else:  # the same numbers, written differently
        target.write_text(json.dumps(json.loads(target.read_text())))
    assert_refused(
        trained_copy,
        monkeypatch,
        ValueError,
        [artifact, f"is not the file run {version} wrote", "changed since"],
        pipeline_name="inference",
    )


@pytest.mark.parametrize("threshold", [None, 0.5])
def test_inference_scores_every_row_at_the_threshold(
    trained_copy, monkeypatch, threshold
):
    run_kedro(
        trained_copy,
        monkeypatch,
        pipeline_name="inference",
        runtime_params={"inference": {"threshold": threshold}},
    )
    points = pd.read_csv(trained_copy / INPUT)
    scaler = json.loads(
        newest_version(trained_copy, "06_models/scaler.json").read_text()
    )
    for namespace in ("logistic", "mlp"):
        scored = pd.read_csv(
            newest_version(trained_copy, PREDICTIONS.format(namespace))
        )
        metrics = json.loads(
            newest_version(
                trained_copy, f"08_reporting/{namespace}/metrics.json"
            ).read_text()
        )
        expected_threshold = threshold or metrics["selected_threshold"]["threshold"]
        state = torch.load(
            newest_version(trained_copy, f"06_models/{namespace}/model.pt"),
            weights_only=True,
        )
        expected = probabilities(state, scaler, points)
        assert list(scored.columns) == [
            *points.columns,
            "probability",
            "predicted_class",
            "threshold",
        ]
        pd.testing.assert_frame_equal(scored[points.columns], points)
        np.testing.assert_allclose(scored["probability"], expected, atol=1e-6)
        assert (scored["threshold"] == expected_threshold).all()
        assert (
            scored["predicted_class"].tolist()
            == (scored["probability"] >= expected_threshold).astype(int).tolist()
        )
