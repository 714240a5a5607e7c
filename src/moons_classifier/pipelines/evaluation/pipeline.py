"""Score the validation set and compute the metrics per model, then compare the models."""

from kedro.pipeline import Node, Pipeline

from moons_classifier.pipelines import MODEL_NAMESPACES, per_model, shared_name

from .nodes import (
    compare_metrics,
    compute_metrics,
    compute_test_metrics,
    predict_probabilities,
)


def template() -> Pipeline:
    """Trained weights and standardized splits -> validation and test predictions and metrics."""
    return Pipeline(
        [
            Node(
                predict_probabilities,
                ["model_state_dict", "validation_features", "params:model"],
                "validation_predictions",
                name="predict_validation_probabilities",
            ),
            Node(
                compute_metrics,
                [
                    "validation_predictions",
                    "train_features",
                    "loss_history",
                    "params:evaluation",
                ],
                "metrics",
                name="compute_metrics",
            ),
            Node(
                predict_probabilities,
                ["model_state_dict", "test_features", "params:model"],
                "test_predictions",
                name="predict_test_probabilities",
            ),
            Node(
                compute_test_metrics,
                ["test_predictions", "metrics", "params:evaluation"],
                "test_metrics",
                name="compute_test_metrics",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """One evaluation instance per model, then the table comparing their metrics."""
    comparison = Pipeline(
        [
            Node(
                compare_metrics,
                {name: shared_name(name, "metrics") for name in MODEL_NAMESPACES},
                "model_comparison",
                name="compare_model_metrics",
            )
        ],
        tags="evaluation",
    )
    return (
        per_model(
            template,
            inputs={"train_features", "validation_features", "test_features"},
            parameters={"params:evaluation"},
            tag="evaluation",
        )
        + comparison
    )
