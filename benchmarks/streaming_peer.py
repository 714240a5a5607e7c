"""The one-process streaming script a user would write instead of the Dask backend: the
peer of a metrics-only ``kedro run`` with ``data.backend=dask``.

make_moons in chunks of 1e6 rows (chunk ``i`` seeded ``i``), 20% of each held out for
validation; ``StandardScaler.partial_fit`` on every chunk's training rows, then one pass
training ``Linear(2, 1)`` with SGD (lr 0.1, batch 4096, 1 epoch) chunk by chunk, then the
validation rows scored and sklearn's AUROC, AUPR and confusion counts at 0.3, 0.5 and 0.7
written as JSON (the scikit-learn peer's ``metrics``). Chunks are generated again for each
pass rather than kept: the script holds one chunk at a time. Run as a whole process: ``python -m benchmarks.streaming_peer
[--n-samples 10000000 --output DIR]``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

from benchmarks.sklearn_peer import metrics

CHUNK_ROWS = 1_000_000


def chunks(n_samples: int) -> Iterator[tuple[np.ndarray, ...]]:
    """Each chunk's training features and labels, then its validation features and labels."""
    for index, start in enumerate(range(0, n_samples, CHUNK_ROWS)):
        x, y = make_moons(
            n_samples=min(CHUNK_ROWS, n_samples - start), noise=0.3, random_state=index
        )
        yield tuple(train_test_split(x, y, test_size=0.2, random_state=13))


def train(n_samples: int, scaler: StandardScaler) -> nn.Linear:
    """A logistic regression trained for one epoch, chunk by chunk, batch 4096."""
    torch.manual_seed(42)
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.BCEWithLogitsLoss()
    for x_train, _, y_train, _ in chunks(n_samples):
        features = torch.as_tensor(scaler.transform(x_train), dtype=torch.float32)
        labels = torch.as_tensor(y_train, dtype=torch.float32).reshape(-1, 1)
        order = torch.randperm(len(labels))
        for start in range(0, len(labels), 4096):
            rows = order[start : start + 4096]
            optimizer.zero_grad()
            loss_fn(model(features[rows]), labels[rows]).backward()
            optimizer.step()
    return model


def validation_scores(
    n_samples: int, scaler: StandardScaler, model: nn.Linear
) -> tuple[np.ndarray, np.ndarray]:
    """Every validation row's label and probability of class 1."""
    labels, probabilities = [], []
    with torch.no_grad():
        for _, x_val, _, y_val in chunks(n_samples):
            features = torch.as_tensor(scaler.transform(x_val), dtype=torch.float32)
            probabilities.append(torch.sigmoid(model(features)).reshape(-1).numpy())
            labels.append(y_val)
    return np.concatenate(labels), np.concatenate(probabilities)


def main() -> None:
    """Fit the scaler, train, score and write the metrics, one chunk in memory at a time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=10_000_000)
    parser.add_argument("--output", type=Path, default=Path("streaming-peer-output"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    scaler = StandardScaler()
    for x_train, _, _, _ in chunks(args.n_samples):
        scaler.partial_fit(x_train)
    model = train(args.n_samples, scaler)
    args.output.mkdir(parents=True, exist_ok=True)
    labels, probabilities = validation_scores(args.n_samples, scaler, model)
    scores = {"n_val": len(labels), **metrics(labels, probabilities)}
    (args.output / "metrics.json").write_text(json.dumps(scores, indent=2))


if __name__ == "__main__":
    main()
