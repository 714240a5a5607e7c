"""Seeding torch's process-wide CPU generator without leaking state or racing threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_GLOBAL_RNG = threading.RLock()


@contextmanager
def seeded_torch(seed: int) -> Iterator[None]:
    """Hold torch's CPU generator, seeded with ``seed``, and restore its state afterwards.

    Threads (Kedro's ThreadRunner) take turns, so each sees exactly its own seeded stream.
    """
    with _GLOBAL_RNG, torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        yield
