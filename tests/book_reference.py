"""The book's algorithm (``benchmarks/book.py``), with a training loop whose optimizer
class tests may replace through this module's ``optim``."""

from __future__ import annotations

from torch import nn, optim
from torch.utils.data import DataLoader

from benchmarks import book
from benchmarks.book import (
    BookRun,
    book_aucs,
    book_loaders,
    book_metrics,
    book_model,
    run_book,
)

__all__ = [
    "BookRun",
    "book_aucs",
    "book_loaders",
    "book_metrics",
    "book_model",
    "book_train",
    "run_book",
]


def book_train(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader | None,
    n_epochs: int,
    lr: float,
    seed: int = 42,
) -> tuple[list[float], list[float]]:
    """The book's training loop with this module's ``optim.SGD``."""
    return book.book_train(
        model, train_loader, val_loader, n_epochs, lr, seed, make_optimizer=optim.SGD
    )
