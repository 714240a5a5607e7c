"""The chapter's optimizer, plain SGD, without torch.optim's fixed costs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch


class PlainSGD:
    """SGD without momentum, weight decay or hooks: ``p -= lr * p.grad``, as ``torch.optim.SGD`` computes it.

    On the CPU, ``torch.optim.SGD(params, lr)`` gives the same weights bit for bit (on a
    GPU, to float32 rounding). This one skips its per-step bookkeeping
    (benchmarks.train_speed: 1.33x at the chapter's size, torch 2.13 CPU) and the import
    of ``torch._dynamo`` that constructing any torch Optimizer triggers (about 1.9 s, a
    tenth of a default ``kedro run``). Its ``state_dict`` is its own (the learning rate),
    not torch's layout.
    """

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float) -> None:
        if isinstance(params, torch.Tensor):
            raise TypeError(
                "PlainSGD takes an iterable of parameters, not one tensor: pass "
                "model.parameters() or [tensor]."
            )
        self.params = list(params)
        if not self.params:
            raise ValueError("PlainSGD got an empty parameter list.")
        if not all(isinstance(p, torch.Tensor) for p in self.params):
            raise TypeError(
                "PlainSGD takes tensors only, not parameter groups: use torch.optim.SGD "
                "for per-group settings."
            )
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("PlainSGD got a parameter more than once.")
        if not lr >= 0:
            raise ValueError(f"PlainSGD's learning rate must be >= 0, not {lr}.")
        self.lr = lr

    @torch.no_grad()
    def step(self) -> None:
        """Move every parameter that has a gradient by ``-lr`` times it."""
        for param in self.params:
            if param.grad is not None:
                param.add_(param.grad, alpha=-self.lr)

    def zero_grad(self) -> None:
        """Drop the gradients, as ``Optimizer.zero_grad()`` does by default."""
        for param in self.params:
            param.grad = None

    def state_dict(self) -> dict[str, Any]:
        """The learning rate: plain SGD keeps no other state."""
        return {"lr": self.lr}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""
        self.lr = state["lr"]
