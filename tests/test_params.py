"""The typed parameter groups: their defaults, a bad value refused, unknown keys refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from moons_classifier.params import (
    BootstrapParams,
    DaskParams,
    DataParams,
    EvaluationParams,
    InferenceParams,
    LoaderParams,
    MinPrecision,
    MinRecall,
    ModelParams,
    ReportingParams,
    SplitParams,
    TrainingParams,
)

BOOTSTRAP = {"n_resamples": 1000, "confidence": 0.95, "seed": 0}
# Each group, its defaults (the chapter's settings) and a value it refuses.
GROUPS = {
    DataParams: (
        {
            "source": "moons",
            "backend": "pandas",
            "partition_rows": 1_000_000,
            "n_samples": 100,
            "noise": 0.3,
            "random_state": 0,
            "label_column": "target",
            "feature_columns": None,
            "positive_fraction": None,
        },
        {"positive_fraction": 1.0},
    ),
    DaskParams: (
        {"scheduler": None, "workers": None, "worker_memory": "2GB"},
        {"workers": 0},
    ),
    SplitParams: (
        {"test_size": 0.2, "random_state": 13, "test_fraction": None},
        {"test_size": 1},
    ),
    LoaderParams: ({"batch_size": 16, "seed": 13}, {"batch_size": 0}),
    ModelParams: (
        {"kind": "logistic", "hidden_units": 10, "seed": 42},
        {"kind": "cnn"},
    ),
    TrainingParams: (
        {"n_epochs": 100, "lr": 0.1, "seed": 42, "device": "auto", "pos_weight": None},
        {"lr": 0},
    ),
    BootstrapParams: (BOOTSTRAP, {"n_resamples": 9}),
    EvaluationParams: (
        {
            "threshold_selection": "f1",
            "thresholds": [0.3, 0.5, 0.7],
            "random_baseline_seed": 39,
            "bootstrap": BOOTSTRAP,
            "histogram_bits": 20,
        },
        {"histogram_bits": 31},
    ),
    ReportingParams: (
        {
            "quirk_thresholds": [0.4, 0.5, 0.57],
            "curve_thresholds": 11,
            "plot_sample_size": 2000,
            "plot_seed": 0,
            "grid_resolution": 101,
            "max_curve_points": 1000,
        },
        {"grid_resolution": 1},
    ),
    InferenceParams: ({"threshold": None}, {"threshold": 1.5}),
}
IDS = [group.__name__ for group in GROUPS]


@pytest.mark.parametrize(
    ("group", "defaults", "bad"), [(g, *v) for g, v in GROUPS.items()], ids=IDS
)
def test_each_group_has_the_chapters_defaults_and_refuses_a_bad_value(
    group, defaults, bad
):
    assert group().model_dump() == defaults
    assert group.model_validate(defaults) == group()
    (field,) = bad
    with pytest.raises(ValidationError) as error:
        group.model_validate(bad)
    assert error.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize(
    "group", [*GROUPS, MinPrecision, MinRecall], ids=lambda g: g.__name__
)
def test_unknown_keys_are_refused_and_groups_are_frozen(group):
    required = {"min_precision": 0.9, "min_recall": 0.9}
    known = {k: v for k, v in required.items() if k in group.model_fields}
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        group.model_validate({**known, "n_epoch": 5})
    instance = group.model_validate(known)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(instance, next(iter(group.model_fields)), None)


@pytest.mark.parametrize("device", ["auto", "cpu", "mps", "cuda", "cuda:12"])
def test_devices_torch_understands_are_accepted(device):
    assert TrainingParams(device=device).device == device


@pytest.mark.parametrize("device", ["gpu", "cuda:", "cuda:x", "CPU", "cpu "])
def test_other_devices_are_refused(device):
    with pytest.raises(ValidationError, match=f"device '{device}' is not one of auto"):
        TrainingParams(device=device)


def test_pos_weight_is_balanced_or_a_positive_number():
    assert TrainingParams(pos_weight="balanced").pos_weight == "balanced"
    assert TrainingParams(pos_weight=2.5).pos_weight == 2.5  # noqa: PLR2004
    for bad in (0, -1.0, "auto"):
        with pytest.raises(ValidationError):
            TrainingParams(pos_weight=bad)


def test_the_threshold_criterion_is_a_name_or_a_minimum():
    assert (
        EvaluationParams(threshold_selection="youden").threshold_selection == "youden"
    )
    parsed = EvaluationParams.model_validate(
        {"threshold_selection": {"min_recall": 0.8}}
    ).threshold_selection
    assert parsed == MinRecall(min_recall=0.8)
    for bad in ("accuracy", {"min_precision": 0}, {"min_precision": 1.1}):
        with pytest.raises(ValidationError):
            EvaluationParams(threshold_selection=bad)


@pytest.mark.parametrize("group", [EvaluationParams, ReportingParams])
def test_thresholds_lie_in_the_unit_interval(group):
    field = "thresholds" if group is EvaluationParams else "quirk_thresholds"
    assert getattr(group(**{field: [0, 1]}), field) == [0, 1]
    with pytest.raises(
        ValidationError, match=r"thresholds must lie in \[0, 1\]; got \[1.5, -0.1\]"
    ):
        group(**{field: [0.5, 1.5, -0.1]})
    with pytest.raises(ValidationError, match="at least 1 item"):
        group(**{field: []})
