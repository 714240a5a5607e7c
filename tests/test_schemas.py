"""``schemas.py``: the tables' pandera schemas refuse NaN, inf, text, a label other than 0
or 1, a missing column, an output column and an empty input, naming the column, the data
row and the fix; the catalog's validator applies them to pandas tables, to Dask tables
partition by partition as they are read, and to the tables that loaders load."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from kedro.io import DataCatalog
from kedro.validation import DataValidationError, ValidatorSpec, resolve_validator
from pandera.typing import Series

from moons_classifier.schemas import (
    InferencePoints,
    ModelInput,
    SourceTable,
    TableError,
    TableValidator,
    as_schema,
    check_partitions,
    points_schema,
    source_schema,
    validated,
    validated_table,
)
from moons_classifier.tabular import OUTPUT_COLUMNS
from tests.support.projects import PROJECT_ROOT

SOURCE = pd.DataFrame(
    {
        "a": [1.0, 2.0, 3.0, 4.0],
        "b": ["0.5", "1", "-2", "3e1"],
        "target": [0, 1, 1, 0],
    }
)
POINTS = pd.DataFrame(
    {"id": ["p1", "p2", "p3"], "x1": [0.5, -1.0, 2.0], "x2": [0.25, 1.0, -0.5]}
)
MODEL_INPUT = pd.DataFrame(
    {"x1": [0.5, -1.0, 2.0], "x2": [0.25, 1.0, -0.5], "y": [0, 1, 1]}
)
VALIDATOR = "moons_classifier.schemas.TableValidator"


@pytest.fixture(autouse=True)
def synchronous() -> Iterator[None]:
    """Dask computes in this thread: no cluster for these tests."""
    with dask.config.set(scheduler="synchronous"):
        yield


def refusal(table: pd.DataFrame, schema: object) -> str:
    """The message with which ``schema`` refuses ``table``."""
    with pytest.raises(TableError) as refused:
        validated_table(table, as_schema(schema))
    return str(refused.value)


def assert_holds(message: str, fragments: list[str]) -> None:
    """Every fragment is in the message."""
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"{missing} not in: {message}"


def with_value(
    table: pd.DataFrame, column: str, row: int, value: object
) -> pd.DataFrame:
    """A copy of ``table`` holding ``value`` at position ``row`` of ``column``, whose type
    pandas infers from its values anew."""
    values = table[column].tolist()
    values[row] = value
    return table.assign(**{column: values})


def test_the_shipped_tables_pass_their_schemas():
    source = pd.read_csv(PROJECT_ROOT / "data/01_raw/breast_cancer.csv")
    points = pd.read_csv(PROJECT_ROOT / "data/01_raw/inference_input.csv")
    pd.testing.assert_frame_equal(
        validated_table(source, as_schema(SourceTable)), source
    )
    checked = validated_table(points, as_schema(InferencePoints))
    assert list(checked.columns) == list(points.columns)
    assert (checked[["x1", "x2"]].dtypes == np.float64).all()


def test_numbers_written_as_text_are_read_as_numbers_and_the_input_is_left_as_it_was():
    before = SOURCE.copy()
    checked = validated_table(SOURCE, as_schema(SourceTable))
    np.testing.assert_array_equal(checked["b"], [0.5, 1.0, -2.0, 30.0])
    pd.testing.assert_frame_equal(SOURCE, before)


@pytest.mark.parametrize(
    ("schema", "table", "column", "value", "fragments"),
    [
        (
            SourceTable,
            SOURCE,
            "a",
            np.nan,
            [
                "Column 'a' holds nan (missing, NaN or infinite) in data row 3 (1 row in "
                "all). Fill or drop that row."
            ],
        ),
        (SourceTable, SOURCE, "a", np.inf, ["Column 'a' holds inf", "data row 3"]),
        (
            SourceTable,
            SOURCE,
            "b",
            "n/a",
            [
                "Column 'b' holds the non-numeric value 'n/a' in data row 3 (1 row in "
                "all). Every value of that column must be a number."
            ],
        ),
        (
            SourceTable,
            SOURCE,
            "target",
            2,
            [
                "Column 'target' must hold only 0 and 1; it holds 2 in data row 3 (1 "
                "row in all). Fix or drop that row."
            ],
        ),
        (InferencePoints, POINTS, "x2", np.nan, ["Column 'x2' holds nan", "row 3"]),
        (InferencePoints, POINTS, "x2", -np.inf, ["Column 'x2' holds -inf", "row 3"]),
        (
            InferencePoints,
            POINTS,
            "x2",
            "1,5",
            ["Column 'x2' holds the non-numeric value '1,5' in data row 3"],
        ),
        (ModelInput, MODEL_INPUT, "x1", np.nan, ["Column 'x1' holds nan", "row 3"]),
        (ModelInput, MODEL_INPUT, "x1", np.inf, ["Column 'x1' holds inf", "row 3"]),
        (
            ModelInput,
            MODEL_INPUT,
            "y",
            2,
            ["Column 'y' must hold only 0 and 1; it holds 2 in data row 3"],
        ),
    ],
)
def test_a_bad_value_is_named_by_its_column_row_and_fix(
    schema, table, column, value, fragments
):
    message = refusal(with_value(table, column, 2, value), schema)
    assert_holds(message, fragments)
    assert message.startswith(f"{as_schema(schema).name} fails its schema")


@pytest.mark.parametrize(
    ("schema", "table", "column", "fragments"),
    [
        (
            SourceTable,
            SOURCE,
            "target",
            [
                "The source table lacks the column(s) ['target']; it has ['a', 'b'], and "
                "needs ['target'].",
                "for a table of your own, declare its schema",
            ],
        ),
        (
            InferencePoints,
            POINTS,
            "x2",
            [
                "The inference input lacks the column(s) ['x2']; it has ['id', 'x1'], "
                "and needs ['x1', 'x2'].",
                "for a model of other features, declare its input's schema",
            ],
        ),
        (
            ModelInput,
            MODEL_INPUT,
            "y",
            ["The model input lacks the column(s) ['y']; it has ['x1', 'x2']"],
        ),
    ],
)
def test_a_missing_column_is_named_with_the_columns_there_are(
    schema, table, column, fragments
):
    assert_holds(refusal(table.drop(columns=column), schema), fragments)


@pytest.mark.parametrize(
    ("schema", "table", "message"),
    [
        (
            SourceTable,
            SOURCE[["target"]],
            "The source table has no feature column (every column but 'target').",
        ),
        (
            ModelInput,
            MODEL_INPUT[["y"]],
            "The model input has no feature column (every column but 'y').",
        ),
    ],
)
def test_a_table_without_a_feature_column_is_refused(schema, table, message):
    assert_holds(refusal(table, schema), [message])


@pytest.mark.parametrize("column", OUTPUT_COLUMNS)
def test_an_input_column_the_predictions_write_is_refused(column):
    assert_holds(
        refusal(POINTS.assign(**{column: 0.5}), InferencePoints),
        [
            "The inference input has a column the predictions write (probability, "
            "predicted_class, threshold), which scoring would replace. Rename or drop "
            "it in the input."
        ],
    )


def test_an_inference_input_without_rows_is_refused():
    assert_holds(
        refusal(POINTS.iloc[:0], InferencePoints),
        ["The inference input has no rows: give at least one row of features."],
    )


def test_model_input_holds_float64_features_and_an_integer_label_and_may_be_empty():
    assert_holds(
        refusal(MODEL_INPUT.astype({"x1": int}), ModelInput),
        ["Column 'x1' is int64, not float64."],
    )
    assert_holds(
        refusal(MODEL_INPUT.astype({"y": float}), ModelInput),
        ["Column 'y' is float64, not int64."],
    )
    empty = MODEL_INPUT.iloc[:0]  # the test split without split.test_fraction
    pd.testing.assert_frame_equal(validated_table(empty, as_schema(ModelInput)), empty)


def test_each_column_is_named_once_with_its_first_bad_row_and_how_many():
    bad = SOURCE.assign(a=[1.0, np.nan, np.inf, 4.0], target=[0, 1, 7, 7])
    message = refusal(bad, SourceTable)
    assert_holds(
        message,
        [
            "2 check(s) failed — 4 failure case(s):\n"
            "  - Column 'a' holds nan (missing, NaN or infinite) in data row 2 (2 rows "
            "in all). Fill or drop those rows.\n"
            "  - Column 'target' must hold only 0 and 1; it holds 7 in data row 3 (2 "
            "rows in all). Fix or drop those rows.\n"
            "SourceTable is the schema of the shipped breast_cancer.csv"
        ],
    )


def test_rows_are_counted_from_the_top_whatever_the_index():
    table = MODEL_INPUT.set_axis([10, 20, 30]).assign(x2=[0.0, np.nan, 1.0])
    assert_holds(refusal(table, ModelInput), ["holds nan", "in data row 2 (1 row"])
    checked = validated_table(MODEL_INPUT.set_axis([10, 20, 30]), as_schema(ModelInput))
    assert list(checked.index) == [10, 20, 30]


class Positive(pa.DataFrameModel):
    """A user's schema, a ``DataFrameModel``, with one of pandera's own checks."""

    x: Series[float] = pa.Field(gt=0)

    class Config:
        """Its name in messages, and no column it does not declare."""

        name = "My table"
        strict = True


def test_a_check_of_a_users_own_schema_is_named_by_the_check():
    assert_holds(
        refusal(pd.DataFrame({"x": [1.0, -1.0]}), Positive),
        [
            "Column 'x' fails the check greater_than(0); it holds -1.0 in data row 2 (1 "
            "row in all). Fix or drop that row."
        ],
    )


def test_a_column_a_strict_schema_does_not_declare_is_named():
    assert_holds(
        refusal(pd.DataFrame({"x": [1.0], "z": [2.0]}), Positive),
        ["My table has the column(s) ['z'], which its schema does not allow."],
    )


def test_source_schema_holds_only_the_columns_the_parameters_pick():
    schema = source_schema("label", ["a"])
    table = SOURCE.rename(columns={"target": "label"}).assign(note=["x", "y", "z", "w"])
    assert validated_table(table, schema)["a"].dtype == np.float64
    message = refusal(with_value(table, "label", 1, 2), schema)
    assert_holds(
        message,
        [
            "Column 'label' must hold only 0 and 1; it holds 2 in data row 2",
            "leave a column that is no feature out of data.feature_columns",
        ],
    )


def test_points_schema_holds_the_models_features_to_the_rules_of_x1_and_x2():
    schema = points_schema(["x1", "x2", "x3"])
    points = POINTS.assign(x3=["1", "2", "3"])
    assert validated_table(points, schema)["x3"].tolist() == [1.0, 2.0, 3.0]
    assert_holds(refusal(POINTS, schema), ["lacks the column(s) ['x3']"])
    assert_holds(
        refusal(with_value(points, "x3", 0, "high"), schema),
        ["Column 'x3' holds the non-numeric value 'high' in data row 1"],
    )
    assert_holds(refusal(points.iloc[:0], schema), ["has no rows"])
    assert_holds(refusal(points.assign(threshold=1), schema), ["Rename or drop it"])


def test_kedro_resolves_the_validator_with_its_schema_from_the_options():
    spec = ValidatorSpec(
        VALIDATOR, options={"schema": "moons_classifier.schemas.ModelInput"}
    )
    validator = resolve_validator(spec)
    assert isinstance(validator, TableValidator)
    assert validator.schema.name == "The model input"
    pd.testing.assert_frame_equal(validator.validate(MODEL_INPUT), MODEL_INPUT)


def test_kedros_own_validator_of_a_schema_names_neither_row_nor_fix():
    """Why the catalog names ``TableValidator``: Kedro's pandera adapter, which takes a
    schema named as the validator, reports the column and the check only."""
    validator = resolve_validator(
        ValidatorSpec("moons_classifier.schemas.InferencePoints")
    )
    assert not isinstance(validator, TableValidator)
    with pytest.raises(DataValidationError) as refused:
        validator.validate(with_value(POINTS, "x1", 1, np.nan))
    assert "x1: not_nullable — 1 case (e.g. nan)" in str(refused.value)
    assert "row" not in str(refused.value)


def test_a_loader_is_validated_when_it_is_called():
    calls = []

    def load() -> pd.DataFrame:
        calls.append(1)
        return POINTS.drop(columns="x1")

    checked = TableValidator("moons_classifier.schemas.InferencePoints").validate(load)
    assert callable(checked)
    assert not calls  # not read until the node calls it
    with pytest.raises(TableError, match=r"lacks the column\(s\) \['x1'\]"):
        checked()


def test_something_that_is_no_table_is_refused():
    with pytest.raises(TypeError, match="a pandas or Dask DataFrame"):
        validated([1, 2], as_schema(InferencePoints))


def partitioned(table: pd.DataFrame) -> dd.DataFrame:
    """``table`` in two partitions: its first half, then the rest."""
    return dd.from_pandas(table, npartitions=2, sort=False)


def test_a_dask_table_is_validated_partition_by_partition_as_it_is_read():
    points = pd.concat([POINTS, POINTS], ignore_index=True).assign(x1=range(6))
    checked = validated(partitioned(points), as_schema(InferencePoints))
    assert checked.npartitions == 2  # noqa: PLR2004
    assert checked.dtypes["x1"] == np.float64  # the coerced table's, as computed
    computed = checked.compute()
    assert computed["id"].tolist() == points["id"].tolist()
    np.testing.assert_array_equal(computed[["x1", "x2"]], points[["x1", "x2"]])

    bad = validated(
        partitioned(with_value(points, "x2", 4, np.inf)), as_schema(InferencePoints)
    )
    with pytest.raises(TableError) as refused:
        bad.compute()
    assert_holds(
        str(refused.value),
        [
            "The inference input fails its schema in partition 1",
            "Column 'x2' holds inf (missing, NaN or infinite) in data row 2 of "
            "partition 1 (1 row in that partition). Fill or drop that row.",
        ],
    )


def test_a_partition_of_a_parquet_folder_is_named_with_its_file(tmp_path: Path):
    folder = tmp_path / "points"
    points = with_value(POINTS.astype({"x1": str}), "x1", 2, "oops")
    partitioned(points).to_parquet(folder, write_index=False)
    checked = validated(dd.read_parquet(folder), as_schema(InferencePoints))
    with pytest.raises(TableError) as refused:
        checked.compute()
    assert_holds(
        str(refused.value),
        [
            "Column 'x1' holds the non-numeric value 'oops' in data row 1 of partition "
            f"1, file {folder / 'part.1.parquet'} (1 row in that partition)"
        ],
    )


def test_a_parquet_file_whose_columns_differ_is_refused_before_any_partition_is_read(
    tmp_path: Path,
):
    folder = tmp_path / "points"
    partitioned(POINTS).to_parquet(folder, write_index=False)
    path = folder / "part.1.parquet"
    pd.read_parquet(path).drop(columns="x2").to_parquet(path, index=False)
    with pytest.raises(ValueError) as refused:
        validated(dd.read_parquet(folder), as_schema(InferencePoints))
    assert_holds(
        str(refused.value),
        [f"The inference input's file {path} does not hold the columns", "['x2']"],
    )


def _unreadable(index: int) -> pd.DataFrame:
    raise AssertionError(f"partition {index} was read")


@pytest.mark.parametrize(
    ("columns", "fragment"),
    [
        (["x1"], "lacks the column(s) ['x2']"),
        (["x1", "x2", "probability"], "has a column the predictions write"),
    ],
)
def test_a_dask_tables_columns_are_refused_before_any_partition_is_read(
    columns, fragment
):
    meta = pd.DataFrame({column: pd.Series(dtype=float) for column in columns})
    unread = dd.from_map(_unreadable, range(3), meta=meta, enforce_metadata=False)
    with pytest.raises(TableError) as refused:
        validated(unread, as_schema(InferencePoints))
    assert_holds(str(refused.value), [fragment])


def test_an_empty_partition_passes_the_check_of_a_whole_tables_rows():
    points = dd.concat(
        [dd.from_pandas(table, npartitions=1) for table in (POINTS.iloc[:0], POINTS)]
    )
    parts = validated(points, as_schema(InferencePoints)).to_delayed()
    assert [len(part.compute()) for part in parts] == [0, len(POINTS)]


def test_a_dask_table_without_rows_is_refused():
    points = dd.from_pandas(POINTS.iloc[:0], npartitions=1)
    with pytest.raises(DataValidationError) as refused:
        validated(points, as_schema(InferencePoints))
    assert_holds(
        str(refused.value),
        ["The inference input has no rows: give at least one row of features."],
    )


def test_two_columns_of_one_name_are_refused():
    points = pd.concat([POINTS, POINTS[["x1"]].astype(str)], axis=1)
    assert_holds(
        refusal(points, InferencePoints),
        [
            "The inference input has more than one column named ['x1']. Rename or "
            "drop the repeated columns."
        ],
    )


def test_check_partitions_refuses_the_first_bad_partition_in_order():
    table = pd.concat([SOURCE] * 3, ignore_index=True)
    table = with_value(with_value(table, "a", 9, np.nan), "a", 5, np.inf)
    three = dd.from_pandas(table, npartitions=3, sort=False)
    with pytest.raises(TableError) as refused:
        check_partitions(three, as_schema(SourceTable))
    assert_holds(
        str(refused.value), ["Column 'a' holds inf", "data row 2 of partition 1"]
    )
    check_partitions(dd.from_pandas(SOURCE, npartitions=2), as_schema(SourceTable))


def test_a_refusal_keeps_its_message_from_a_dask_worker_to_the_client():
    with pytest.raises(TableError) as refused:
        validated_table(POINTS.iloc[:0], as_schema(InferencePoints))
    copied = pickle.loads(pickle.dumps(refused.value))
    assert str(copied) == str(refused.value)
    assert copied.failures == refused.value.failures


def catalog_of_points() -> DataCatalog:
    """A catalog whose in-memory ``points`` are validated as they are saved."""
    return DataCatalog.from_config(
        {
            "points": {
                "type": "MemoryDataset",
                "validator": {
                    "class": VALIDATOR,
                    "on": "save",
                    "options": {"schema": "moons_classifier.schemas.InferencePoints"},
                },
            }
        }
    )


def test_the_catalog_names_the_dataset_and_saves_nothing_it_refuses():
    catalog = catalog_of_points()
    with pytest.raises(DataValidationError) as refused:
        catalog.save("points", with_value(POINTS, "x1", 1, np.nan))
    assert str(refused.value).startswith(
        "Validation failed for dataset 'points' on save\n"
        f"(validator: {VALIDATOR})\n"
        "1 check(s) failed — 1 failure case(s):\n"
        "  - Column 'x1' holds nan (missing, NaN or infinite) in data row 2"
    )
    assert not catalog.exists("points")


def test_kedros_switch_turns_the_validators_off(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KEDRO_DATASET_VALIDATION", "false")
    catalog = catalog_of_points()
    catalog.save("points", POINTS.iloc[:0])
    assert catalog.load("points").empty
