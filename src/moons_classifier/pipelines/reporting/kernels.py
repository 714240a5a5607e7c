"""The reporting work on one pandas table (or one partition of a Dask table)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from moons_classifier.metrics import confusion_counts_at
from moons_classifier.tabular import LABEL


def with_probability(
    val: pd.DataFrame, predictions: pd.DataFrame, where: str = ""
) -> pd.DataFrame:
    """The validation features beside their predicted probability, row by row, once the
    predictions are found to hold the features' labels in the features' order (``where``
    names the table's part in the message)."""
    if len(val) != len(predictions) or not np.array_equal(
        val[LABEL].to_numpy(), predictions[LABEL].to_numpy()
    ):
        raise ValueError(
            f"The validation predictions ({len(predictions)} rows) do not line up with "
            f"the validation features ({len(val)} rows){where}: their sizes or labels differ. "
            "Re-run the evaluation pipeline on these features."
        )
    return val.assign(probability=predictions["probability"].to_numpy())


def partition_counts(
    predictions: pd.DataFrame, thresholds: Sequence[float]
) -> np.ndarray:
    """TN, FP, FN, TP of a pandas table's scored rows at each threshold, one row each."""
    return confusion_counts_at(
        predictions[LABEL].to_numpy(), predictions["probability"].to_numpy(), thresholds
    )


def as_counts(counts: Sequence[int] | np.ndarray) -> tuple[int, int, int, int]:
    """TN, FP, FN, TP as plain integers, from a row of counts or a 2x2 confusion matrix."""
    return tuple(int(c) for c in np.ravel(counts))


def probabilities(logits: np.ndarray) -> np.ndarray:
    """The probabilities of ``logits`` (their sigmoid), such as a decision grid's."""
    return 1 / (1 + np.exp(-logits))
