"""The Trainer against the book's loop, bit for bit; checkpoints, devices and progress."""

from __future__ import annotations

import functools
import io
import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from moons_classifier.optimizers import PlainSGD
from moons_classifier.trainer import (
    EpochProgress,
    Trainer,
    _fast_batches,
)
from tests.support import book_reference
from tests.support.book_reference import BookRun, book_model, book_train, run_book

LR = 0.1
N_EPOCHS = 7


class RowDataset(Dataset):
    """Rows of two tensors, one at a time: a dataset the Trainer's fast path does not take."""

    def __init__(self, features: torch.Tensor, labels: torch.Tensor) -> None:
        self.features, self.labels = features, labels

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.features[index], self.labels[index]


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def book() -> BookRun:
    """The chapter's data, standardized, and what the book trains on it."""
    return run_book()


def tensors(x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Float32 features and (N, 1) labels, as the book builds them."""
    return torch.as_tensor(x).float(), torch.as_tensor(y.reshape(-1, 1)).float()


def loaders(
    book: BookRun, batch_size: int, *, rows: bool = False, drop_last: bool = False
) -> tuple[DataLoader, DataLoader]:
    """Shuffled training and sequential validation loaders over the chapter's splits."""
    dataset = RowDataset if rows else TensorDataset
    train = dataset(*tensors(book.x_train, book.y_train))
    val = dataset(*tensors(book.x_val, book.y_val))
    return (
        DataLoader(train, batch_size=batch_size, shuffle=True, drop_last=drop_last),
        DataLoader(val, batch_size=batch_size),
    )


def mlp() -> nn.Sequential:
    """A small seeded MLP: the loop is not specific to the linear model."""
    torch.manual_seed(7)
    return nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1))


def assert_same(
    model: nn.Module,
    reference: nn.Module,
    trainer: Trainer,
    losses: tuple[list[float], list[float]],
) -> None:
    """Weights and every epoch's losses are bit-identical."""
    for name, tensor in reference.state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor), name
    assert trainer.train_losses == [float(v) for v in losses[0]]
    assert trainer.val_losses == [float(v) for v in losses[1]]


def train_both(
    make_model: Callable[[], nn.Module],
    train_loader: DataLoader,
    val_loader: DataLoader | None,
    make_optimizer: Callable[..., torch.optim.Optimizer] = torch.optim.SGD,
    monkeypatch: pytest.MonkeyPatch | None = None,
    trainer_optimizer: Callable[..., torch.optim.Optimizer | PlainSGD] | None = None,
) -> None:
    """Train one model with the book's loop and one with the Trainer; assert they agree.

    The Trainer steps with ``trainer_optimizer``, by default the book's ``make_optimizer``.
    """
    if monkeypatch is not None:
        monkeypatch.setattr(
            book_reference, "optim", SimpleNamespace(SGD=make_optimizer)
        )
    reference = make_model()
    losses = book_train(reference, train_loader, val_loader, N_EPOCHS, LR)
    model = make_model()
    optimizer = (trainer_optimizer or make_optimizer)(model.parameters(), lr=LR)
    trainer = Trainer(model, nn.BCEWithLogitsLoss(), optimizer)
    trainer.fit(train_loader, val_loader, N_EPOCHS)
    assert_same(model, reference, trainer, losses)


@pytest.mark.parametrize("optimizer", [PlainSGD, torch.optim.SGD])
@pytest.mark.parametrize("batch_size", [1, 16, 32, 80, 128])
@pytest.mark.parametrize("with_validation", [True, False])
def test_trainer_matches_the_book_bit_for_bit(
    book, batch_size, with_validation, optimizer
):
    # 80 training rows: 32 leaves a partial last batch, 128 is one batch of all of them.
    train_loader, val_loader = loaders(book, batch_size)
    assert _fast_batches(train_loader, torch.device("cpu")) is not None
    train_both(
        book_model,
        train_loader,
        val_loader if with_validation else None,
        trainer_optimizer=optimizer,
    )


def test_the_trainer_reproduces_the_chapter(book):
    model = book_model()
    trainer = Trainer(
        model, nn.BCEWithLogitsLoss(), PlainSGD(model.parameters(), lr=LR)
    )
    trainer.fit(*loaders(book, 16), n_epochs=100)
    for name, tensor in book.state_dict.items():
        assert torch.equal(model.state_dict()[name], tensor)
    assert trainer.train_losses == book.train_losses
    assert trainer.val_losses == book.val_losses


@pytest.mark.parametrize("rows", [False, True], ids=["tensor-dataset", "row-dataset"])
def test_drop_last_matches_the_book(book, rows):
    train_loader, val_loader = loaders(book, 32, rows=rows, drop_last=True)
    assert (_fast_batches(train_loader, torch.device("cpu")) is None) == rows
    train_both(book_model, train_loader, val_loader)


def test_any_model_goes_through_the_same_loop(book):
    train_both(mlp, *loaders(book, 16), trainer_optimizer=PlainSGD)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        functools.partial(torch.optim.SGD, momentum=0.9),
        functools.partial(torch.optim.SGD, weight_decay=0.01),
        torch.optim.Adam,
    ],
    ids=["sgd-momentum", "sgd-weight-decay", "adam"],
)
def test_other_optimizers_match_optimizer_step_in_the_book_loop(
    book, make_optimizer, monkeypatch
):
    train_both(book_model, *loaders(book, 16), make_optimizer, monkeypatch)


def test_an_empty_epoch_has_a_nan_loss_and_changes_nothing(book):
    train_loader, _ = loaders(book, 1000, drop_last=True)
    model = book_model()
    before = {name: t.clone() for name, t in model.state_dict().items()}
    trainer = Trainer(
        model, nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=LR)
    )
    trainer.fit(train_loader, None, n_epochs=1)
    assert math.isnan(trainer.train_losses[0])
    assert all(torch.equal(model.state_dict()[name], t) for name, t in before.items())


def test_fit_restores_the_callers_rng_state(book):
    model = book_model()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    Trainer(
        model, nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=LR)
    ).fit(*loaders(book, 16), n_epochs=2)
    assert torch.equal(torch.get_rng_state(), state)


def momentum_trainer() -> Trainer:
    """A Trainer whose optimizer has state worth saving."""
    model = book_model()
    return Trainer(
        model,
        nn.BCEWithLogitsLoss(),
        torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9),
    )


def test_checkpoint_round_trip(book, tmp_path: Path):
    trained = momentum_trainer()
    trained.fit(*loaders(book, 16), n_epochs=3)
    trained.save_checkpoint(tmp_path / "checkpoint.pt")

    restored = momentum_trainer()
    restored.load_checkpoint(tmp_path / "checkpoint.pt")

    assert restored.train_losses == trained.train_losses
    assert restored.val_losses == trained.val_losses
    for name, tensor in trained.model.state_dict().items():
        assert torch.equal(restored.model.state_dict()[name], tensor)
    for trainer in (trained, restored):
        trainer.fit(*loaders(book, 16), n_epochs=2)
    assert restored.train_losses == trained.train_losses
    for name, tensor in trained.model.state_dict().items():
        assert torch.equal(restored.model.state_dict()[name], tensor)


def test_plain_sgd_checkpoints_its_learning_rate(book, tmp_path: Path):
    model = book_model()
    trained = Trainer(model, nn.BCEWithLogitsLoss(), PlainSGD(model.parameters(), 0.25))
    trained.fit(*loaders(book, 16), n_epochs=1)
    trained.save_checkpoint(tmp_path / "checkpoint.pt")

    model = book_model()
    restored = Trainer(model, nn.BCEWithLogitsLoss(), PlainSGD(model.parameters(), LR))
    restored.load_checkpoint(tmp_path / "checkpoint.pt")

    assert restored.optimizer.lr == 0.25  # noqa: PLR2004
    for name, tensor in trained.model.state_dict().items():
        assert torch.equal(restored.model.state_dict()[name], tensor)


WEIGHT = nn.Parameter(torch.zeros(2))


@pytest.mark.parametrize(
    ("params", "lr", "error", "match"),
    [
        (WEIGHT, LR, TypeError, "not one tensor"),
        ([], LR, ValueError, "empty parameter list"),
        ([{"params": [WEIGHT]}], LR, TypeError, "not parameter groups"),
        ([WEIGHT, WEIGHT], LR, ValueError, "more than once"),
        ([WEIGHT], -0.1, ValueError, "must be >= 0, not -0.1"),
        ([WEIGHT], math.nan, ValueError, "must be >= 0, not nan"),
    ],
    ids=["one-tensor", "empty", "groups", "duplicate", "negative-lr", "nan-lr"],
)
def test_plain_sgd_refuses_what_it_cannot_step(params, lr, error, match):
    with pytest.raises(error, match=match):
        PlainSGD(params, lr)


def logged_epochs(caplog: pytest.LogCaptureFixture) -> list[int]:
    """The epochs of the progress lines caplog captured."""
    return [int(r.getMessage().split()[1].split("/")[0]) for r in caplog.records]


def test_training_draws_no_bar_off_a_terminal_and_logs_every_tenth_epoch(
    book, capsys, caplog
):
    model = book_model()
    trainer = Trainer(
        model, nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=LR)
    )
    with caplog.at_level(logging.INFO, logger="moons_classifier.trainer"):
        trainer.fit(*loaders(book, 16), n_epochs=100)
    assert capsys.readouterr().err == ""
    assert logged_epochs(caplog) == [1, *range(10, 101, 10)]
    assert caplog.records[0].getMessage().startswith("epoch 1/100: train loss ")
    assert caplog.records[-1].getMessage() == (
        f"epoch 100/100: train loss {book.train_losses[-1]:.6f}, "
        f"val loss {book.val_losses[-1]:.6f}"
    )


@pytest.mark.parametrize(
    ("n_epochs", "expected"),
    [
        (1, [1]),
        (5, [1, 2, 3, 4, 5]),
        (10, list(range(1, 11))),
        (25, [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25]),
        (100, [1, *range(10, 101, 10)]),
        (1000, [1, *range(100, 1001, 100)]),
    ],
)
def test_log_lines_without_a_terminal(caplog, n_epochs, expected):
    stream = io.StringIO()
    with (
        caplog.at_level(logging.INFO, logger="moons_classifier.trainer"),
        EpochProgress(n_epochs, stream) as progress,
    ):
        for epoch in range(1, n_epochs + 1):
            progress.update(epoch, 0.5, None)
    assert logged_epochs(caplog) == expected
    assert caplog.records[-1].getMessage() == (
        f"epoch {n_epochs}/{n_epochs}: train loss 0.500000"
    )
    assert stream.getvalue() == ""


def test_a_bar_on_a_terminal_then_the_last_epoch_logged(caplog):
    terminal = Terminal()
    with (
        caplog.at_level(logging.INFO, logger="moons_classifier.trainer"),
        EpochProgress(4, terminal) as progress,
    ):
        progress.update(1, 0.7, 0.6)
        progress.update(2, 0.5, 0.4)
        progress.bar.refresh()
        drawn = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", terminal.getvalue())
        assert "epoch 2/4" in drawn
        assert "train loss 0.500000, val loss 0.400000" in drawn
        assert caplog.records == []
        progress.update(4, 0.3, 0.2)
    assert [r.getMessage() for r in caplog.records] == [
        "epoch 4/4: train loss 0.300000, val loss 0.200000"
    ]
