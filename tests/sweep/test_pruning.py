"""``sweep/pruning.py``: the pruner each name makes, the epoch callback that reports to a
real Optuna trial, and the mirror of a trial judged on a copy of the shared study."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
import torch

from moons_classifier.metrics import areas_under_curves
from moons_classifier.sweep.pruning import (
    Mirror,
    Pruning,
    Reporter,
    make_pruner,
    trial_id,
)
from moons_classifier.trainer import EpochEnd

STEPS = (1, 2, 3)
GOOD_LOSS = 0.1  # every finished trial's validation loss at each step


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("none", optuna.pruners.NopPruner),
        ("median", optuna.pruners.MedianPruner),
        ("hyperband", optuna.pruners.HyperbandPruner),
    ],
)
def test_each_name_makes_its_pruner(name, kind):
    pruner = make_pruner(name, 12)
    assert type(pruner) is kind
    if name == "hyperband":  # brackets from 1 epoch to the most a trial trains
        assert (pruner._min_resource, pruner._max_resource) == (1, 12)  # noqa: SLF001


def minimizing_study(
    n_finished: int, pruner: optuna.pruners.BasePruner
) -> optuna.Study:
    """An in-memory study of val_loss named ``s``, with ``n_finished`` trials that
    reported ``GOOD_LOSS`` at every step."""
    study = optuna.create_study(
        study_name="s",
        storage=optuna.storages.InMemoryStorage(),
        direction="minimize",
        pruner=pruner,
    )
    for _ in range(n_finished):
        trial = study.ask()
        for step in STEPS:
            trial.report(GOOD_LOSS, step)
        study.tell(trial, GOOD_LOSS)
    return study


def test_the_reporter_reports_each_defined_loss_and_prunes_on_the_pruners_word():
    pruner = optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=2)
    study = minimizing_study(1, pruner)
    trial = study.ask()
    reporter = Reporter(trial, "val_loss")
    assert not reporter.wants_scores
    reporter(EpochEnd(1, 0.5, 0.9))  # worse than the median, but still warming up
    reporter(EpochEnd(2, 0.5, float("nan")))  # a diverged loss is not reported
    assert reporter.epoch == 2  # noqa: PLR2004
    with pytest.raises(optuna.TrialPruned, match="pruned at epoch 3"):
        reporter(EpochEnd(3, 0.5, 0.8))
    assert reporter.epoch == 3  # noqa: PLR2004
    assert study.trials[trial.number].intermediate_values == {1: 0.9, 3: 0.8}


def scores(labels: list[int], logits: list[float]) -> tuple[torch.Tensor, torch.Tensor]:
    """Validation logits and labels as the trainer hands them over: one column each."""
    return torch.tensor(logits).reshape(-1, 1), torch.tensor(labels).float().reshape(
        -1, 1
    )


@pytest.mark.parametrize("objective", ["aupr", "auroc"])
def test_the_reporter_scores_the_validation_logits_and_skips_undefined_scores(
    objective,
):
    study = optuna.create_study(direction="maximize")
    trial = study.ask()
    reporter = Reporter(trial, objective)
    assert reporter.wants_scores
    reporter(EpochEnd(1, 0.5, 0.4))  # no logits handed over
    reporter(EpochEnd(2, 0.5, 0.4, *scores([1, 1, 1], [0.1, 0.2, 0.3])))  # one class
    reporter(EpochEnd(3, 0.5, 0.4, *scores([0, 1, 0, 1], [-2.0, 3.0, -1.0, 2.0])))
    reporter(EpochEnd(4, 0.5, 0.4, *scores([0, 1, 0, 1], [3.0, -2.0, 2.0, -1.0])))
    reversed_labels = np.array([0, 1, 0, 1])
    reversed_probabilities = torch.tensor([3.0, -2.0, 2.0, -1.0]).sigmoid().numpy()
    expected = areas_under_curves(reversed_labels, reversed_probabilities)[objective]
    assert expected < 0.5  # noqa: PLR2004
    assert study.trials[0].intermediate_values == {3: 1.0, 4: pytest.approx(expected)}


def test_a_mirror_shares_reports_and_only_the_notes_that_changed():
    local, shared = optuna.storages.InMemoryStorage(), optuna.storages.InMemoryStorage()
    ids = []
    for storage in (local, shared):
        study = optuna.create_study(study_name="s", storage=storage)
        ids.append(study.ask()._trial_id)  # noqa: SLF001
    mirror = Mirror(local, ids[0], shared, ids[1], {"noted": 1})
    assert trial_id(shared, "s", 0) == ids[1]

    mirror.report(0.25, 2)
    local.set_trial_system_attr(ids[0], "noted", 1)  # noted before: not shared again
    local.set_trial_system_attr(ids[0], "completed_rung_0", 0.25)
    mirror.share_notes()
    assert shared.get_trial(ids[1]).intermediate_values == {2: 0.25}
    assert shared.get_trial(ids[1]).system_attrs == {"completed_rung_0": 0.25}
    assert mirror.noted == {"noted": 1, "completed_rung_0": 0.25}

    shared.set_trial_system_attr(ids[1], "completed_rung_0", "changed elsewhere")
    mirror.share_notes()  # nothing new in the copy: the shared study is left alone
    assert (
        shared.get_trial(ids[1]).system_attrs["completed_rung_0"] == "changed elsewhere"
    )
    local.set_trial_system_attr(ids[0], "completed_rung_0", 0.5)
    mirror.share_notes()
    assert shared.get_trial(ids[1]).system_attrs["completed_rung_0"] == 0.5  # noqa: PLR2004


def test_a_pruning_reporter_judges_on_a_copy_and_reports_to_the_shared_study():
    study = minimizing_study(
        5, optuna.pruners.NopPruner()
    )  # the shared study prunes nothing
    running = study.ask()
    pruning = Pruning(study._storage, "s", running.number, "median", "val_loss", 3)  # noqa: SLF001
    reporter = pruning.reporter()
    copy = reporter.trial.study
    assert copy._storage is not study._storage  # noqa: SLF001
    assert isinstance(copy.pruner, optuna.pruners.MedianPruner)
    assert copy.direction == study.direction
    assert [t.intermediate_values for t in copy.trials[:5]] == [
        dict.fromkeys(STEPS, GOOD_LOSS)
    ] * 5
    assert reporter.trial.number == running.number

    with pytest.raises(optuna.TrialPruned, match="pruned at epoch 1"):
        reporter(EpochEnd(1, 1.0, 1.0))  # worse than the median of five finished trials
    shared = study.trials[running.number]
    assert shared.intermediate_values == {1: 1.0}
    assert shared.state == optuna.trial.TrialState.RUNNING, "the sweep tells the study"

    with pytest.raises(LookupError, match="holds no trial 9"):
        Pruning(study._storage, "s", 9, "median", "val_loss", 3).reporter()  # noqa: SLF001
