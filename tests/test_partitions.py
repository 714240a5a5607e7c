"""Partition sizes and seeds, and tree reductions."""

from __future__ import annotations

import dask
import dask.dataframe as dd

from moons_classifier.partitions import (
    is_dask,
    partition_sizes,
    tree_sum,
)


def test_partition_sizes_cover_the_rows_evenly():
    assert partition_sizes(100, 1_000_000) == [100]
    assert partition_sizes(10, 4) == [4, 3, 3]
    assert sum(partition_sizes(10**8, 10**6)) == 10**8


def test_is_dask_tells_tables_apart(table):
    assert not is_dask(table)
    assert is_dask(dd.from_pandas(table, npartitions=2))


def test_tree_sum_adds_every_part():
    parts = [dask.delayed(i) for i in range(11)]
    assert dask.compute(tree_sum(parts), scheduler="synchronous")[0] == sum(range(11))
