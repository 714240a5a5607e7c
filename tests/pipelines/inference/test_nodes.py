"""The inference nodes called as plain functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.validation.exceptions import DataValidationError
from sklearn.preprocessing import StandardScaler

from moons_classifier.models import build_model
from moons_classifier.params import (
    DataParams,
    InferenceParams,
    ModelParams,
    SplitParams,
)
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    split_data,
    standardize_test_split,
)
from moons_classifier.pipelines.evaluation.nodes import predict_probabilities
from moons_classifier.pipelines.inference.nodes import (
    check_inference_input,
    score_points,
)
from tests.pipelines.inference.trained import SELECTED, STATE_DICT
from tests.support.helpers import metrics_at


@pytest.fixture(scope="module")
def splits() -> tuple[pd.DataFrame, pd.DataFrame]:
    return split_data(generate_moons(DataParams()), SplitParams())


@pytest.fixture(scope="module")
def scaler(splits) -> StandardScaler:
    return fit_scaler(splits[0])


@pytest.fixture
def points() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": ["a", "b", "c"], "x1": [0.5, -1.0, 2.0], "x2": [0.25, 1.0, -0.5]}
    )


def test_valid_input_passes_unchanged(points, scaler):
    pd.testing.assert_frame_equal(check_inference_input(points, scaler), points)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.nan, r"Column 'x2' holds nan \(missing, NaN or infinite\) in data row 2"),
        (np.inf, r"Column 'x2' holds inf \(missing, NaN or infinite\) in data row 2"),
        ("abc", r"Column 'x2' holds the non-numeric value 'abc' in data row 2"),
    ],
    ids=["nan", "inf", "text"],
)
def test_any_input_without_a_catalog_schema_has_its_values_checked(
    points, scaler, value, message
):
    """The inference input of a conf/local entry without a validator is checked too."""
    bad = points.astype({"x2": object})
    bad.loc[1, "x2"] = value
    with pytest.raises(DataValidationError, match=message):
        check_inference_input(bad, scaler)


def test_a_missing_feature_column_is_named(points, scaler):
    with pytest.raises(ValueError, match=r"lacks the feature column\(s\) \['x2'\]"):
        check_inference_input(points.drop(columns="x2"), scaler)


def test_scores_equal_the_evaluations_probabilities(splits, scaler):
    val = splits[1]
    scored = score_points(
        val.drop(columns="y"),
        scaler,
        STATE_DICT,
        SELECTED,
        ModelParams(),
        InferenceParams(),
    )
    evaluated = predict_probabilities(
        STATE_DICT, standardize_test_split(val, scaler), ModelParams()
    )
    np.testing.assert_allclose(
        scored["probability"], evaluated["probability"], rtol=1e-6
    )
    pd.testing.assert_frame_equal(scored[["x1", "x2"]], val[["x1", "x2"]])
    # The chapter's confusion matrix at 0.5 is [[7, 2], [1, 10]].
    at_half = score_points(
        val, scaler, STATE_DICT, SELECTED, ModelParams(), InferenceParams(threshold=0.5)
    )
    predicted, actual = at_half["predicted_class"], at_half["y"]
    assert [
        ((predicted == p) & (actual == a)).sum() for a in (0, 1) for p in (0, 1)
    ] == [7, 2, 1, 10]


def test_the_explicit_threshold_wins_over_the_selected_one(points, scaler):
    explicit = score_points(
        points,
        scaler,
        STATE_DICT,
        SELECTED,
        ModelParams(),
        InferenceParams(threshold=0.2),
    )
    selected = score_points(
        points, scaler, STATE_DICT, SELECTED, ModelParams(), InferenceParams()
    )
    assert explicit["threshold"].tolist() == [0.2] * 3
    assert selected["threshold"].tolist() == [0.6767831444740295] * 3
    for scored in (explicit, selected):
        expected = (scored["probability"] >= scored["threshold"]).astype(int)
        assert scored["predicted_class"].tolist() == expected.tolist()
    assert explicit["predicted_class"].tolist() != selected["predicted_class"].tolist()
    assert list(explicit.columns) == [
        "id",
        "x1",
        "x2",
        "probability",
        "predicted_class",
        "threshold",
    ]


def test_without_any_threshold_scoring_stops(points, scaler):
    metrics = metrics_at(threshold=None)
    with pytest.raises(ValueError, match="Set inference.threshold"):
        score_points(
            points, scaler, STATE_DICT, metrics, ModelParams(), InferenceParams()
        )


def test_a_model_of_another_kind_is_refused(points, scaler):
    mlp_state = build_model(2, ModelParams(kind="mlp")).state_dict()
    with pytest.raises(
        ValueError, match="do not match the configured 'logistic' model"
    ):
        score_points(
            points, scaler, mlp_state, SELECTED, ModelParams(), InferenceParams()
        )
