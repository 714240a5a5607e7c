"""What pipelines hand each other: the metrics evaluation writes, and the sweep's objectives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Contract(BaseModel):
    """A typed document: unknown keys are refused, and it is never changed once made."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassBalance(Contract):
    """The share of positives in the training and validation splits."""

    train_positive_rate: float
    val_positive_rate: float


class Areas(Contract):
    """AUROC and AUPR; None where the labels hold one class."""

    auroc: float | None
    aupr: float | None


class AtThreshold(Contract):
    """The confusion matrix at a threshold (sklearn layout) and the ratios derived from it."""

    confusion_matrix: list[list[int]]
    tpr: float | None
    fpr: float | None
    precision: float | None
    recall: float | None
    accuracy: float | None
    f1: float | None


class SelectedThreshold(Contract):
    """The operating threshold the configured criterion picks, and its metrics; or none."""

    criterion: str | dict[str, Any]
    threshold: float | None = Field(ge=0, le=1)
    metrics: AtThreshold | None


class AucErrorBounds(Contract):
    """How far the Dask backend's histogram areas can lie from the exact ones."""

    model: Areas
    random_baseline: Areas


class Metrics(Contract):
    """A model's validation metrics: what ``metrics.json`` holds, from either backend."""

    n_train: int
    n_val: int
    class_balance: ClassBalance
    pr_baseline: float
    final_train_loss: float
    final_val_loss: float
    auroc: float | None
    aupr: float | None
    random_baseline: Areas
    thresholds: dict[str, AtThreshold]
    selected_threshold: SelectedThreshold
    auc_error_bounds: AucErrorBounds | None = None

    def at(self, threshold: float) -> AtThreshold:
        """The metrics at one of the configured ``evaluation.thresholds``."""
        return self.thresholds[str(threshold)]

    def document(self) -> dict[str, Any]:
        """The JSON document, in field order; ``auc_error_bounds`` only where there are some."""
        absent = set() if self.auc_error_bounds is not None else {"auc_error_bounds"}
        return self.model_dump(exclude=absent)


ObjectiveName = Literal["aupr", "auroc", "val_loss"]


@dataclass(frozen=True)
class Objective:
    """What a sweep optimizes: its name, its direction and the ``Metrics`` field it reads."""

    name: ObjectiveName
    direction: Literal["maximize", "minimize"]
    key: str

    def of(self, metrics: Metrics) -> float | None:
        """This objective's value in ``metrics``; None where it is undefined."""
        return getattr(metrics, self.key)


OBJECTIVES: dict[str, Objective] = {
    objective.name: objective
    for objective in (
        Objective("aupr", "maximize", "aupr"),
        Objective("auroc", "maximize", "auroc"),
        Objective("val_loss", "minimize", "final_val_loss"),
    )
}
