"""``sweep/study.py``: what a trial draws, which studies may be continued, and how a
trial's result is told to its in-memory study."""

from __future__ import annotations

from concurrent.futures import Future
from types import SimpleNamespace

import optuna
import pytest
from distributed import KilledWorker

from moons_classifier.cluster import WorkersLostError
from moons_classifier.sweep.params import SweepParams
from moons_classifier.sweep.study import (
    EPOCHS,
    STUDY_DB,
    check_study,
    differences,
    open_study,
    record,
    storage,
    suggest,
)

SPACE = {
    "mlp.model.hidden_units": {"type": "int", "low": 2, "high": 8, "step": 2},
    "logistic.model.seed": {"type": "categorical", "choices": [1, 2]},
    "training.lr": {"type": "float", "low": 0.01, "high": 0.5, "log": True},
    "loaders.batch_size": {"type": "categorical", "choices": [16, 32, None]},
}
FIXED = {"--env": None, "split.test_fraction": 0.2}
PLANNED_EPOCHS = 7


def sweep(**changes: object) -> SweepParams:
    """The sweep parameters of these tests, with ``changes``."""
    return SweepParams.model_validate({"space": SPACE, **changes})


@pytest.mark.parametrize(
    ("model", "own", "other"),
    [
        ("mlp", "mlp.model.hidden_units", "logistic.model.seed"),
        ("logistic", "logistic.model.seed", "mlp.model.hidden_units"),
    ],
)
def test_a_trial_draws_only_its_own_models_namespaced_paths(model, own, other):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(5):
        study.enqueue_trial({"model": model})
        trial = study.ask()
        drawn_model, drawn = suggest(trial, sweep())
        assert drawn_model == model
        assert set(drawn) == {own, "training.lr", "loaders.batch_size"}
        assert trial.params == {"model": model, **drawn}
        assert other not in trial.params
        assert 0.01 <= drawn["training.lr"] <= 0.5  # noqa: PLR2004
        assert drawn["loaders.batch_size"] in (16, 32, None)
        if model == "mlp":
            assert drawn[own] in (2, 4, 6, 8)
        study.tell(trial, 0.5)


def test_a_trial_draws_only_the_configured_models():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    models = {suggest(study.ask(), sweep(models=["mlp"]))[0] for _ in range(10)}
    assert models == {"mlp"}


def test_a_new_study_is_accepted_without_creating_a_database(tmp_path):
    check_study(tmp_path, "new", sweep(), FIXED)
    assert list(tmp_path.iterdir()) == []


def test_a_study_is_continued_only_with_its_objective_and_fixed_settings(tmp_path):
    created = open_study(tmp_path, "s", sweep(), FIXED, storage(tmp_path))
    assert created.direction == optuna.study.StudyDirection.MAXIMIZE
    assert created.user_attrs == {"objective": "aupr", "fixed": FIXED}
    database = (tmp_path / STUDY_DB).read_bytes()

    check_study(tmp_path, "s", sweep(), dict(FIXED))  # the same: continued
    with pytest.raises(ValueError, match="optimizes aupr, not val_loss"):
        check_study(tmp_path, "s", sweep(objective="val_loss"), FIXED)
    changed = {"--env": "other", "data.source": "table"}
    with pytest.raises(ValueError, match="other fixed settings") as refused:
        check_study(tmp_path, "s", sweep(), changed)
    assert str(refused.value).count(", is ") == 3  # noqa: PLR2004
    for fragment in (
        "--env was None, is 'other'",
        "data.source was unset, is 'table'",
        "split.test_fraction was 0.2, is unset",
    ):
        assert fragment in str(refused.value)
    assert (tmp_path / STUDY_DB).read_bytes() == database, "checking only reads"

    continued = open_study(tmp_path, "s", sweep(), changed, storage(tmp_path))
    assert continued.user_attrs["fixed"] == FIXED, "what it was created with stays"


def test_settings_are_compared_as_the_study_stores_them():
    assert differences({"a": [1, 2], "b": None}, {"a": (1, 2), "b": None}) == []
    assert differences({"a": 1}, {"a": 1.5}) == ["a was 1, is 1.5"]


def finished(result: dict | None = None, error: BaseException | None = None) -> Future:
    """A finished future with ``result``, or that raised ``error``."""
    future: Future = Future()
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)
    return future


def recorded(future: Future) -> optuna.trial.FrozenTrial:
    """The trial of a new in-memory study once ``future``'s outcome is recorded, its
    ``EPOCHS`` set as a sweep sets it when it submits the trial."""
    study = optuna.create_study(direction="maximize")
    trial = study.ask()
    trial.set_user_attr(EPOCHS, PLANNED_EPOCHS)
    record(study, trial, future)
    return study.trials[0]


def test_a_completed_trial_is_told_its_value_and_keeps_its_results():
    result = {
        "value": 0.75,
        "test": {"n_test": 20},
        "worker": "host:1",
        "duration_s": 1.5,
        "models": {"mlp": {"scaler": "s.json"}},
        "ignored": "not a result attribute",
    }
    trial = recorded(finished(result))
    assert trial.state == optuna.trial.TrialState.COMPLETE
    assert trial.value == 0.75  # noqa: PLR2004
    assert trial.user_attrs == {
        EPOCHS: PLANNED_EPOCHS,
        "test": {"n_test": 20},
        "worker": "host:1",
        "duration_s": 1.5,
        "models": {"mlp": {"scaler": "s.json"}},
    }


def test_a_pruned_trial_records_the_epochs_it_trained():
    trial = recorded(finished({"pruned": 3, "worker": "host:1", "duration_s": 0.5}))
    assert trial.state == optuna.trial.TrialState.PRUNED
    assert trial.value is None
    assert trial.user_attrs[EPOCHS] == 3  # noqa: PLR2004
    assert trial.user_attrs["worker"] == "host:1"


@pytest.mark.parametrize(
    ("future", "error"),
    [
        (finished({"error": "Training diverged", "worker": "w"}), "Training diverged"),
        (finished(error=RuntimeError("boom")), "RuntimeError: boom"),
        (finished(error=WorkersLostError("died 3 times")), "worker lost: died 3 times"),
        (
            finished(error=KilledWorker("k", SimpleNamespace(address="tcp://w"), 3)),
            "worker lost: Attempted to run task 'k' on 4 different workers",
        ),
    ],
    ids=["its-error", "an-exception", "workers-lost", "killed-worker"],
)
def test_a_failed_trial_records_its_error(future, error):
    trial = recorded(future)
    assert trial.state == optuna.trial.TrialState.FAIL
    assert trial.user_attrs["error"].startswith(error)
    assert trial.user_attrs[EPOCHS] == PLANNED_EPOCHS, "recorded, not overwritten"
