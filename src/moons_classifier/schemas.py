"""The tables' pandera schemas, and the catalog validator that refuses a table naming the
column, the row and the fix (``validator:`` in ``conf/base/catalog/``).

The schemas are ``DataFrameSchema`` objects, not ``DataFrameModel`` classes: pandera
builds a model's schema by importing its Dask typing, so Dask, wherever it is installed,
would be imported by every pandas run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from kedro.utils import load_obj
from kedro.validation.exceptions import CheckFailure, DataValidationError
from pandera.errors import SchemaErrors

from moons_classifier.partitions import (
    check_parquet_files,
    is_dask,
    partition_names,
    partition_number,
)
from moons_classifier.tabular import LABEL, OUTPUT_COLUMNS

SOURCE_LABEL = "target"
# Column patterns: every column but the label.
SOURCE_FEATURES = rf"^(?!{SOURCE_LABEL}$)"
MODEL_FEATURES = rf"^(?!{LABEL}$)"
# The errors of the checks below, as the messages say them after the column's name.
FINITE = "must hold finite numbers"
ZERO_OR_ONE = "must hold only 0 and 1"
# Dataframe checks of a whole table, which one of its Dask partitions may fail (an empty one).
WHOLE_TABLE_CHECKS = frozenset({"has_rows"})
HELP = "docs/safety.md, Table schemas"


def is_finite(values: pd.Series) -> pd.Series:
    """Where ``values`` is a finite number."""
    return np.isfinite(values)


def is_zero_or_one(values: pd.Series) -> pd.Series:
    """Where ``values`` is 0 or 1."""
    return values.isin([0, 1])


def has_rows(table: pd.DataFrame) -> bool:
    """Whether ``table`` has a row."""
    return len(table) > 0


def has_no_output_column(table: pd.DataFrame) -> bool:
    """Whether no column of ``table`` is one the predictions write."""
    return not set(OUTPUT_COLUMNS) & set(table.columns)


def feature(*, coerce: bool = True, **column: Any) -> pa.Column:
    """A feature column: finite float64 numbers (read from numbers in any other type or
    in text, unless not ``coerce``); ``column`` as ``pa.Column`` takes it."""
    return pa.Column(
        np.float64,
        pa.Check(is_finite, name="finite", error=FINITE),
        coerce=coerce,
        **column,
    )


def label(dtype: Any = None) -> pa.Column:
    """A 0/1 label column (of ``dtype``, if given)."""
    return pa.Column(
        dtype, pa.Check(is_zero_or_one, name="zero_or_one", error=ZERO_OR_ONE)
    )


SourceTable = pa.DataFrameSchema(
    {
        SOURCE_LABEL: label(),
        SOURCE_FEATURES: feature(
            regex=True, title=f"feature column (every column but {SOURCE_LABEL!r})"
        ),
    },
    name="The source table",
    description=(
        "SourceTable is the schema of the shipped breast_cancer.csv (a 0/1 label "
        f"'{SOURCE_LABEL}', every other column a feature): for a table of your own, "
        f"declare its schema and name it in the entry's validator ({HELP})."
    ),
)

# The moons model's points: at least one row, finite x1 and x2, any other column kept
# but none that the predictions write.
POINTS_CHECKS = [
    pa.Check(
        has_rows,
        name="has_rows",
        error="has no rows: give at least one row of features",
    ),
    pa.Check(
        has_no_output_column,
        name="no_output_columns",
        error=(
            f"has a column the predictions write ({', '.join(OUTPUT_COLUMNS)}), which "
            "scoring would replace. Rename or drop it in the input"
        ),
    ),
]
InferencePoints = pa.DataFrameSchema(
    {"x1": feature(), "x2": feature()},
    checks=POINTS_CHECKS,
    name="The inference input",
    description=(
        "InferencePoints is the schema of the moons model's points (x1, x2): for a "
        "model of other features, declare its input's schema and name it in the "
        f"entry's validator ({HELP})."
    ),
)

ModelInput = pa.DataFrameSchema(
    {
        LABEL: label(int),
        MODEL_FEATURES: feature(
            coerce=False,
            regex=True,
            title=f"feature column (every column but {LABEL!r})",
        ),
    },
    name="The model input",
    description=(
        "ModelInput is the schema of the standardized splits that the data-processing "
        "nodes write from the checked source: the node that returned this table made "
        "it wrong."
    ),
)


def as_schema(schema: Any) -> pa.DataFrameSchema:
    """The ``DataFrameSchema`` of a ``DataFrameModel`` class, or the schema itself."""
    return schema.to_schema() if isinstance(schema, type) else schema


def source_schema(label_column: str, features: Sequence[str]) -> pa.DataFrameSchema:
    """``SourceTable``'s rules on the columns the parameters pick: ``label_column`` 0 or
    1, each of ``features`` a finite number."""
    return pa.DataFrameSchema(
        {label_column: label(), **{name: feature() for name in features}},
        name=SourceTable.name,
        description=(
            "data.label_column names the label and data.feature_columns the features "
            "(default: every other column); leave a column that is no feature out of "
            "data.feature_columns."
        ),
    )


def points_schema(features: Sequence[str]) -> pa.DataFrameSchema:
    """``InferencePoints`` for a model of ``features``: each a finite number, as x1 and x2."""
    return pa.DataFrameSchema(
        {name: feature() for name in features},
        checks=POINTS_CHECKS,
        name=InferencePoints.name,
        description=InferencePoints.description,
    )


class TableError(DataValidationError):
    """A table refused by its schema: one line per failure, naming the column, the row
    and the fix, then the schema's description."""

    def __init__(
        self,
        message: str,
        failures: list[CheckFailure] | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(message, failures=failures)
        self.description = description

    @staticmethod
    def _render_failure(failure: CheckFailure) -> str:
        """The failure's own message, whole."""
        return failure.message

    def __str__(self) -> str:
        return "\n".join(filter(None, [super().__str__(), self.description]))


def refused(
    schema: pa.DataFrameSchema, failures: list[CheckFailure], part: str = ""
) -> TableError:
    """The error refusing a table (or its ``part``) that fails ``schema``."""
    where = f" in {part}" if part else ""
    return TableError(
        f"{table_name(schema)} fails its schema{where}", failures, schema.description
    )


def table_name(schema: pa.DataFrameSchema) -> str:
    """The table ``schema`` describes, as messages name it ("The source table")."""
    return schema.name or "The table"


class TableValidator:
    """Kedro's ``validator:`` of a table against the pandera schema (a ``DataFrameModel``
    or ``DataFrameSchema``) at the dotted path ``schema``."""

    def __init__(self, schema: str) -> None:
        self.schema = as_schema(load_obj(schema))

    def validate(self, data: Any) -> Any:
        """``data`` checked: a pandas table now, a Dask table partition by partition as it
        is read, a function loading a table (``LazyDataset``) when it is called."""
        return validated(data, self.schema)


def validated(data: Any, schema: pa.DataFrameSchema) -> Any:
    """A pandas table as ``schema`` coerces it, a Dask table validated partition by
    partition, or a loader whose table is validated; a ``TableError`` if refused."""
    if isinstance(data, pd.DataFrame):
        return validated_table(data, schema)
    if is_dask(data):
        return validated_partitions(data, schema)
    if callable(data):
        return partial(_load_validated, data, schema)
    raise TypeError(
        f"{table_name(schema)} is a table: a pandas or Dask DataFrame, or a function "
        f"loading one, not a {type(data).__name__}."
    )


def _load_validated(load: Callable[[], Any], schema: pa.DataFrameSchema) -> Any:
    """What ``load`` returns, validated."""
    return validated(load(), schema)


def validated_table(
    table: pd.DataFrame, schema: pa.DataFrameSchema, part: str = ""
) -> pd.DataFrame:
    """``table`` as ``schema`` coerces it (its index kept), or a ``TableError`` naming each
    failure's column, first data row (of ``part``, if named) and fix."""
    check_distinct_columns(table, schema)
    positional = table.index.equals(pd.RangeIndex(len(table)))
    try:
        checked = schema.validate(
            table.copy(deep=False) if positional else table.reset_index(drop=True),
            lazy=True,
            inplace=True,
        )
    except SchemaErrors as errors:
        found = failures(errors, schema, part)
    else:
        return checked if positional else checked.set_axis(table.index)
    # Raised outside the handler: pandera's report (the whole table) is not its context.
    raise refused(schema, found, part)


def check_distinct_columns(table: pd.DataFrame, schema: pa.DataFrameSchema) -> None:
    """Refuse a table with two columns of one name, which no check could tell apart."""
    repeated = sorted(set(table.columns[table.columns.duplicated()]))
    if repeated:
        failure = CheckFailure(
            message=f"{table_name(schema)} has more than one column named {repeated}. "
            "Rename or drop the repeated columns.",
            check="distinct_columns",
        )
        raise refused(schema, [failure])


def validated_partitions(table: Any, schema: pa.DataFrameSchema) -> Any:
    """The Dask ``table``, each partition validated as it is read; its columns, and a
    parquet folder's files by their footers, now, and its checks of a whole table (has it
    rows?) where the schema has any."""
    import dask  # noqa: PLC0415

    check_parquet_files(table, table_name(schema))
    checked = partition_schema(schema)
    meta = validated_table(table._meta, checked)  # noqa: SLF001
    whole = [c for c in schema.checks if c.name in WHOLE_TABLE_CHECKS]
    if whole and len(table) == 0:  # a parquet folder's length is read from its footers
        validated_table(table._meta, schema)  # noqa: SLF001  (refused: it has no rows)
    names = dask.delayed(partition_names(table), pure=True)  # one key, not one per task
    return table.map_partitions(_validated_partition, checked, names, meta=meta)


def _validated_partition(
    part: pd.DataFrame,
    schema: pa.DataFrameSchema,
    names: list[str],
    partition_info: dict | None = None,
) -> pd.DataFrame:
    """One partition validated, named in the message by ``names``."""
    return validated_table(part, schema, names[partition_number(partition_info)])


def check_partitions(table: Any, schema: pa.DataFrameSchema) -> None:
    """Refuse the Dask ``table``'s columns, then its first partition (in order) that fails
    ``schema``; every partition checked on the workers in one pass (its parquet files,
    read by ``check_parquet_files``, are the caller's to check first)."""
    import dask  # noqa: PLC0415

    checked = partition_schema(schema)
    validated_table(table._meta, checked)  # noqa: SLF001
    names = partition_names(table)
    found = dask.compute(
        *(
            dask.delayed(partition_failures)(part, checked, name)
            for part, name in zip(
                table.to_delayed(optimize_graph=False), names, strict=True
            )
        )
    )
    for name, failed in zip(names, found, strict=True):
        if failed:
            raise refused(checked, failed, name)


def partition_failures(
    part: pd.DataFrame, schema: pa.DataFrameSchema, name: str
) -> list[CheckFailure]:
    """Why the partition ``name`` fails ``schema``; empty if it passes."""
    try:
        validated_table(part, schema, name)
    except TableError as error:
        return error.failures
    return []


def partition_schema(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """``schema`` without its checks of a whole table, for one partition of it."""
    checked = copy.deepcopy(schema)
    checked.checks = [c for c in schema.checks if c.name not in WHOLE_TABLE_CHECKS]
    return checked


# Failure kinds, in the order the messages list a column's: text that is no number, a
# column of another type, a missing or non-finite value, then any other check.
KINDS = ("non_number", "dtype", "non_finite")
# What a failure case of pandera's reports, besides its value and row.
CASE_FIELDS = ["schema_context", "column", "check"]
# pandera's checks of a table's columns, by the kind of failure they report.
COLUMN_SET_KINDS = {"column_in_dataframe": "missing", "column_in_schema": "extra"}


def failures(
    errors: SchemaErrors, schema: pa.DataFrameSchema, part: str = ""
) -> list[CheckFailure]:
    """pandera's failure cases as one failure per column and kind, each naming the first
    data row (of ``part``, if named), its value, how many rows in all and the fix.

    The cases (one per failing value: a million for a column of NaN) are grouped by what
    they report first, so that only the groups are looked at one by one.
    """
    data = errors.data
    columns = list(data.columns)
    cases = errors.failure_cases
    cases = cases.assign(row=pd.to_numeric(cases["index"], errors="coerce") + 1)
    reported = [*CASE_FIELDS, cases["row"].isna().rename("whole")]
    groups: dict[tuple[str | None, str], list[pd.DataFrame]] = {}
    for _, group in cases.groupby(reported, dropna=False, sort=False):
        key = _kind(group.iloc[0].to_dict(), columns)
        if key is not None:
            groups.setdefault(key, []).append(group)
    unreadable = {column for column, kind in groups if kind == "non_number"}
    sentences = _check_errors(schema)
    return [
        _failure(column, kind, pd.concat(parts), schema, data, sentences, part)
        for (column, kind), parts in sorted(
            groups.items(), key=lambda item: _order(item[0], columns)
        )
        if column not in unreadable or kind == "non_number"
    ]


def _kind(case: dict, columns: list[str]) -> tuple[str | None, str] | None:
    """The column (None for the table) and kind of failure of one failure case; None for
    the cases that repeat another's (a pattern's coercion, also reported per column)."""
    check = str(case["check"])
    if check.startswith("no_regex_column_match"):
        return case["column"], "no_match"
    if case["schema_context"] == "DataFrameSchema":
        return None, COLUMN_SET_KINDS.get(check, check)
    if case["column"] not in columns:
        return None
    if check.startswith(("coerce_dtype(", "dtype(")):
        return case["column"], "non_number" if _row(case) else "dtype"
    if check in ("not_nullable", FINITE):
        return case["column"], "non_finite"
    return case["column"], check


def _order(key: tuple[str | None, str], columns: list[str]) -> tuple[int, int, int]:
    """The table's failures first, then each column's in table order and ``KINDS``."""
    column, kind = key
    if column not in columns:
        return 0, 0, 0
    return 1, columns.index(column), KINDS.index(kind) if kind in KINDS else len(KINDS)


def _check_errors(schema: pa.DataFrameSchema) -> set[str]:
    """The sentences that ``schema``'s checks give as their ``error`` (pandera reports a
    check by it), not pandera's own ``greater_than(0)`` and the like."""
    checks = [
        *schema.checks,
        *(c for col in schema.columns.values() for c in col.checks),
    ]
    return {
        check.error
        for check in checks
        if check.error and not check.error.startswith(f"{check.name}(")
    }


def _row(case: dict) -> int | None:
    """The case's data row, from 1; None for a case of a whole column or table."""
    index = case["index"]
    return None if index is None or pd.isna(index) else int(index) + 1


def _failure(
    column: str | None,
    kind: str,
    cases: pd.DataFrame,
    schema: pa.DataFrameSchema,
    data: pd.DataFrame,
    sentences: set[str],
    part: str,
) -> CheckFailure:
    """One column's (or the table's) failures of one kind, as a message naming the first
    row's value as the table holds it."""
    rows = _distinct(cases["row"].dropna().to_numpy(dtype=np.int64)).tolist()
    first = cases.loc[cases["row"].fillna(0).idxmin()].to_dict()
    check = str(first["check"])
    said = check if check in sentences else f"fails the check {check}"
    if column not in data.columns:
        named = cases["failure_case"].tolist()
        message = _table_message(kind, column, said, schema, list(data.columns), named)
        value = first["failure_case"]
    else:
        value = data[column].iloc[rows[0] - 1] if rows else first["failure_case"]
        message = _column_message(kind, column, value, said, rows, part)
    return CheckFailure(
        message=message,
        check=check,
        column=column,
        failure_count=len(rows) or len(cases),
        failure_examples=[value],
    )


def _distinct(values: np.ndarray) -> np.ndarray:
    """``values`` sorted, each once (a sort: faster than ``np.unique``'s hashing here)."""
    ordered = np.sort(values)
    return (
        ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
    )


def _table_message(
    kind: str,
    column: str | None,
    said: str,
    schema: pa.DataFrameSchema,
    columns: list[str],
    named: list[Any],
) -> str:
    """The sentence of a failure of the table's columns (``named``: the columns it names)
    or of a check of the whole table."""
    table = table_name(schema)
    if kind == "missing":
        needed = [c for c, rules in schema.columns.items() if not rules.regex]
        return f"{table} lacks the column(s) {named}; it has {columns}, and needs {needed}."
    if kind == "extra":
        return f"{table} has the column(s) {named}, which its schema does not allow."
    if kind == "no_match":
        title = schema.columns[column].title or f"column matching {column!r}"
        return f"{table} has no {title}."
    return f"{table} {said}."


def _column_message(
    kind: str, column: str, value: Any, said: str, rows: list[int], part: str
) -> str:
    """The sentence of one column's failures of one kind: what, where, and the fix."""
    if kind == "dtype":
        wanted = re.search(r"dtype\('(.+)'\)", said)
        return f"Column {column!r} is {value}, not {wanted[1] if wanted else said}."
    if not rows:
        return f"Column {column!r} {said}."
    where = _where(rows, part)
    fix = "that row" if len(rows) == 1 else "those rows"
    value = _shown(value)
    if kind == "non_number":
        return (
            f"Column {column!r} holds the non-numeric value {value} in {where}. Every "
            "value of that column must be a number."
        )
    if kind == "non_finite":
        return (
            f"Column {column!r} holds {value} (missing, NaN or infinite) in {where}. "
            f"Fill or drop {fix}."
        )
    return f"Column {column!r} {said}; it holds {value} in {where}. Fix or drop {fix}."


def _where(rows: list[int], part: str) -> str:
    """The first of ``rows`` (of ``part``, if named), and how many there are."""
    of, scope = (f" of {part}", "that partition") if part else ("", "all")
    many = "row" if len(rows) == 1 else "rows"
    return f"data row {rows[0]}{of} ({len(rows)} {many} in {scope})"


def _shown(value: Any) -> str:
    """A failure case as a message shows it: text quoted, numbers as they print."""
    return repr(value) if isinstance(value, str) else str(value)
