"""``sweep/report.py``: the trials table, the best trial's report and the files written
from a small in-memory study."""

from __future__ import annotations

import json
import logging
import shlex

import optuna
import pytest
from optuna.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import TrialState, create_trial

from moons_classifier.sweep.report import (
    FIGURES,
    best_report,
    integer_params,
    trials_table,
    write_report,
)

DISTRIBUTIONS = {
    "model": CategoricalDistribution(["logistic", "mlp"]),
    "training.lr": FloatDistribution(0.01, 0.5),
    "mlp.model.hidden_units": IntDistribution(2, 8),
}
TEST_METRICS = {"n_test": 20, "aupr": {"value": 0.9, "low": 0.8, "high": 1.0}}


def trial(
    params: dict, state: TrialState, value: float | None = None, **attrs
) -> optuna.trial.FrozenTrial:
    """A finished trial drawing ``params``, with user attributes ``attrs``."""
    return create_trial(
        params=params,
        distributions={name: DISTRIBUTIONS[name] for name in params},
        state=state,
        value=value,
        user_attrs=attrs,
    )


@pytest.fixture
def study() -> optuna.Study:
    """A study of aupr: two complete trials (the MLP best), one pruned, one failed."""
    study = optuna.create_study(study_name="small", direction="maximize")
    study.set_user_attr("objective", "aupr")
    mlp = {"model": "mlp", "training.lr": 0.1, "mlp.model.hidden_units": 4}
    run_params = {"split.test_fraction": 0.2, "training.lr": 0.1, "note": "a b"}
    for state, params, value, attrs in (
        (
            TrialState.COMPLETE,
            {"model": "logistic", "training.lr": 0.3},
            0.8,
            {"epochs": 4, "duration_s": 1.5, "worker": "w:1"},
        ),
        (
            TrialState.COMPLETE,
            mlp,
            0.95,
            {
                "epochs": 4,
                "run_params": run_params,
                "env": "prune",
                "test": TEST_METRICS,
            },
        ),
        (TrialState.PRUNED, mlp | {"mlp.model.hidden_units": 2}, None, {"epochs": 1}),
        (
            TrialState.FAIL,
            {"model": "logistic", "training.lr": 0.4},
            None,
            {"epochs": 4, "error": "Training diverged"},
        ),
    ):
        study.add_trial(trial(params, state, value, **attrs))
    return study


def test_the_trials_table_has_one_row_per_trial_and_integer_columns(study):
    table = trials_table(study)
    assert list(table.columns) == [
        "number",
        "state",
        "model",
        "training.lr",
        "aupr",
        "epochs",
        "duration_s",
        "worker",
        "error",
        "mlp.model.hidden_units",
    ]
    assert list(table["state"]) == ["COMPLETE", "COMPLETE", "PRUNED", "FAIL"]
    assert table["aupr"].tolist()[:2] == [0.8, 0.95]
    assert table["aupr"].iloc[2:].isna().all()
    # The epochs a trial trained: none for a failed trial, whatever it planned.
    assert table["epochs"].tolist()[:3] == [4, 4, 1]
    assert table["epochs"].isna().tolist() == [False, False, False, True]
    assert str(table["epochs"].dtype) == "Int64"
    assert str(table["mlp.model.hidden_units"].dtype) == "Int64"
    assert table["mlp.model.hidden_units"].isna().tolist() == [True, False, False, True]
    assert table.loc[3, "error"] == "Training diverged"
    assert table.loc[0, "worker"] == "w:1"


def test_a_parameter_is_an_integer_only_where_every_trial_drew_an_integer():
    study = optuna.create_study()
    for value in (16, 32.0):
        study.add_trial(
            create_trial(
                params={"batch": value, "units": 3},
                distributions={
                    "batch": CategoricalDistribution([16, 32.0]),
                    "units": IntDistribution(1, 5),
                },
                value=0.1,
            )
        )
    assert integer_params(study.trials) == ["units"]
    assert integer_params([]) == []


def test_the_best_report_holds_the_command_that_reruns_the_best_trial(study):
    report = best_report(study)
    assert report == {
        "study": "small",
        "trial": 1,
        "objective": "aupr",
        "direction": "maximize",
        "value": 0.95,
        "model": "mlp",
        "params": {"split.test_fraction": 0.2, "training.lr": 0.1, "note": "a b"},
        "command": report["command"],
        "test_metrics": TEST_METRICS,
    }
    assert shlex.split(report["command"]) == [
        *("kedro", "run", "--pipelines", "data_processing,training,evaluation"),
        *("--tags", "data_processing,mlp", "--env", "prune", "--params"),
        "split.test_fraction=0.2,training.lr=0.1,note=a b",
    ]


# Optuna's importance evaluator finds four trials few; the figure is drawn all the same.
@pytest.mark.filterwarnings("ignore:Some regimes for parameter:UserWarning")
def test_the_report_writes_the_table_the_best_trial_and_the_figures(study, tmp_path):
    write_report(study, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["trials.csv", "best.json", *FIGURES]
    )
    assert (
        (tmp_path / "trials.csv")
        .read_text()
        .splitlines()[0]
        .startswith("number,state,model,training.lr,aupr,epochs,")
    )
    assert json.loads((tmp_path / "best.json").read_text()) == best_report(study)
    for name in FIGURES:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")


def test_a_study_without_a_completed_trial_gets_only_its_table(tmp_path, caplog):
    study = optuna.create_study(study_name="failed")
    study.set_user_attr("objective", "val_loss")
    study.add_trial(trial({"model": "mlp"}, TrialState.FAIL, error="boom"))
    with caplog.at_level(logging.WARNING, "moons_classifier.sweep.report"):
        write_report(study, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["trials.csv"]
    assert "No trial of study failed completed; no best.json" in caplog.text


# The sweep writes the report of every study it opened, in a `finally`: one stopped or
# failed before its first trial was asked gets its empty table, not an error of its own.
def test_a_study_without_trials_gets_an_empty_table(tmp_path):
    study = optuna.create_study(study_name="empty")
    study.set_user_attr("objective", "aupr")
    write_report(study, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["trials.csv"]
