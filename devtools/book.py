"""An independent re-implementation of the chapter's algorithm, as the book writes it.

Tests and benchmarks compare the project against it: the same data preparation,
DataLoaders with per-sample collation, and StepByStep's training loop with
``loss.item()`` after every step. As a plain script it runs the chapter end to end and
prints its numbers: ``python -m devtools.book [--n-samples 1000000 --batch-size 4096
--n-epochs 3]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import make_moons
from sklearn.metrics import auc, confusion_matrix, precision_recall_curve, roc_curve
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class BookRun:
    """What the chapter's notebook computes."""

    state_dict: dict[str, torch.Tensor]
    train_losses: list[float]
    val_losses: list[float]
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    probabilities: np.ndarray
    scaler: StandardScaler


def book_train(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader | None,
    n_epochs: int,
    lr: float,
    seed: int = 42,
    make_optimizer: Callable[..., optim.Optimizer] = optim.SGD,
) -> tuple[list[float], list[float]]:
    """Train as StepByStep.train does: re-seed, then per-batch steps with loss.item()."""
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = make_optimizer(model.parameters(), lr=lr)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.manual_seed(seed)
    np.random.seed(seed)
    train_losses, val_losses = [], []
    for _ in range(n_epochs):
        batch_losses = []
        for x_batch, y_batch in train_loader:
            model.train()
            loss = loss_fn(model(x_batch), y_batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            batch_losses.append(loss.item())
        train_losses.append(np.mean(batch_losses))
        if val_loader is not None:
            with torch.no_grad():
                batch_losses = []
                for x_batch, y_batch in val_loader:
                    model.eval()
                    batch_losses.append(loss_fn(model(x_batch), y_batch).item())
                val_losses.append(np.mean(batch_losses))
    return train_losses, val_losses


def book_model(n_features: int = 2, seed: int = 42) -> nn.Sequential:
    """The chapter's logistic regression: one module named ``linear``."""
    torch.manual_seed(seed)
    model = nn.Sequential()
    model.add_module("linear", nn.Linear(n_features, 1))
    return model


def book_loaders(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    batch_size: int,
    seed: int = 13,
) -> tuple[DataLoader, DataLoader]:
    """The chapter's TensorDatasets and DataLoaders."""
    torch.manual_seed(seed)
    train = TensorDataset(
        torch.as_tensor(x_train).float(),
        torch.as_tensor(y_train.reshape(-1, 1)).float(),
    )
    val = TensorDataset(
        torch.as_tensor(x_val).float(), torch.as_tensor(y_val.reshape(-1, 1)).float()
    )
    return (
        DataLoader(train, batch_size=batch_size, shuffle=True),
        DataLoader(val, batch_size=batch_size),
    )


def run_book(
    n_samples: int = 100,
    noise: float = 0.3,
    data_seed: int = 0,
    test_size: float = 0.2,
    split_seed: int = 13,
    batch_size: int = 16,
    n_epochs: int = 100,
    lr: float = 0.1,
) -> BookRun:
    """Run the chapter end to end and return what it computes."""
    x, y = make_moons(n_samples=n_samples, noise=noise, random_state=data_seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=test_size, random_state=split_seed
    )
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    train_loader, val_loader = book_loaders(x_train, y_train, x_val, y_val, batch_size)
    model = book_model()
    train_losses, val_losses = book_train(model, train_loader, val_loader, n_epochs, lr)
    model.eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(x_val).float()).numpy()
    probabilities = (1 / (1 + np.exp(-logits))).squeeze()
    return BookRun(
        {k: v.clone() for k, v in model.state_dict().items()},
        train_losses,
        val_losses,
        x_train,
        y_train,
        x_val,
        y_val,
        probabilities,
        scaler,
    )


def book_metrics(y: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict:
    """The chapter's confusion matrix and ratios at one threshold."""
    cm = confusion_matrix(y, probabilities >= threshold, labels=[0, 1])
    (tn, fp), (fn, tp) = cm
    return {
        "confusion_matrix": cm.tolist(),
        "tpr": tp / (tp + fn),
        "fpr": fp / (fp + tn),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
    }


def book_aucs(y: np.ndarray, probabilities: np.ndarray) -> tuple[float, float]:
    """The chapter's AUROC and AUPR."""
    fpr, tpr, _ = roc_curve(y, probabilities)
    precision, recall, _ = precision_recall_curve(y, probabilities)
    return auc(fpr, tpr), auc(recall, precision)


def main() -> None:
    """Run the chapter end to end and print its weights, confusion matrices and AUCs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--n-epochs", type=int, default=100)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.3, 0.5, 0.7])
    args = parser.parse_args()
    torch.set_num_threads(1)
    run = run_book(
        n_samples=args.n_samples, batch_size=args.batch_size, n_epochs=args.n_epochs
    )
    thresholds: Iterable[float] = args.thresholds
    report = {
        "state_dict": {k: v.tolist() for k, v in run.state_dict.items()},
        "confusion_matrices": {
            t: book_metrics(run.y_val, run.probabilities, t)["confusion_matrix"]
            for t in thresholds
        },
        "auroc_aupr": book_aucs(run.y_val, run.probabilities),
    }
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
