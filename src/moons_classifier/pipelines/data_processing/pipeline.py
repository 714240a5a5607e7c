"""Generate the moons, split them and standardize the features."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    fit_scaler,
    generate_moons,
    select_source,
    split_data,
    standardize_splits,
    subsample_positives,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Raw moons -> train/validation split -> scaler -> standardized splits."""
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
                split_data,
                ["raw_data", "params:split"],
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
        ],
        tags="data_processing",
    )
