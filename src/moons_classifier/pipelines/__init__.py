"""The project's pipelines; model pipelines are instantiated once per model namespace."""

from collections.abc import Callable

from kedro.pipeline import Pipeline

from moons_classifier.catalog_names import (
    MODEL_NAMESPACES,
    SHARED_DATASETS,
    shared_name,
)

__all__ = ["MODEL_NAMESPACES", "per_model", "shared_name"]


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
            _instance(template(), namespace, inputs, parameters, tag)
            for namespace in MODEL_NAMESPACES
        ),
        Pipeline([]),
    )


def _instance(
    pipe: Pipeline, namespace: str, inputs: set[str], parameters: set[str], tag: str
) -> Pipeline:
    """``pipe`` in ``namespace``, reading and writing the model's shared datasets outside it."""
    shared = {name: shared_name(namespace, name) for name in SHARED_DATASETS}
    return Pipeline(
        pipe,
        namespace=namespace,
        inputs={name: name for name in inputs}
        | {name: shared[name] for name in pipe.inputs() & shared.keys()},
        outputs={name: shared[name] for name in pipe.all_outputs() & shared.keys()},
        parameters=parameters,
        tags=[tag, namespace],
    )
