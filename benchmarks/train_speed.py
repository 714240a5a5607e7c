"""The project's Trainer against the book's training loop, on the same data in one process.

A second table times the Trainer with the project's ``PlainSGD`` (what the training node
uses) against the same Trainer with ``torch.optim.SGD``.

Run from the repository root: ``python -m benchmarks.train_speed [--device cuda]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader

from benchmarks.report import publishing
from devtools.book import book_loaders, book_model, book_train
from moons_classifier.devices import resolve_device
from moons_classifier.optimizers import PlainSGD
from moons_classifier.trainer import Trainer

LR = 0.1


@dataclass(frozen=True)
class Case:
    """One benchmark configuration; the book's loop and the Trainer each run ``repeats`` times."""

    n_samples: int
    batch_size: int
    n_epochs: int
    repeats: int


CASES = (
    Case(100, 16, 100, repeats=3),
    Case(1_000_000, 16, 1, repeats=1),
    Case(1_000_000, 4096, 1, repeats=1),
)
OPTIMIZER_CASES = (
    Case(100, 16, 100, repeats=5),
    Case(1_000_000, 16, 1, repeats=3),
    Case(1_000_000, 4096, 1, repeats=5),
)


@dataclass
class Result:
    """Trained weights, losses and the best wall time of one training loop."""

    state_dict: dict[str, torch.Tensor]
    train_losses: list[float]
    val_losses: list[float]
    seconds: float


def moons_loaders(n_samples: int, batch_size: int) -> tuple[DataLoader, DataLoader]:
    """The chapter's data preparation at ``n_samples`` points, as the book's loaders."""
    x, y = make_moons(n_samples=n_samples, noise=0.3, random_state=0)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.2, random_state=13
    )
    scaler = StandardScaler().fit(x_train)
    return book_loaders(
        scaler.transform(x_train), y_train, scaler.transform(x_val), y_val, batch_size
    )


def timed(
    train: Callable[[nn.Module], tuple[list[float], list[float]]], repeats: int
) -> Result:
    """Train a fresh book model ``repeats`` times; the last run's results, the best time."""
    best = float("inf")
    for _ in range(repeats):
        model = book_model()
        start = time.perf_counter()
        train_losses, val_losses = train(model)
        best = min(best, time.perf_counter() - start)
    state = {name: t.detach().cpu().clone() for name, t in model.state_dict().items()}
    return Result(
        state, [float(v) for v in train_losses], [float(v) for v in val_losses], best
    )


def book(loaders: tuple[DataLoader, DataLoader], case: Case) -> Result:
    """The book's loop on the CPU."""
    return timed(
        lambda model: book_train(model, *loaders, case.n_epochs, LR), case.repeats
    )


def project(
    loaders: tuple[DataLoader, DataLoader],
    case: Case,
    device: torch.device,
    make_optimizer: Callable[..., torch.optim.Optimizer | PlainSGD] = PlainSGD,
) -> Result:
    """The project's Trainer with the book's loss and, by default, the training node's optimizer."""

    def train(model: nn.Module) -> tuple[list[float], list[float]]:
        trainer = Trainer(
            model,
            nn.BCEWithLogitsLoss(),
            make_optimizer(model.parameters(), lr=LR),
            device,
        )
        trainer.fit(*loaders, case.n_epochs)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return trainer.train_losses, trainer.val_losses

    return timed(train, case.repeats)


def identical(reference: Result, result: Result) -> bool:
    """Whether weights and every epoch's losses are bit-identical."""
    return (
        reference.state_dict.keys() == result.state_dict.keys()
        and all(
            torch.equal(reference.state_dict[k], result.state_dict[k])
            for k in reference.state_dict
        )
        and reference.train_losses == result.train_losses
        and reference.val_losses == result.val_losses
    )


def close(reference: Result, result: Result) -> bool:
    """Whether weights and losses agree to float32 round-off."""
    return all(
        torch.allclose(
            reference.state_dict[k], result.state_dict[k], rtol=1e-4, atol=1e-6
        )
        for k in reference.state_dict
    ) and np.allclose(
        reference.train_losses + reference.val_losses,
        result.train_losses + result.val_losses,
        rtol=1e-4,
    )


def show(text: str) -> None:
    """Print one line of the report."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


Loop = Callable[[tuple[DataLoader, DataLoader], Case], Result]


def table(
    cases: tuple[Case, ...],
    names: tuple[str, str],
    reference: Loop,
    candidate: Loop,
    exact: bool,
) -> None:
    """Time both loops on every case and print a row each; stop if their results differ."""
    columns = (
        "points",
        "epochs",
        "batch",
        f"{names[0]} points/s",
        f"{names[1]} points/s",
        "speedup",
        "identical" if exact else "allclose",
    )
    widths = [max(len(c), 9) for c in columns]
    show(
        "| "
        + " | ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))
        + " |"
    )
    show("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for case in cases:
        loaders = moons_loaders(case.n_samples, case.batch_size)
        expected, result = reference(loaders, case), candidate(loaders, case)
        agree = identical(expected, result) if exact else close(expected, result)
        work = case.n_samples * case.n_epochs
        cells = (
            f"{case.n_samples:,}",
            str(case.n_epochs),
            str(case.batch_size),
            f"{work / expected.seconds:,.0f}",
            f"{work / result.seconds:,.0f}",
            f"{expected.seconds / result.seconds:.2f}x",
            "yes" if agree else "NO",
        )
        show(
            "| "
            + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
            + " |"
        )
        if exact and not agree:
            raise SystemExit(
                f"{names[1]}'s results differ from {names[0]}'s for {case}"
            )


def main() -> None:
    """Run every case, check the results agree and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--device", default="cpu", help="the Trainer's device (cpu, cuda, ...)"
    )
    args = parser.parse_args()
    device = resolve_device(args.device)
    torch.set_num_threads(1)
    exact = device.type == "cpu"
    warm_up, once = moons_loaders(100, 16), replace(CASES[0], repeats=1)
    book(warm_up, once)
    project(warm_up, once, device)
    project(warm_up, once, device, torch.optim.SGD)
    with publishing(
        "train_speed" if device.type == "cpu" else f"train_speed-{device.type}"
    ):
        runs = ", ".join(f"{c.repeats} at n={c.n_samples:,}" for c in CASES[:2])
        show(
            f"torch {torch.__version__}, 1 thread; book loop on cpu, Trainer on {device}.\n"
            f"Runs of each loop, best time kept: {runs}.\n"
            "points/s: every point passes once per epoch, in training or validation.\n"
        )
        table(
            CASES,
            ("book", "Trainer"),
            book,
            lambda loaders, case: project(loaders, case, device),
            exact,
        )
        runs = ", ".join(
            f"{c.repeats} at n={c.n_samples:,}, batch {c.batch_size}"
            for c in OPTIMIZER_CASES
        )
        show(
            "\nThe Trainer with torch.optim.SGD against PlainSGD; "
            f"runs of each, best time kept: {runs}.\n"
        )
        table(
            OPTIMIZER_CASES,
            ("torch SGD", "PlainSGD"),
            lambda loaders, case: project(loaders, case, device, torch.optim.SGD),
            lambda loaders, case: project(loaders, case, device),
            exact,
        )


if __name__ == "__main__":
    main()
