"""The scikit-learn script a user would write instead of the project: the peer of a
metrics-only ``kedro run`` on the pandas backend.

make_moons with the project's data parameters, an 80/20 train/validation split,
StandardScaler fitted on the training rows, LogisticRegression, the validation set's ROC
and PR curves and their areas, confusion matrices at 0.3, 0.5 and 0.7, a metrics JSON, and
the scaler and model saved; no figures. Run as a whole process:
``python -m benchmarks.sklearn_peer [--n-samples 1000000 --output DIR]``.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np
from sklearn.datasets import make_moons
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import auc, confusion_matrix, precision_recall_curve, roc_curve
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

THRESHOLDS = (0.3, 0.5, 0.7)


def metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """AUROC, AUPR and the confusion matrix at each threshold."""
    fpr, tpr, _ = roc_curve(labels, probabilities)
    precision, recall, _ = precision_recall_curve(labels, probabilities)
    return {
        "auroc": float(auc(fpr, tpr)),
        "aupr": float(auc(recall, precision)),
        "thresholds": {
            str(t): confusion_matrix(labels, probabilities >= t).tolist()
            for t in THRESHOLDS
        },
    }


def main() -> None:
    """Generate, split, scale, fit, score, and write the metrics, scaler and model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--output", type=Path, default=Path("sklearn_peer_output"))
    args = parser.parse_args()
    x, y = make_moons(n_samples=args.n_samples, noise=0.3, random_state=0)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.2, random_state=13
    )
    scaler = StandardScaler().fit(x_train)
    model = LogisticRegression().fit(scaler.transform(x_train), y_train)
    probabilities = model.predict_proba(scaler.transform(x_val))[:, 1]
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "metrics.json").write_text(
        json.dumps(metrics(y_val, probabilities), indent=2)
    )
    for name, value in (("scaler", scaler), ("model", model)):
        with open(args.output / f"{name}.pkl", "wb") as file:
            pickle.dump(value, file)


if __name__ == "__main__":
    main()
