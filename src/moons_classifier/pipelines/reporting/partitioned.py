"""The reporting nodes' Dask side: seeded samples and exact counts, one pass over the partitions."""

from __future__ import annotations

from collections.abc import Sequence

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from moons_classifier.partitions import partition_number, partition_seed, tree_sum

from . import kernels

KEY = "__sample_key"


def sample_rows(table: dd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """A uniform sample of ``min(n, len(table))`` rows: those with the ``n`` smallest
    random keys, each partition's keys drawn from its own seed (reduced on the workers)."""
    keyed = table.map_partitions(
        _with_keys,
        seed,
        meta=table._meta.assign(**{KEY: np.float64()}),  # noqa: SLF001
    )
    drawn = keyed.nsmallest(n, KEY).compute()
    return drawn.drop(columns=KEY).reset_index(drop=True)


def _with_keys(
    part: pd.DataFrame, seed: int, partition_info: dict | None = None
) -> pd.DataFrame:
    """``part`` with a uniform random key per row, from the partition's seed."""
    index = partition_number(partition_info)
    rng = np.random.default_rng(partition_seed(seed, index))
    return part.assign(**{KEY: rng.random(len(part))})


def with_probability(val: dd.DataFrame, predictions: dd.DataFrame) -> dd.DataFrame:
    """The validation features beside their predicted probability, partition by partition."""
    if val.npartitions != predictions.npartitions:
        raise ValueError(
            f"The validation predictions ({predictions.npartitions} partitions) do not "
            f"line up with the validation features ({val.npartitions} partitions). "
            "Re-run the evaluation pipeline on these features."
        )
    meta = val._meta.assign(probability=predictions._meta["probability"])  # noqa: SLF001
    return val.map_partitions(
        _with_probability_partition, predictions, meta=meta, align_dataframes=False
    )


def _with_probability_partition(
    val: pd.DataFrame, predictions: pd.DataFrame, partition_info: dict | None = None
) -> pd.DataFrame:
    """``kernels.with_probability`` on one pair of partitions."""
    index = partition_number(partition_info)
    return kernels.with_probability(val, predictions, f" in partition {index}")


def threshold_counts(
    predictions: dd.DataFrame, thresholds: Sequence[float]
) -> np.ndarray:
    """TN, FP, FN, TP of every row at each threshold, summed over the partitions."""
    parts = [
        dask.delayed(kernels.partition_counts)(part, thresholds)
        for part in predictions.to_delayed()
    ]
    (counts,) = dask.compute(tree_sum(parts))
    return counts
