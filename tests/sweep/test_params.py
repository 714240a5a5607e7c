"""The ``sweep`` parameter group: distributions, ordered ranges, objectives and defaults."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from moons_classifier.contracts import ObjectiveName
from moons_classifier.sweep.params import Choice, FloatRange, IntRange, SweepParams


def test_the_defaults_search_both_models_for_aupr_with_a_test_split():
    params = SweepParams()
    assert (params.objective, params.seed, params.pruner) == ("aupr", 0, "none")
    assert params.models == ["logistic", "mlp"]
    assert params.space == {}
    assert params.fixed == {"split.test_fraction": 0.2}


def test_each_distribution_is_picked_by_its_type():
    space = SweepParams.model_validate(
        {
            "space": {
                "training.lr": {"type": "float", "low": 0.01, "high": 0.5, "log": True},
                "mlp.model.hidden_units": {
                    "type": "int",
                    "low": 2,
                    "high": 8,
                    "step": 2,
                },
                "loaders.batch_size": {"type": "categorical", "choices": [16, None]},
            }
        }
    ).space
    assert space == {
        "training.lr": FloatRange(type="float", low=0.01, high=0.5, log=True),
        "mlp.model.hidden_units": IntRange(type="int", low=2, high=8, step=2),
        "loaders.batch_size": Choice(type="categorical", choices=[16, None]),
    }
    assert (space["mlp.model.hidden_units"].log, space["training.lr"].log) == (
        False,
        True,
    )


@pytest.mark.parametrize(
    ("distribution", "refused"),
    [
        (
            {"type": "normal", "low": 0, "high": 1},
            "does not match any of the expected tags",
        ),
        ({"type": "int", "low": 1, "high": 4, "step": 0}, "greater than or equal to 1"),
        ({"type": "int", "low": 1.5, "high": 4}, "valid integer"),
        ({"type": "categorical", "choices": []}, "at least 1 item"),
        ({"type": "float", "low": 0, "high": 1, "scale": "log"}, "Extra inputs"),
    ],
)
def test_a_malformed_distribution_is_refused(distribution, refused):
    with pytest.raises(ValidationError, match=refused):
        SweepParams.model_validate({"space": {"training.lr": distribution}})


@pytest.mark.parametrize(
    "distribution",
    [
        {"type": "float", "low": 0.5, "high": 0.5},
        {"type": "float", "low": 0.5, "high": 0.1},
        {"type": "int", "low": 8, "high": 2},
    ],
)
def test_a_range_must_rise_from_low_to_high(distribution):
    low, high = distribution["low"], distribution["high"]
    with pytest.raises(
        ValidationError, match=f"training.n_epochs: low {low} must be below high {high}"
    ):
        SweepParams.model_validate({"space": {"training.n_epochs": distribution}})


@pytest.mark.parametrize("objective", get_args(ObjectiveName))
def test_the_objectives_are_the_contracts(objective):
    assert SweepParams(objective=objective).objective == objective


@pytest.mark.parametrize(
    "change",
    [
        {"objective": "accuracy"},
        {"pruner": "successive-halving"},
        {"models": []},
        {"models": ["cnn"]},
        {"n_trials": 20},
    ],
)
def test_other_settings_are_refused(change):
    with pytest.raises(ValidationError) as error:
        SweepParams.model_validate(change)
    assert error.value.errors()[0]["loc"][0] == next(iter(change))
