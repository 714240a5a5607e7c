"""The figures the reporting pipeline draws."""

PER_MODEL = (
    "losses",
    "train_decision_surface",
    "validation_decision_surface",
    "probability_lines",
    "tradeoffs",
    "roc_pr_curves",
    "precision_quirk",
    "best_worst_curves",
)
SHARED = ("data", "model_comparison")
