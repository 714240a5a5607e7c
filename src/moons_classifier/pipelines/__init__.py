"""The project's pipelines; model pipelines are instantiated once per model namespace."""

MODEL_NAMESPACES = ("logistic", "mlp")
