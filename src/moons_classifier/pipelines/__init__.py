"""The project's pipelines; model pipelines are instantiated once per model namespace."""

from collections.abc import Callable

from kedro.pipeline import Pipeline

MODEL_NAMESPACES = ("logistic", "mlp")
# Each model's datasets that nodes outside the model namespaces read (the comparisons).
# Kedro reserves "." for datasets inside a namespace, so these are mapped out of it as
# "<model>_<name>" (logistic_metrics); their files stay under <layer>/<model>/.
SHARED_DATASETS = ("metrics", "validation_predictions")


def shared_name(namespace: str, name: str) -> str:
    """The name, outside the model's namespace, of a shared dataset: ``logistic_metrics``."""
    return f"{namespace}_{name}"


def model_of(dataset: str) -> str | None:
    """The model namespace ``dataset`` belongs to, if any: ``logistic`` for ``logistic_metrics``."""
    shared = {
        shared_name(namespace, name): namespace
        for namespace in MODEL_NAMESPACES
        for name in SHARED_DATASETS
    }
    return shared.get(dataset) or dataset.rpartition(".")[0] or None


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
