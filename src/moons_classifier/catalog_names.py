"""The catalog's dataset names that code outside the pipelines reads (hooks, tracking, sweeps)."""

MODEL_NAMESPACES = ("logistic", "mlp")
# Each model's datasets that nodes outside the model namespaces read (the comparisons).
# Kedro reserves "." for datasets inside a namespace, so these are mapped out of it as
# "<model>_<name>" (logistic_metrics); their files stay under <layer>/<model>/.
SHARED_DATASETS = ("metrics", "validation_predictions")
SCALER = "scaler"
STATE_DICT = "model_state_dict"
LOSS_HISTORY = "loss_history"


def shared_name(namespace: str, name: str) -> str:
    """The name, outside the model's namespace, of a shared dataset: ``logistic_metrics``."""
    return f"{namespace}_{name}"


def metrics_name(namespace: str) -> str:
    """The name of a model's validation metrics: ``logistic_metrics``."""
    return shared_name(namespace, "metrics")


def model_of(dataset: str) -> str | None:
    """The model namespace ``dataset`` belongs to, if any: ``logistic`` for ``logistic_metrics``."""
    shared = {
        shared_name(namespace, name): namespace
        for namespace in MODEL_NAMESPACES
        for name in SHARED_DATASETS
    }
    return shared.get(dataset) or dataset.rpartition(".")[0] or None


def namespace_of(dataset: str, name: str) -> str | None:
    """The namespace of ``dataset`` if it is a model's ``name``: ``mlp`` for
    (``mlp.model_state_dict``, ``model_state_dict``); else None."""
    namespace, _, own = dataset.rpartition(".")
    return namespace if namespace and own == name else None
