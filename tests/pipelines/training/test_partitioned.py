"""The partition loader against DataLoader."""

from __future__ import annotations

import dask.dataframe as dd
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from moons_classifier.pipelines.training.partitioned import PartitionLoader
from moons_classifier.seeding import seeded_torch
from moons_classifier.tabular import to_tensors


def epochs(loader, seed: int, n: int = 3) -> list[list[torch.Tensor]]:
    """``n`` passes over ``loader`` after seeding torch as the Trainer does."""
    with seeded_torch(seed):
        return [[x for x, _ in loader] for _ in range(n)]


@pytest.mark.parametrize("shuffle", [False, True])
def test_one_partition_batches_as_a_dataloader(table, shuffle):
    expected = epochs(
        DataLoader(TensorDataset(*to_tensors(table)), batch_size=16, shuffle=shuffle),
        seed=42,
    )
    got = epochs(
        PartitionLoader(dd.from_pandas(table, npartitions=1), 16, shuffle), seed=42
    )
    assert len(got) == len(expected)
    for got_epoch, expected_epoch in zip(got, expected, strict=True):
        assert len(got_epoch) == len(expected_epoch)
        for a, b in zip(got_epoch, expected_epoch, strict=True):
            assert torch.equal(a, b)


def test_many_partitions_give_every_row_once_per_pass_in_a_seeded_order(table):
    loader = PartitionLoader(dd.from_pandas(table, npartitions=4), 8, shuffle=True)
    first, second = epochs(loader, seed=1, n=2)
    rows = torch.cat(first)
    assert len(rows) == len(table)
    assert sorted(rows[:, 0].tolist()) == sorted(to_tensors(table)[0][:, 0].tolist())
    assert not torch.equal(rows, torch.cat(second))
    again = epochs(loader, seed=1, n=2)
    assert all(
        torch.equal(a, b) for a, b in zip(torch.cat(again[0]), rows, strict=True)
    )


def test_class_counts(table):
    loader = PartitionLoader(dd.from_pandas(table, npartitions=3), 8)
    positives = int(table["y"].sum())
    assert loader.class_counts() == (len(table) - positives, positives)
