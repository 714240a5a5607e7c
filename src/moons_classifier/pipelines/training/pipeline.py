"""Build the loaders and the model, and train it on the configured device."""

from kedro.pipeline import Node, Pipeline

from .nodes import build_loaders, build_model, train_model


def create_pipeline(**kwargs) -> Pipeline:
    """Standardized splits -> loaders and initial model -> trained weights and losses."""
    return Pipeline(
        [
            Node(
                build_loaders,
                ["train_features", "validation_features", "params:loaders"],
                ["train_loader", "validation_loader"],
                name="build_data_loaders",
            ),
            Node(build_model, ["train_features", "params:model"], "initial_model",
                 name="build_initial_model"),
            Node(
                train_model,
                ["initial_model", "train_loader", "validation_loader", "params:training"],
                ["model_state_dict", "loss_history"],
                name="train_model",
            ),
        ],
        tags="training",
    )
