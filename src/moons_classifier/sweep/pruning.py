"""Pruning: each epoch's objective reported to the trial, which the study's pruner may stop."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import optuna
import torch

from moons_classifier.metrics import areas_under_curves
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

    def trial(self) -> optuna.Trial:
        """The running trial, in a study with the sweep's pruner."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study = optuna.load_study(
                study_name=self.study,
                storage=self.storage,
                pruner=make_pruner(self.pruner),
            )
        # Optuna's objective functions get this Trial from study.optimize; a sweep asks
        # on the client and runs the trial on a worker, so it builds it here.
        return optuna.Trial(study, self.trial_id)


class Reporter:
    """An epoch callback that reports the validation objective and prunes on the pruner's
    word, raising ``optuna.TrialPruned``."""

    def __init__(self, trial: optuna.Trial, objective: str) -> None:
        self.trial = trial
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
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned at epoch {end.epoch}")

    def value(self, end: EpochEnd) -> float | None:
        """The objective at the epoch's end; None where it is undefined (one class)."""
        if not self.wants_scores:
            return end.val_loss
        if end.val_logits is None:
            return None
        labels = end.val_labels.reshape(-1).numpy()
        probabilities = torch.sigmoid(end.val_logits).reshape(-1).numpy()
        return areas_under_curves(labels, probabilities)[self.objective]
