"""Compare the trained models side by side."""

from kedro.pipeline import Node, Pipeline

from moons_classifier.pipelines import MODEL_NAMESPACES

from .nodes import compare_metrics, plot_model_comparison


def create_pipeline(**kwargs) -> Pipeline:
    """Each model's metrics and predictions -> a comparison table and a ROC/PR figure."""
    return Pipeline(
        [
            Node(
                compare_metrics,
                {name: f"{name}.metrics" for name in MODEL_NAMESPACES},
                "model_comparison",
                name="compare_model_metrics",
            ),
            Node(
                plot_model_comparison,
                {
                    "params": "params:evaluation",
                    **{
                        name: f"{name}.validation_predictions"
                        for name in MODEL_NAMESPACES
                    },
                },
                "model_comparison_figure",
                name="plot_model_comparison",
            ),
        ],
        tags="evaluation",
    )
