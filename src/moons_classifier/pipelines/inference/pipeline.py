"""Score a CSV of new points with each persisted model."""

from kedro.pipeline import Node, Pipeline

from moons_classifier.pipelines import per_model

from .nodes import check_inference_input, score_points


def template() -> Pipeline:
    """New points, scaler and trained weights -> checked points -> probability and class per row."""
    return Pipeline(
        [
            Node(
                check_inference_input,
                ["inference_input", "scaler"],
                "checked_inference_input",
                name="check_inference_input",
            ),
            Node(
                score_points,
                [
                    "checked_inference_input",
                    "scaler",
                    "model_state_dict",
                    "metrics",
                    "params:model",
                    "params:inference",
                ],
                "inference_predictions",
                name="score_new_points",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """One checked scoring per model, so that ``--namespaces`` picks the models to score."""
    return per_model(
        template,
        inputs={"inference_input", "scaler"},
        parameters={"params:inference"},
        tag="inference",
    )
