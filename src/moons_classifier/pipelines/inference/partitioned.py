"""The inference nodes' Dask side: values checked and points scored partition by partition."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler

from . import kernels


def check_values(points: dd.DataFrame, features: list[str]) -> None:
    """Check every partition's feature values on the workers (one pass), then that the
    input has rows."""
    counts = dask.compute(
        *(
            dask.delayed(_checked_rows)(part, features, index)
            for index, part in enumerate(points.to_delayed())
        )
    )
    kernels.check_not_empty(sum(counts))


def _checked_rows(part: pd.DataFrame, features: list[str], index: int) -> int:
    """The number of rows of partition ``index``, once its feature values are checked."""
    kernels.check_feature_values(part, features, f" of partition {index}")
    return len(part)


def score(
    points: dd.DataFrame,
    scaler: StandardScaler,
    model: torch.nn.Module,
    threshold: float,
) -> dd.DataFrame:
    """``kernels.score`` on each partition, on the workers."""
    meta = points._meta.assign(  # noqa: SLF001
        probability=pd.Series(dtype=np.float32),
        predicted_class=pd.Series(dtype=int),
        threshold=pd.Series(dtype=np.float64),
    )
    return points.map_partitions(kernels.score, scaler, model, threshold, meta=meta)
