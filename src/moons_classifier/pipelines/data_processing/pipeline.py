"""Generate the moons, split them and standardize the features."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    fit_scaler,
    generate_moons,
    hold_out_test_split,
    select_source,
    split_data,
    standardize_splits,
    standardize_test_split,
    subsample_positives,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Raw moons -> test hold-out, train/validation split -> scaler -> standardized splits."""
    return Pipeline(
        [
            Node(generate_moons, "params:data", "moons", name="generate_moons"),
            Node(
                select_source,
                ["moons", "source_table", "params:data"],
                "source_data",
                name="select_data_source",
            ),
            Node(
                subsample_positives,
                ["source_data", "params:data"],
                "raw_data",
                name="subsample_positives",
            ),
            Node(
                hold_out_test_split,
                ["raw_data", "params:split"],
                ["development_split", "test_split"],
                name="hold_out_test_split",
            ),
            Node(
                split_data,
                ["development_split", "params:split"],
                ["train_split", "validation_split"],
                name="split_into_train_and_validation",
            ),
            Node(fit_scaler, "train_split", "scaler", name="fit_scaler_on_train_split"),
            Node(
                standardize_splits,
                ["train_split", "validation_split", "scaler"],
                ["train_features", "validation_features"],
                name="standardize_splits",
            ),
            Node(
                standardize_test_split,
                ["test_split", "scaler"],
                "test_features",
                name="standardize_test_split",
            ),
        ],
        tags="data_processing",
    )
