"""seeded_torch: the seeded stream, the caller's generator state restored, threads apart."""

from __future__ import annotations

import threading

import torch

from moons_classifier.seeding import seeded_torch


def reference(seed: int, n: int = 5) -> torch.Tensor:
    """What torch's CPU generator draws right after ``torch.manual_seed(seed)``."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, generator=generator)


def test_the_block_draws_the_seeded_stream():
    with seeded_torch(7):
        drawn = torch.rand(5)
    assert torch.equal(drawn, reference(7))


def test_the_callers_generator_state_is_restored():
    with torch.random.fork_rng(devices=[]):  # this test's seeds stay in this test
        torch.manual_seed(123)
        expected = torch.rand(3)
        torch.manual_seed(123)
        with seeded_torch(7):
            torch.rand(10)
        assert torch.equal(torch.rand(3), expected)


def test_a_nested_block_restores_the_outer_stream():
    with seeded_torch(1):
        first = torch.rand(2)
        with seeded_torch(2):
            inner = torch.rand(2)
        second = torch.rand(2)
    assert torch.equal(torch.cat([first, second]), reference(1, 4))
    assert torch.equal(inner, reference(2, 2))


def test_threads_each_draw_their_own_seeded_stream():
    results: dict[int, torch.Tensor] = {}
    start = threading.Barrier(4)

    def draw(seed: int) -> None:
        start.wait()
        with seeded_torch(seed):
            results[seed] = torch.cat([torch.rand(1) for _ in range(500)])

    threads = [threading.Thread(target=draw, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in range(4):
        assert torch.equal(results[seed], reference(seed, 500))
