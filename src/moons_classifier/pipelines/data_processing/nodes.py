"""Nodes that generate, split and standardize the data, on either backend."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.partitions import check_parquet_files, is_dask
from moons_classifier.tabular import Table

from . import kernels


def _partitioned() -> ModuleType:
    """The Dask side of these nodes, imported only where Dask is used."""
    from moons_classifier.pipelines.data_processing import partitioned  # noqa: PLC0415

    return partitioned


def generate_moons(params: DataParams) -> Table:
    """Two interleaving half circles: features ``x1``, ``x2`` and the class ``y``.

    On the Dask backend, generated on the workers in partitions.
    """
    if params.backend == "dask":
        return _partitioned().generate_moons(params)
    return kernels.moons(params.n_samples, params.noise, params.random_state)


def select_source(
    moons: Table, table: Table | Callable[[], Table], params: DataParams
) -> Table:
    """The moons, or the user's table with its label renamed ``y``, per ``data.source``,
    on the backend ``data.backend`` names.

    ``table`` is the table, or a function that loads it (``LazyDataset``), called only
    when the table is the source. A Dask table (a parquet folder) is checked file by file
    and partition by partition before it is used.
    """
    if params.source == "moons":
        return moons
    if callable(table):
        table = table()
    dask = params.backend == "dask"
    if is_dask(table):
        check_parquet_files(table, "The source table")
        return (
            _partitioned().select_source(table, params)
            if dask
            else kernels.prepare_table(table.compute(), params)
        )
    prepared = kernels.prepare_table(table, params)
    return _partitioned().from_pandas(prepared, params) if dask else prepared


def subsample_positives(data: Table, params: DataParams) -> Table:
    """Drop positives at random until they make up ``params.positive_fraction`` of the rows.

    Without a ``positive_fraction`` the data is returned as generated. Dask partitions are
    thinned each on its own.
    """
    if params.positive_fraction is None:
        return data
    if is_dask(data):
        return _partitioned().subsample_positives(data, params)
    return kernels.thin_positives(data, params.positive_fraction, params.random_state)


def split_data(data: Table, params: SplitParams) -> tuple[Table, Table]:
    """Split rows into training and validation sets, as ``train_test_split`` shuffles them.

    Dask partitions are split each on its own.
    """
    if is_dask(data):
        return _partitioned().split_data(data, params)
    kernels.check_split_sizes(len(data), params)
    return kernels.split_rows(data, params.test_size, params.random_state)


def hold_out_test_split(data: Table, params: SplitParams) -> tuple[Table, pd.DataFrame]:
    """Set ``split.test_fraction`` of the rows aside for testing; without one, none.

    Not on the Dask backend, whose test split is always empty.
    """
    if is_dask(data):
        kernels.check_no_test_split(params)
        return data, _partitioned().empty_like(data)
    if params.test_fraction is None:
        return data, data.iloc[:0]
    if round(params.test_fraction * len(data)) < 2:  # noqa: PLR2004
        raise ValueError(
            f"split.test_fraction={params.test_fraction} of {len(data)} rows holds fewer "
            "than 2 test rows. Use more rows or a larger split.test_fraction."
        )
    development, test = train_test_split(
        data, test_size=params.test_fraction, random_state=params.random_state
    )
    kernels.check_both_classes("test", test)
    return development.reset_index(drop=True), test.reset_index(drop=True)


def fit_scaler(train: Table) -> StandardScaler:
    """Fit a ``StandardScaler`` on the training features only, remembering their names.

    On Dask partitions: fitted per partition on the workers, then merged in one pass.
    """
    if is_dask(train):
        return _partitioned().fit_scaler(train)
    return kernels.fitted_scaler(train)


def standardize_splits(
    train: Table, val: Table, scaler: StandardScaler
) -> tuple[Table, Table]:
    """Standardize the features of both splits with the training scaler; labels unchanged."""
    standardize = _partitioned().standardize if is_dask(train) else kernels.standardize
    return standardize(train, scaler), standardize(val, scaler)


def standardize_test_split(test: pd.DataFrame, scaler: StandardScaler) -> pd.DataFrame:
    """The test split standardized with the training scaler; an empty one as it is."""
    return kernels.standardize(test, scaler) if len(test) else test
