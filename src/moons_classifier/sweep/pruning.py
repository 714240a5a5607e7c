"""Pruning: each epoch's objective reported to the trial, which the study's pruner may stop."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna

if TYPE_CHECKING:
    from moons_classifier.trainer import EpochEnd


def make_pruner(name: str, max_epochs: int) -> optuna.pruners.BasePruner:
    """The pruner ``sweep.pruner`` names (``none``: no pruning); Hyperband's brackets span
    1 to ``max_epochs`` epochs, the same for every trial."""
    if name == "median":
        return optuna.pruners.MedianPruner()
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max_epochs)
    return optuna.pruners.NopPruner()


@dataclass(frozen=True)
class Pruning:
    """Where a worker finds the trial to report to: the study's storage (kept on the Dask
    scheduler), its name, the trial's number, the pruner, the objective and the most
    epochs a trial trains."""

    storage: optuna.storages.BaseStorage
    study: str
    number: int
    pruner: str
    objective: str
    max_epochs: int

    def reporter(self) -> Reporter:
        """A reporter to the running trial, which the pruner judges on a copy of the
        study taken now: one read of the shared study per trial, not one per epoch."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            shared = optuna.load_study(study_name=self.study, storage=self.storage)
        trials = shared.get_trials(deepcopy=False)  # numbered as in the study
        if self.number >= len(trials):
            raise LookupError(f"Study {self.study!r} holds no trial {self.number}.")
        local = optuna.storages.InMemoryStorage()
        snapshot = optuna.create_study(
            study_name=self.study,
            storage=local,
            direction=shared.direction,
            pruner=make_pruner(self.pruner, self.max_epochs),
        )
        snapshot.add_trials(trials)
        mirror = Mirror(
            local,
            trial_id(local, self.study, self.number),
            self.storage,
            trial_id(self.storage, self.study, self.number),
            dict(trials[self.number].system_attrs),
        )
        # Optuna's objective functions get their Trial from study.optimize; a sweep asks
        # on the client and runs the trial on a worker, which builds it here.
        return Reporter(optuna.Trial(snapshot, mirror.local_id), self.objective, mirror)


def trial_id(storage: optuna.storages.BaseStorage, study: str, number: int) -> int:
    """The id in ``storage`` of trial ``number`` of ``study``."""
    study_id = storage.get_study_id_from_name(study)
    return storage.get_trial_id_from_study_id_trial_number(study_id, number)


@dataclass
class Mirror:
    """A trial judged on a copy of the study, and its record in the shared study, which
    gets what is reported and what the pruner notes (a rung completed, say)."""

    local: optuna.storages.BaseStorage
    local_id: int
    shared: optuna.storages.BaseStorage
    shared_id: int
    noted: dict[str, Any]

    def report(self, value: float, epoch: int) -> None:
        """Record the epoch's value in the shared study."""
        self.shared.set_trial_intermediate_value(self.shared_id, epoch, value)

    def share_notes(self) -> None:
        """Copy the pruner's new notes on the trial to the shared study."""
        for key, value in self.local.get_trial(self.local_id).system_attrs.items():
            if self.noted.get(key) != value:
                self.shared.set_trial_system_attr(self.shared_id, key, value)
                self.noted[key] = value


class Reporter:
    """An epoch callback that reports the validation objective to the trial (and, with a
    mirror, to the shared study) and prunes on the pruner's word (``optuna.TrialPruned``)."""

    def __init__(
        self, trial: optuna.Trial, objective: str, mirror: Mirror | None = None
    ) -> None:
        self.trial = trial
        self.objective = objective
        self.mirror = mirror
        self.wants_scores = objective != "val_loss"
        self.epoch = 0

    def __call__(self, end: EpochEnd) -> None:
        """Report ``end``'s objective; stop the trial if the pruner says so."""
        self.epoch = end.epoch
        value = self.value(end)
        if value is None:
            return
        self.trial.report(value, end.epoch)
        if self.mirror is not None:
            self.mirror.report(value, end.epoch)
        prune = self.trial.should_prune()
        if self.mirror is not None:
            self.mirror.share_notes()
        if prune:
            raise optuna.TrialPruned(f"pruned at epoch {end.epoch}")

    def value(self, end: EpochEnd) -> float | None:
        """The objective at the epoch's end; None where it is undefined (one class)."""
        if not self.wants_scores:
            # A diverged training (NaN) fails its trial with the reason, unpruned.
            return None if np.isnan(end.val_loss) else end.val_loss
        if end.val_logits is None:
            return None
        from moons_classifier.metrics import weighted_scores  # noqa: PLC0415

        labels = end.val_labels.reshape(-1).numpy()
        probabilities = end.val_logits.sigmoid().reshape(-1).numpy()
        value = weighted_scores(labels, probabilities, np.ones((1, len(labels))))
        return (
            None
            if np.isnan(value[self.objective][0])
            else float(value[self.objective][0])
        )
