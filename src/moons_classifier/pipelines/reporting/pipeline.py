"""Draw the chapter's figures per model, the data figure and the model comparison figure."""

from kedro.pipeline import Node, Pipeline

from moons_classifier.pipelines import MODEL_NAMESPACES, per_model, shared_name

from .nodes import (
    plot_best_worst_curves,
    plot_data,
    plot_decision_surface,
    plot_losses,
    plot_model_comparison,
    plot_precision_quirk,
    plot_probability_lines,
    plot_roc_pr_curves,
    plot_tradeoffs,
    predict_grid,
)


def template() -> Pipeline:
    """Trained weights, splits, predictions and metrics -> one model's figures."""
    return Pipeline(
        [
            Node(
                predict_grid,
                [
                    "model_state_dict",
                    "train_features",
                    "params:model",
                    "params:reporting",
                ],
                "decision_grid",
                name="predict_decision_grid",
            ),
            Node(plot_losses, "loss_history", "losses_figure", name="plot_losses"),
            Node(
                plot_decision_surface,
                ["decision_grid", "train_features", "params:reporting"],
                "train_decision_surface_figure",
                name="plot_train_decision_surface",
            ),
            Node(
                plot_decision_surface,
                ["decision_grid", "validation_features", "params:reporting"],
                "validation_decision_surface_figure",
                name="plot_validation_decision_surface",
            ),
            Node(
                plot_probability_lines,
                [
                    "validation_predictions",
                    "validation_features",
                    "decision_grid",
                    "metrics",
                    "params:evaluation",
                    "params:reporting",
                ],
                "probability_lines_figure",
                name="plot_probability_lines",
            ),
            Node(
                plot_tradeoffs,
                [
                    "validation_predictions",
                    "metrics",
                    "params:evaluation",
                    "params:reporting",
                ],
                "tradeoffs_figure",
                name="plot_threshold_tradeoffs",
            ),
            Node(
                plot_roc_pr_curves,
                ["validation_predictions", "metrics", "params:reporting"],
                "roc_pr_curves_figure",
                name="plot_roc_pr_curves",
            ),
            Node(
                plot_precision_quirk,
                ["validation_predictions", "params:reporting"],
                "precision_quirk_figure",
                name="plot_precision_quirk",
            ),
            Node(
                plot_best_worst_curves,
                ["validation_predictions", "params:evaluation", "params:reporting"],
                "best_worst_curves_figure",
                name="plot_best_and_worst_curves",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """The data figure, one reporting instance per model, then the comparison figure."""
    shared = Pipeline(
        [
            Node(
                plot_data,
                ["train_features", "validation_features", "params:reporting"],
                "data_figure",
                name="plot_data",
            ),
            Node(
                plot_model_comparison,
                {
                    "params": "params:reporting",
                    **{
                        name: shared_name(name, "validation_predictions")
                        for name in MODEL_NAMESPACES
                    },
                },
                "model_comparison_figure",
                name="plot_model_comparison",
            ),
        ],
        tags="reporting",
    )
    return shared + per_model(
        template,
        inputs={"train_features", "validation_features"},
        parameters={"params:evaluation", "params:reporting"},
        tag="reporting",
    )
