"""The data-processing work on one pandas table (or one partition of a Dask table)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.tabular import LABEL, feature_columns, feature_matrix


def moons(n_samples: int, noise: float, random_state: int) -> pd.DataFrame:
    """Two interleaving half circles: features ``x1``, ``x2`` and the class ``y``."""
    features, labels = make_moons(
        n_samples=n_samples, noise=noise, random_state=random_state
    )
    return pd.DataFrame({"x1": features[:, 0], "x2": features[:, 1], LABEL: labels})


def prepare_table(table: pd.DataFrame, params: DataParams) -> pd.DataFrame:
    """The table's feature columns as float64 and its 0/1 label as ``y``, once the columns
    the parameters pick pass ``schemas.source_schema``."""
    from moons_classifier import schemas  # noqa: PLC0415

    features = checked_feature_columns(table, params)
    checked = schemas.validated_table(
        table, schemas.source_schema(params.label_column, features)
    )
    return as_source(checked, features, params.label_column)


def as_source(
    table: pd.DataFrame, features: list[str], label_column: str
) -> pd.DataFrame:
    """The checked table's ``features`` as float64 and its label as the integer ``y``."""
    return pd.DataFrame(
        {
            **{c: table[c].astype(np.float64) for c in features},
            LABEL: table[label_column].astype(int),
        }
    )


def checked_feature_columns(table: pd.DataFrame, params: DataParams) -> list[str]:
    """The table's feature columns per ``data``: distinct, present, other than the label."""
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
    if missing:
        raise ValueError(
            f"data.feature_columns must name columns of the source table; missing: "
            f"{missing} (columns: {list(table.columns)}). Fix the list or the table."
        )
    return features


def thin_positives(
    data: pd.DataFrame, positive_fraction: float, random_state: int
) -> pd.DataFrame:
    """``data`` with positives dropped at random until they are ``positive_fraction`` of it."""
    positives = np.flatnonzero(data[LABEL].to_numpy() == 1)
    n_neg = len(data) - len(positives)
    wanted = round(positive_fraction * n_neg / (1 - positive_fraction))
    if not 1 <= wanted <= len(positives):
        raise ValueError(
            f"data.positive_fraction={positive_fraction} needs {wanted} positives "
            f"beside {n_neg} negatives, and the data has {len(positives)}; at least one "
            "is needed and no more than there are. Choose another fraction, or more data."
        )
    rng = np.random.default_rng(random_state)
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


def check_no_test_split(params: SplitParams) -> None:
    """Refuse a held-out test split on the Dask backend."""
    if params.test_fraction is not None:
        raise ValueError(
            f"split.test_fraction={params.test_fraction}: a held-out test split is not "
            "available with data.backend=dask (its bootstrap intervals need the split in "
            "memory). Set split.test_fraction to null, or use data.backend=pandas."
        )


def split_rows(
    data: pd.DataFrame, test_size: float, random_state: int, where: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and validation rows as ``train_test_split`` shuffles them, both classes in
    each (``where`` names the table's part in the message)."""
    train, val = train_test_split(data, test_size=test_size, random_state=random_state)
    for name, part in (("training", train), ("validation", val)):
        check_both_classes(f"{name}{where}", part)
    return train.reset_index(drop=True), val.reset_index(drop=True)


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


def fitted_scaler(train: pd.DataFrame) -> StandardScaler:
    """A ``StandardScaler`` fitted on the training features, remembering their names."""
    scaler = StandardScaler().fit(feature_matrix(train))
    scaler.feature_names_in_ = np.asarray(feature_columns(train), dtype=object)
    return scaler


def standardize(data: pd.DataFrame, scaler: StandardScaler) -> pd.DataFrame:
    """A copy of ``data`` whose feature columns are standardized with ``scaler``."""
    columns = feature_columns(data)
    scaled = data.copy()
    scaled[columns] = scaler.transform(data[columns])
    return scaled
