"""The book's algorithm (``devtools/book.py``), with a training loop whose optimizer
class tests may replace through this module's ``optim``."""

from __future__ import annotations

from typing import Any

from torch import optim

from devtools import book
from devtools.book import (
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


def book_train(*args: Any, **kwargs: Any) -> tuple[list[float], list[float]]:
    """``devtools.book.book_train`` with this module's ``optim.SGD``."""
    return book.book_train(*args, make_optimizer=optim.SGD, **kwargs)
