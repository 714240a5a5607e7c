"""Pruning: each epoch's objective reported to the trial, which the study's pruner may stop."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import optuna
import torch

from moons_classifier.metrics import weighted_scores
from moons_classifier.trainer import EpochEnd

PRUNERS = {
    "median": optuna.pruners.MedianPruner,
    "hyperband": optuna.pruners.HyperbandPruner,
}


def make_pruner(name: str) -> optuna.pruners.BasePruner:
    """The pruner ``sweep.pruner`` names (``none``: no pruning)."""
    return PRUNERS.get(name, optuna.pruners.NopPruner)()


@dataclass(frozen=True)
class Pruning:
    """Where a worker finds the trial to report to: the study's storage (kept on the Dask
    scheduler), its name, the trial's id, the pruner and the objective."""

    storage: optuna.storages.BaseStorage
    study: str
    trial_id: int
    pruner: str
    objective: str

    def reporter(self) -> Reporter:
        """A reporter to the running trial, which the pruner judges on a copy of the
        study taken now: one read of the shared study per trial, not one per epoch."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            shared = optuna.load_study(study_name=self.study, storage=self.storage)
        snapshot = optuna.create_study(
            study_name=self.study,
            direction=shared.direction,
            pruner=make_pruner(self.pruner),
        )
        for trial in shared.get_trials(deepcopy=False):  # numbered as in the study
            snapshot.add_trial(trial)
            if trial._trial_id == self.trial_id:  # noqa: SLF001  (a storage's id)
                running = optuna.Trial(snapshot, snapshot.trials[-1]._trial_id)  # noqa: SLF001
        # Optuna's objective functions get their Trial from study.optimize; a sweep asks
        # on the client and runs the trial on a worker, which builds it here.
        return Reporter(running, self.objective, optuna.Trial(shared, self.trial_id))


class Reporter:
    """An epoch callback that reports the validation objective to the trial, and to the
    shared study's record of it, and prunes on the pruner's word (``optuna.TrialPruned``)."""

    def __init__(
        self, trial: optuna.Trial, objective: str, shared: optuna.Trial | None = None
    ) -> None:
        self.trial = trial
        self.shared = shared
        self.shared_attrs: dict[str, object] = {}
        self.objective = objective
        self.wants_scores = objective != "val_loss"
        self.epoch = 0

    def __call__(self, end: EpochEnd) -> None:
        """Report ``end``'s objective; stop the trial if the pruner says so."""
        self.epoch = end.epoch
        value = self.value(end)
        if value is None:
            return
        self.trial.report(value, end.epoch)
        if self.shared is not None:
            self.shared.report(value, end.epoch)
        prune = self.trial.should_prune()
        self.share_pruner_state()
        if prune:
            raise optuna.TrialPruned(f"pruned at epoch {end.epoch}")

    def share_pruner_state(self) -> None:
        """Copy what the pruner noted on the trial (a rung it completed, say) to the
        shared study, where later trials' pruners look for it."""
        if self.shared is None:
            return
        noted = self.trial._get_latest_trial().system_attrs  # noqa: SLF001  (in memory)
        storage = self.shared.study._storage  # noqa: SLF001
        for key, value in noted.items():
            if self.shared_attrs.get(key) != value:
                storage.set_trial_system_attr(self.shared._trial_id, key, value)  # noqa: SLF001
                self.shared_attrs[key] = value

    def value(self, end: EpochEnd) -> float | None:
        """The objective at the epoch's end; None where it is undefined (one class)."""
        if not self.wants_scores:
            return end.val_loss
        if end.val_logits is None:
            return None
        labels = end.val_labels.reshape(-1).numpy()
        probabilities = torch.sigmoid(end.val_logits).reshape(-1).numpy()
        value = weighted_scores(labels, probabilities, np.ones((1, len(labels))))
        return (
            None
            if np.isnan(value[self.objective][0])
            else float(value[self.objective][0])
        )
