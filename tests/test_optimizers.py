"""PlainSGD: torch.optim.SGD's steps bit for bit, its gradients dropped, its inputs checked."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from moons_classifier.optimizers import PlainSGD
from moons_classifier.seeding import seeded_torch


def small_model() -> nn.Sequential:
    with seeded_torch(3):
        return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))


def train(model: nn.Module, optimizer, steps: int = 10) -> None:
    with seeded_torch(5):
        x, y = torch.randn(32, 2), torch.randint(0, 2, (32, 1)).float()
    loss_fn = nn.BCEWithLogitsLoss()
    for step in range(steps):
        batch = slice(step % 4 * 8, step % 4 * 8 + 8)
        loss_fn(model(x[batch]), y[batch]).backward()
        optimizer.step()
        optimizer.zero_grad()


def test_plain_sgd_steps_as_torch_sgd_bit_for_bit():
    plain, reference = small_model(), small_model()
    train(plain, PlainSGD(plain.parameters(), lr=0.1))
    train(reference, torch.optim.SGD(reference.parameters(), lr=0.1))
    moved = small_model().state_dict()
    for name, tensor in reference.state_dict().items():
        assert torch.equal(plain.state_dict()[name], tensor), name
        assert not torch.equal(moved[name], tensor), name  # the steps moved it


def test_a_parameter_without_gradient_stays_and_zero_grad_drops_them():
    used, unused = nn.Parameter(torch.ones(2)), nn.Parameter(torch.ones(2))
    optimizer = PlainSGD([used, unused], lr=0.5)
    (used * torch.tensor([1.0, 2.0])).sum().backward()
    optimizer.step()
    assert torch.equal(used.detach(), torch.tensor([0.5, 0.0]))
    assert torch.equal(unused.detach(), torch.ones(2))
    optimizer.zero_grad()
    assert used.grad is None


def test_the_state_is_the_learning_rate():
    optimizer = PlainSGD([nn.Parameter(torch.ones(1))], lr=0.1)
    assert optimizer.state_dict() == {"lr": 0.1}
    optimizer.load_state_dict({"lr": 0.01})
    assert (optimizer.lr, optimizer.state_dict()) == (0.01, {"lr": 0.01})


@pytest.mark.parametrize(
    ("params", "lr", "error", "refused"),
    [
        (nn.Parameter(torch.ones(1)), 0.1, TypeError, "not one tensor"),
        ([], 0.1, ValueError, "empty parameter list"),
        ([{"params": [nn.Parameter(torch.ones(1))]}], 0.1, TypeError, "tensors only"),
        ("twice", 0.1, ValueError, "a parameter more than once"),
        ([nn.Parameter(torch.ones(1))], -0.1, ValueError, "must be >= 0, not -0.1"),
        ([nn.Parameter(torch.ones(1))], math.nan, ValueError, "must be >= 0, not nan"),
    ],
)
def test_bad_arguments_are_refused(params, lr, error, refused):
    if isinstance(params, str):  # the same parameter twice
        parameter = nn.Parameter(torch.ones(1))
        params = [parameter, parameter]
    with pytest.raises(error, match=refused):
        PlainSGD(params, lr)
