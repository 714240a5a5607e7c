"""The project's pipelines; model pipelines are instantiated once per model namespace."""

from collections.abc import Callable

from kedro.pipeline import Pipeline

MODEL_NAMESPACES = ("logistic", "mlp")


def per_model(
    template: Callable[[], Pipeline],
    *,
    inputs: set[str],
    parameters: set[str],
    tag: str,
) -> Pipeline:
    """One instance of ``template`` per model namespace; ``inputs`` and ``parameters`` are shared."""
    return sum(
        (
            Pipeline(
                template(),
                namespace=namespace,
                inputs=inputs,
                parameters=parameters,
                tags=[tag, namespace],
            )
            for namespace in MODEL_NAMESPACES
        ),
        Pipeline([]),
    )
