"""Score the validation set, compute the metrics and draw the chapter's figures, per model."""

from kedro.pipeline import Node, Pipeline

from moons_classifier.pipelines import per_model

from .nodes import (
    compute_metrics,
    plot_best_worst_curves,
    plot_data,
    plot_decision_surface,
    plot_losses,
    plot_precision_quirk,
    plot_probability_lines,
    plot_roc_pr_curves,
    plot_tradeoffs,
    predict_probabilities,
)


def template() -> Pipeline:
    """Trained weights and standardized splits -> predictions, metrics and figures."""
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
            Node(plot_losses, "loss_history", "losses_figure", name="plot_losses"),
            Node(
                plot_decision_surface,
                [
                    "model_state_dict",
                    "train_features",
                    "params:model",
                    "params:evaluation",
                ],
                "train_decision_surface_figure",
                name="plot_train_decision_surface",
            ),
            Node(
                plot_decision_surface,
                [
                    "model_state_dict",
                    "validation_features",
                    "params:model",
                    "params:evaluation",
                ],
                "validation_decision_surface_figure",
                name="plot_validation_decision_surface",
            ),
            Node(
                plot_probability_lines,
                [
                    "validation_predictions",
                    "validation_features",
                    "model_state_dict",
                    "params:model",
                    "params:evaluation",
                ],
                "probability_lines_figure",
                name="plot_probability_lines",
            ),
            Node(
                plot_tradeoffs,
                ["validation_predictions", "metrics", "params:evaluation"],
                "tradeoffs_figure",
                name="plot_threshold_tradeoffs",
            ),
            Node(
                plot_roc_pr_curves,
                ["validation_predictions", "metrics", "params:evaluation"],
                "roc_pr_curves_figure",
                name="plot_roc_pr_curves",
            ),
            Node(
                plot_precision_quirk,
                ["validation_predictions", "params:evaluation"],
                "precision_quirk_figure",
                name="plot_precision_quirk",
            ),
            Node(
                plot_best_worst_curves,
                ["validation_predictions", "params:evaluation"],
                "best_worst_curves_figure",
                name="plot_best_and_worst_curves",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """The data figure, then one evaluation instance per model."""
    data_figure = Pipeline(
        [
            Node(
                plot_data,
                ["train_features", "validation_features", "params:evaluation"],
                "data_figure",
                name="plot_data",
            )
        ],
        tags="evaluation",
    )
    return data_figure + per_model(
        template,
        inputs={"train_features", "validation_features"},
        parameters={"params:evaluation"},
        tag="evaluation",
    )
