"""Build the loaders and the model, and train it on the configured device, per model."""

from kedro.pipeline import Node, Pipeline

from moons_classifier.pipelines import per_model

from .nodes import build_loaders, build_model, train_model


def template() -> Pipeline:
    """Standardized splits -> loaders and initial model -> trained weights and losses."""
    return Pipeline(
        [
            Node(
                build_loaders,
                ["train_features", "validation_features", "params:loaders"],
                ["train_loader", "validation_loader"],
                name="build_data_loaders",
            ),
            Node(
                build_model,
                ["train_features", "params:model"],
                "initial_model",
                name="build_initial_model",
            ),
            Node(
                train_model,
                [
                    "initial_model",
                    "train_loader",
                    "validation_loader",
                    "params:training",
                    "params:model",
                ],
                ["model_state_dict", "loss_history"],
                name="train_model",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """One training instance per model; loaders and training settings are shared."""
    return per_model(
        template,
        inputs={"train_features", "validation_features"},
        parameters={"params:loaders", "params:training"},
        tag="training",
    )
