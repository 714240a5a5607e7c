"""The inference nodes' Dask side: points scored partition by partition."""

from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler

from . import kernels


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
