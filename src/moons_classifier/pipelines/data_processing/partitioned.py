"""The data-processing nodes' Dask side: each partition worked on its own, on the workers."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.partitions import (
    partition_number,
    partition_seed,
    partition_sizes,
)
from moons_classifier.tabular import LABEL, feature_columns

from . import kernels


def generate_moons(params: DataParams) -> dd.DataFrame:
    """The moons in partitions of ``data.partition_rows`` rows, each seeded by its index."""
    sizes = partition_sizes(params.n_samples, params.partition_rows)
    return dd.from_map(
        _moons_partition,
        sizes,
        range(len(sizes)),
        params=params,
        meta=_moons_partition(1, 0, params).iloc[:0],
        enforce_metadata=False,
    )


def _moons_partition(n_rows: int, index: int, params: DataParams) -> pd.DataFrame:
    """Partition ``index`` of the moons: ``n_rows`` of them from its own seed."""
    return kernels.moons(
        n_rows, params.noise, partition_seed(params.random_state, index)
    )


def from_pandas(table: pd.DataFrame, params: DataParams) -> dd.DataFrame:
    """A pandas table as Dask partitions of at most ``data.partition_rows`` rows."""
    return dd.from_pandas(table, chunksize=params.partition_rows, sort=False)


def select_source(table: dd.DataFrame, params: DataParams) -> dd.DataFrame:
    """The user's partitioned table with its label renamed, once every partition passes
    ``schemas.source_schema`` on the workers (one pass); a bad value is named by its
    partition, its file and its row there."""
    from moons_classifier import schemas  # noqa: PLC0415

    columns = kernels.checked_feature_columns(table._meta, params)  # noqa: SLF001
    schemas.check_partitions(table, schemas.source_schema(params.label_column, columns))
    return table.map_partitions(
        kernels.as_source,
        columns,
        params.label_column,
        meta=pd.DataFrame(
            {
                **{c: pd.Series(dtype=np.float64) for c in columns},
                LABEL: pd.Series(dtype=int),
            }
        ),
    )


def subsample_positives(data: dd.DataFrame, params: DataParams) -> dd.DataFrame:
    """Each partition's positives thinned on its own, from its own seed."""
    return data.map_partitions(_subsample_partition, params, meta=data._meta)  # noqa: SLF001


def _subsample_partition(
    part: pd.DataFrame, params: DataParams, partition_info: dict | None = None
) -> pd.DataFrame:
    """``subsample_positives`` on one partition."""
    seed = partition_seed(params.random_state, partition_number(partition_info))
    return kernels.thin_positives(part, params.positive_fraction, seed)


def empty_like(data: dd.DataFrame) -> pd.DataFrame:
    """A pandas table with ``data``'s columns and no rows."""
    return data._meta.copy()  # noqa: SLF001


def split_data(
    data: dd.DataFrame, params: SplitParams
) -> tuple[dd.DataFrame, dd.DataFrame]:
    """Each partition split into training and validation rows from its own seed."""
    meta = data._meta  # noqa: SLF001
    return tuple(
        data.map_partitions(_split_partition, params, side, meta=meta)
        for side in (0, 1)
    )


def _split_partition(
    part: pd.DataFrame,
    params: SplitParams,
    side: int,
    partition_info: dict | None = None,
) -> pd.DataFrame:
    """The training (``side`` 0) or validation (1) rows of one partition."""
    index = partition_number(partition_info)
    kernels.check_split_sizes(len(part), params)
    return kernels.split_rows(
        part,
        params.test_size,
        partition_seed(params.random_state, index),
        where=f" part of partition {index}",
    )[side]


def fit_scaler(train: dd.DataFrame) -> StandardScaler:
    """A ``StandardScaler`` of the training features: one per partition, merged exactly."""
    scalers = dask.compute(
        *(dask.delayed(kernels.fitted_scaler)(part) for part in train.to_delayed())
    )
    merged = scalers[0]
    for scaler in scalers[1:]:
        merged = _merge(merged, scaler)
    merged.feature_names_in_ = np.asarray(feature_columns(train), dtype=object)
    return merged


def _merge(a: StandardScaler, b: StandardScaler) -> StandardScaler:
    """The scaler of two tables' rows from theirs (Chan et al.'s pairwise mean and variance)."""
    n = a.n_samples_seen_ + b.n_samples_seen_
    delta = b.mean_ - a.mean_
    merged = StandardScaler()
    merged.n_features_in_ = a.n_features_in_
    merged.n_samples_seen_ = n
    merged.mean_ = a.mean_ + delta * (b.n_samples_seen_ / n)
    merged.var_ = (
        a.var_ * a.n_samples_seen_
        + b.var_ * b.n_samples_seen_
        + delta**2 * (a.n_samples_seen_ * b.n_samples_seen_ / n)
    ) / n
    merged.scale_ = np.where(merged.var_ == 0, 1.0, np.sqrt(merged.var_))
    return merged


def standardize(data: dd.DataFrame, scaler: StandardScaler) -> dd.DataFrame:
    """``data`` with its features standardized by ``scaler``, partition by partition."""
    return data.map_partitions(kernels.standardize, scaler, meta=data._meta)  # noqa: SLF001
