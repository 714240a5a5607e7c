"""A small trainer in the spirit of the book's StepByStep class."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

import numpy as np
import torch
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from torch import nn
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
    default_collate,
)

from moons_classifier.models import predict_logits
from moons_classifier.seeding import seeded_torch

logger = logging.getLogger(__name__)

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class EpochEnd:
    """What an epoch ended with: its number, its losses and, when a callback asks for
    them, the validation rows' logits and labels."""

    epoch: int
    train_loss: float
    val_loss: float | None
    val_logits: torch.Tensor | None = None
    val_labels: torch.Tensor | None = None


class EpochCallback(Protocol):
    """Called after each epoch; raising stops the training (a sweep prunes this way)."""

    wants_scores: bool

    def __call__(self, end: EpochEnd) -> None:
        """Take in the epoch's results."""


_LISTENING: ContextVar[tuple[EpochCallback, ...]] = ContextVar(
    "epoch_callbacks", default=()
)


@contextmanager
def epoch_callbacks(*callbacks: EpochCallback) -> Iterator[None]:
    """Give every Trainer created in this context (a sweep's trial) ``callbacks``."""
    token = _LISTENING.set(_LISTENING.get() + callbacks)
    try:
        yield
    finally:
        _LISTENING.reset(token)


def listening() -> tuple[EpochCallback, ...]:
    """The epoch callbacks of the current context; none outside a sweep."""
    return _LISTENING.get()


class Optimizer(Protocol):
    """What the Trainer needs of an optimizer: any ``torch.optim`` one, or ``PlainSGD``."""

    def step(self) -> Any:
        """Update the parameters from their gradients."""

    def zero_grad(self) -> None:
        """Clear the gradients."""

    def state_dict(self) -> dict[str, Any]:
        """The state a checkpoint keeps."""

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a checkpoint's state."""


def _fast_batches(loader: DataLoader, device: torch.device) -> Iterator[Batch] | None:
    """Batches of a TensorDataset loader as tensor slices, drawn from torch's RNG as DataLoader draws them.

    Returns None when the loader is not a plain single-process TensorDataset loader.
    """
    dataset = loader.dataset
    sampler = loader.batch_sampler
    if not (
        isinstance(dataset, TensorDataset)
        and len(dataset.tensors) == 2  # noqa: PLR2004
        and loader.num_workers == 0
        and loader.generator is None
        and loader.collate_fn is default_collate
        and type(sampler) is BatchSampler
        and (
            type(sampler.sampler) is SequentialSampler
            or (
                type(sampler.sampler) is RandomSampler
                and not sampler.sampler.replacement
                and sampler.sampler.generator is None
                and sampler.sampler.num_samples == len(dataset)
            )
        )
    ):
        return None
    n = len(dataset)
    # DataLoader's iterator draws its base seed first, then RandomSampler its own.
    torch.empty((), dtype=torch.int64).random_()
    features, labels = dataset.tensors
    if isinstance(sampler.sampler, RandomSampler):
        seed = int(torch.empty((), dtype=torch.int64).random_())
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        features, labels = (
            features.index_select(0, order),
            labels.index_select(0, order),
        )
    features, labels = features.to(device), labels.to(device)
    size = sampler.batch_size
    stop = n - n % size if sampler.drop_last else n
    return (
        (features[i : i + size], labels[i : i + size]) for i in range(0, stop, size)
    )


def _mean(losses: list[torch.Tensor]) -> float:
    """The mean of batch losses as the book takes it (``np.mean`` of ``loss.item()``s); NaN if none."""
    if not losses:
        return float("nan")
    return float(np.mean(torch.stack(losses).double().cpu().numpy()))


def _losses(train_loss: float, val_loss: float | None) -> str:
    """An epoch's losses as progress shows them."""
    return f"train loss {train_loss:.6f}" + (
        "" if val_loss is None else f", val loss {val_loss:.6f}"
    )


class EpochProgress:
    """Per-epoch progress: a rich progress bar on a terminal, about ten log lines otherwise."""

    def __init__(self, n_epochs: int, stream: TextIO | None = None) -> None:
        self.n_epochs = n_epochs
        self.log_every = max(1, n_epochs // 10)
        console = Console(file=sys.stderr if stream is None else stream)
        self.bar = Progress(
            TextColumn("epoch"),
            MofNCompleteColumn(),
            BarColumn(),
            TextColumn("{task.fields[losses]}"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.task = self.bar.add_task("training", total=n_epochs, losses="")

    def __enter__(self) -> EpochProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.stop()

    def update(self, epoch: int, train_loss: float, val_loss: float | None) -> None:
        """Show epoch ``epoch``'s losses: on the bar, or in a log line when one is due.

        The last epoch is always logged.
        """
        losses = _losses(train_loss, val_loss)
        self.bar.update(self.task, completed=epoch, losses=losses)
        due = self.bar.disable and (epoch == 1 or epoch % self.log_every == 0)
        if due or epoch == self.n_epochs:
            logger.info("epoch %d/%d: %s", epoch, self.n_epochs, losses)


@dataclass
class Trainer:
    """Train a model with mini-batch gradient descent and record per-epoch losses."""

    model: nn.Module
    loss_fn: nn.Module
    optimizer: Optimizer
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    progress_stream: TextIO | None = None
    train_losses: list[float] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    callbacks: Sequence[EpochCallback] = field(default_factory=listening)

    def __post_init__(self) -> None:
        self.model.to(self.device)
        self.loss_fn.to(self.device)

    def _batches(self, loader: Iterable[Batch]) -> Iterator[Batch]:
        """Mini-batches on the trainer's device, in the order the loader would give them."""
        fast = (
            _fast_batches(loader, self.device)
            if isinstance(loader, DataLoader)
            else None
        )
        if fast is not None:
            return fast
        return ((x.to(self.device), y.to(self.device)) for x, y in loader)

    def _train_epoch(self, loader: Iterable[Batch]) -> float:
        """One pass of gradient steps over the training loader; the mean batch loss."""
        self.model.train()
        losses = []
        for features, labels in self._batches(loader):
            loss = self.loss_fn(self.model(features), labels)
            loss.backward()
            self.optimizer.step()
            self.optimizer.zero_grad()
            losses.append(loss.detach())
        return _mean(losses)

    @torch.no_grad()
    def _validate_epoch(
        self, loader: Iterable[Batch], keep_scores: bool = False
    ) -> tuple[float, Batch | None]:
        """The mean batch loss over the validation loader, in eval mode, and the logits
        and labels of its rows if ``keep_scores``."""
        self.model.eval()
        losses, logits, labels = [], [], []
        for features, batch_labels in self._batches(loader):
            batch_logits = self.model(features)
            losses.append(self.loss_fn(batch_logits, batch_labels))
            if keep_scores:
                logits.append(batch_logits.cpu())
                labels.append(batch_labels.cpu())
        scores = (torch.cat(logits), torch.cat(labels)) if logits else None
        return _mean(losses), scores

    def fit(
        self,
        train_loader: Iterable[Batch],
        val_loader: Iterable[Batch] | None,
        n_epochs: int,
        seed: int = 42,
    ) -> None:
        """Train for ``n_epochs``, drawing shuffles from torch's CPU RNG seeded with ``seed``.

        As the book's StepByStep, it re-seeds before training; unlike it, the caller's
        RNG state is restored afterwards, and trainings in other threads wait their
        turn. Progress goes to ``progress_stream`` (default stderr) as a bar when it is
        a terminal, else to this module's logger. Each callback gets each epoch's end.
        """
        keep_scores = any(callback.wants_scores for callback in self.callbacks)
        with (
            seeded_torch(seed),
            torch.backends.cudnn.flags(
                enabled=True, benchmark=False, deterministic=True
            ),
            EpochProgress(n_epochs, self.progress_stream) as progress,
        ):
            for epoch in range(1, n_epochs + 1):
                self.train_losses.append(self._train_epoch(train_loader))
                val_loss, scores = None, None
                if val_loader is not None:
                    val_loss, scores = self._validate_epoch(val_loader, keep_scores)
                    self.val_losses.append(val_loss)
                progress.update(epoch, self.train_losses[-1], val_loss)
                end = EpochEnd(epoch, self.train_losses[-1], val_loss, *(scores or ()))
                for callback in self.callbacks:
                    callback(end)

    def predict(self, features: torch.Tensor) -> torch.Tensor:
        """Logits for ``features`` in eval mode, on the CPU."""
        return predict_logits(self.model, features, self.device)

    def save_checkpoint(self, path: str | Path) -> None:
        """Save model and optimizer state and the loss history."""
        torch.save(
            {
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "train_losses": self.train_losses,
                "val_losses": self.val_losses,
            },
            path,
        )

    def load_checkpoint(self, path: str | Path) -> None:
        """Restore what ``save_checkpoint`` saved, without executing pickled code."""
        checkpoint = torch.load(path, map_location=self.device, weights_only=True)
        self.model.load_state_dict(checkpoint["model"])
        self.optimizer.load_state_dict(checkpoint["optimizer"])
        self.train_losses = list(checkpoint["train_losses"])
        self.val_losses = list(checkpoint["val_losses"])
