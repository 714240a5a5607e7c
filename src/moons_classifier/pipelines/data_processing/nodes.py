"""Nodes that generate, split and standardize the data."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pandas as pd
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.partitions import is_dask
from moons_classifier.tabular import LABEL, Table, feature_columns, feature_matrix


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
    features, labels = make_moons(
        n_samples=params.n_samples, noise=params.noise, random_state=params.random_state
    )
    return pd.DataFrame({"x1": features[:, 0], "x2": features[:, 1], LABEL: labels})


def select_source(
    moons: Table, table: Table | Callable[[], Table], params: DataParams
) -> Table:
    """The moons, or the user's table with its label renamed ``y``, per ``data.source``,
    on the backend ``data.backend`` names.

    ``table`` is the table, or a function that loads it (``LazyDataset``), called only
    when the table is the source. A Dask table (a parquet folder) is checked partition by
    partition.
    """
    if params.source == "moons":
        return moons
    if callable(table):
        table = table()
    dask = params.backend == "dask"
    if is_dask(table):
        return (
            _partitioned().select_source(table, params)
            if dask
            else prepare_table(table.compute(), params)
        )
    prepared = prepare_table(table, params)
    return _partitioned().from_pandas(prepared, params) if dask else prepared


def prepare_table(table: pd.DataFrame, params: DataParams) -> pd.DataFrame:
    """The table's feature columns as float64 and its 0/1 label as ``y``, once checked."""
    features = checked_feature_columns(table, params)
    labels = table[params.label_column]
    bad_labels = ~labels.isin([0, 1])
    if bad_labels.any():
        row = int(np.flatnonzero(bad_labels.to_numpy())[0])
        raise ValueError(
            f"The label column {params.label_column!r} must hold only 0 and 1; data row "
            f"{row + 1} holds {labels.tolist()[row]!r} ({int(bad_labels.sum())} row(s) "
            "in all hold other values). Fix or drop those rows."
        )
    values = table[features].to_numpy(dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        row, column = (int(i[0]) for i in np.nonzero(~finite))
        raise ValueError(
            f"The source table's feature column {features[column]!r} holds "
            f"{values[row, column]} (missing, NaN or infinite) in data row {row + 1}. "
            "Fill or drop that row."
        )
    return pd.DataFrame(
        {
            **{c: table[c].astype(np.float64) for c in features},
            LABEL: labels.astype(int),
        }
    )


def checked_feature_columns(table: pd.DataFrame, params: DataParams) -> list[str]:
    """The table's feature columns per ``data``: distinct, numeric, other than the label."""
    if params.label_column not in table.columns:
        raise ValueError(
            f"data.label_column={params.label_column!r} is not a column of the source table "
            f"(columns: {list(table.columns)}). Set data.label_column to the 0/1 label column."
        )
    features = params.feature_columns or [
        c for c in table.columns if c != params.label_column
    ]
    if (
        not features
        or params.label_column in features
        or len(set(features)) < len(features)
    ):
        raise ValueError(
            f"data.feature_columns={features} must name one or more distinct columns "
            f"other than the label {params.label_column!r}."
        )
    if LABEL in features and params.label_column != LABEL:
        raise ValueError(
            f"The source table's feature column {LABEL!r} would be overwritten by the label "
            f"({params.label_column!r}), which the project names {LABEL!r}. Rename that "
            "column or leave it out of data.feature_columns."
        )
    missing = [c for c in features if c not in table.columns]
    non_numeric = [
        c
        for c in features
        if c in table.columns and not pd.api.types.is_numeric_dtype(table[c])
    ]
    if missing or non_numeric:
        raise ValueError(
            f"data.feature_columns must name numeric columns of the source table; missing: "
            f"{missing}, not numeric: {non_numeric}. Fix the list or the table."
        )
    return features


def subsample_positives(data: Table, params: DataParams) -> Table:
    """Drop positives at random until they make up ``params.positive_fraction`` of the rows.

    Without a ``positive_fraction`` the data is returned as generated. Dask partitions are
    thinned each on its own.
    """
    if params.positive_fraction is None:
        return data
    if is_dask(data):
        return _partitioned().subsample_positives(data, params)
    positives = np.flatnonzero(data[LABEL].to_numpy() == 1)
    n_neg = len(data) - len(positives)
    wanted = round(params.positive_fraction * n_neg / (1 - params.positive_fraction))
    if not 1 <= wanted <= len(positives):
        raise ValueError(
            f"data.positive_fraction={params.positive_fraction} needs {wanted} positives "
            f"beside {n_neg} negatives, and the data has {len(positives)}; at least one "
            "is needed and no more than there are. Choose another fraction, or more data."
        )
    rng = np.random.default_rng(params.random_state)
    dropped = rng.choice(positives, size=len(positives) - wanted, replace=False)
    return data.drop(index=data.index[dropped]).reset_index(drop=True)


def check_split_sizes(n_rows: int, params: SplitParams) -> None:
    """Refuse a ``split.test_size`` that leaves fewer than 2 training or 1 validation rows."""
    n_val = math.ceil(params.test_size * n_rows)
    if n_rows - n_val < 2 or n_val < 1:  # noqa: PLR2004
        raise ValueError(
            f"split.test_size={params.test_size} on {n_rows} rows leaves "
            f"{n_rows - n_val} training and {n_val} validation rows; both sets need "
            "rows. Use more rows (data.n_samples, or a larger table) or a test_size "
            "nearer 0.5."
        )


def split_data(data: Table, params: SplitParams) -> tuple[Table, Table]:
    """Split rows into training and validation sets, as ``train_test_split`` shuffles them.

    Dask partitions are split each on its own.
    """
    if is_dask(data):
        return _partitioned().split_data(data, params)
    check_split_sizes(len(data), params)
    train, val = train_test_split(
        data, test_size=params.test_size, random_state=params.random_state
    )
    for name, part in (("training", train), ("validation", val)):
        check_both_classes(name, part)
    return train.reset_index(drop=True), val.reset_index(drop=True)


def check_no_test_split(params: SplitParams) -> None:
    """Refuse a held-out test split on the Dask backend."""
    if params.test_fraction is not None:
        raise ValueError(
            f"split.test_fraction={params.test_fraction}: a held-out test split is not "
            "available with data.backend=dask (its bootstrap intervals need the split in "
            "memory). Set split.test_fraction to null, or use data.backend=pandas."
        )


def hold_out_test_split(data: Table, params: SplitParams) -> tuple[Table, pd.DataFrame]:
    """Set ``split.test_fraction`` of the rows aside for testing; without one, none.

    Not on the Dask backend, whose test split is always empty.
    """
    if is_dask(data):
        check_no_test_split(params)
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
    check_both_classes("test", test)
    return development.reset_index(drop=True), test.reset_index(drop=True)


def check_both_classes(name: str, part: pd.DataFrame) -> None:
    """Refuse a split that holds one class only."""
    classes = sorted({int(c) for c in np.unique(part[LABEL])})
    if classes != [0, 1]:
        raise ValueError(
            f"The {name} split ({len(part)} rows) holds only class(es) {classes}; "
            "the model needs both classes 0 and 1 to learn, and the metrics "
            "(ROC and PR curves, the threshold selection) need both to be defined. "
            "Use more rows (data.n_samples for the moons, a larger table for "
            "data.source=table; fewer dropped by data.positive_fraction), another "
            "split.test_size, split.test_fraction or split.random_state."
        )


def fit_scaler(train: Table) -> StandardScaler:
    """Fit a ``StandardScaler`` on the training features only, remembering their names.

    On Dask partitions: fitted per partition on the workers, then merged in one pass.
    """
    if is_dask(train):
        return _partitioned().fit_scaler(train)
    scaler = StandardScaler().fit(feature_matrix(train))
    scaler.feature_names_in_ = np.asarray(feature_columns(train), dtype=object)
    return scaler


def standardize_splits(
    train: Table, val: Table, scaler: StandardScaler
) -> tuple[Table, Table]:
    """Standardize the features of both splits with the training scaler; labels unchanged."""
    if is_dask(train):
        partitioned = _partitioned()
        return partitioned.standardize(train, scaler), partitioned.standardize(
            val, scaler
        )
    return standardize(train, scaler), standardize(val, scaler)


def standardize_test_split(test: pd.DataFrame, scaler: StandardScaler) -> pd.DataFrame:
    """The test split standardized with the training scaler; an empty one as it is."""
    return standardize(test, scaler) if len(test) else test


def standardize(data: pd.DataFrame, scaler: StandardScaler) -> pd.DataFrame:
    """A copy of ``data`` whose feature columns are standardized with ``scaler``."""
    columns = feature_columns(data)
    scaled = data.copy()
    scaled[columns] = scaler.transform(data[columns])
    return scaled
