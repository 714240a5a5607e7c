"""The chapter's trained model and splits as the evaluation and reporting nodes take them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import torch

from moons_classifier.contracts import Metrics
from moons_classifier.params import EvaluationParams
from moons_classifier.pipelines.evaluation.nodes import compute_metrics
from tests.support.book_reference import BookRun, run_book

CONFUSION = {
    "0.3": [[6, 3], [0, 11]],
    "0.5": [[7, 2], [1, 10]],
    "0.7": [[9, 0], [2, 9]],
}
AUROC, AUPR = 0.9797979797979798, 0.9854312354312356


@dataclass(frozen=True)
class Chapter:
    """The reference run and the tables built from it."""

    book: BookRun
    train: pd.DataFrame
    val: pd.DataFrame
    history: pd.DataFrame
    predictions: pd.DataFrame
    metrics: Metrics

    @property
    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.book.state_dict


def frame(features: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """A two-feature table with the project's column names."""
    return pd.DataFrame({"x1": features[:, 0], "x2": features[:, 1], "y": labels})


@cache
def chapter() -> Chapter:
    """The chapter's run, computed once per test session."""
    book = run_book()
    train = frame(book.x_train, book.y_train)
    history = pd.DataFrame(
        {
            "epoch": range(1, 101),
            "train_loss": book.train_losses,
            "val_loss": book.val_losses,
        }
    )
    predictions = pd.DataFrame({"y": book.y_val, "probability": book.probabilities})
    return Chapter(
        book=book,
        train=train,
        val=frame(book.x_val, book.y_val),
        history=history,
        predictions=predictions,
        metrics=compute_metrics(predictions, train, history, EvaluationParams()),
    )
