"""The training nodes' Dask side: mini-batches streamed from a table's partitions."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import torch

from moons_classifier.partitions import partition_seed
from moons_classifier.tabular import LABEL, to_tensors

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class PartitionLoader:
    """Mini-batches of a Dask DataFrame, one partition in memory at a time (the next one
    loading meanwhile; a table of one partition stays in memory).

    Each pass draws from torch's RNG as a DataLoader draws: one partition then gives the
    pandas backend's batches exactly. Shuffled, the partitions come in a random order
    and each partition's rows in a random order.
    """

    table: Any  # a dask.dataframe.DataFrame
    batch_size: int
    shuffle: bool = False

    def __iter__(self) -> Iterator[Batch]:
        """Float32 feature and label batches, as ``DataLoader(TensorDataset(...))`` gives them."""
        n_partitions = self.table.npartitions
        order = list(range(n_partitions))
        seed = None
        torch.empty((), dtype=torch.int64).random_()  # DataLoader's base seed
        if self.shuffle:
            seed = int(torch.empty((), dtype=torch.int64).random_())
            if n_partitions > 1:
                order = torch.randperm(n_partitions).tolist()
        with ThreadPoolExecutor(max_workers=1) as prefetch:
            pending = prefetch.submit(self._tensors, order[0])
            for position, index in enumerate(order):
                features, labels = pending.result()
                if position + 1 < n_partitions:
                    pending = prefetch.submit(self._tensors, order[position + 1])
                if seed is not None:
                    rows = torch.randperm(
                        len(labels),
                        generator=torch.Generator().manual_seed(
                            partition_seed(seed, index)
                        ),
                    )
                    features, labels = features[rows], labels[rows]
                for start in range(0, len(labels), self.batch_size):
                    stop = start + self.batch_size
                    yield features[start:stop], labels[start:stop]

    @cached_property
    def _whole(self) -> Batch | None:
        """The tensors of a table that is one partition: read once, kept for every pass."""
        return self._read(0) if self.table.npartitions == 1 else None

    def _tensors(self, index: int) -> Batch:
        """Partition ``index`` as float32 feature and label tensors."""
        return self._read(index) if self._whole is None else self._whole

    def _read(self, index: int) -> Batch:
        """Partition ``index`` as float32 feature and label tensors: fetched from the
        workers that hold it in memory, else read in this process (a parquet file for the
        tables the catalog loads), not sent through the cluster."""
        partition = self.table.get_partition(index)
        if self._held_by_workers:
            return to_tensors(partition.compute())
        return to_tensors(partition.compute(scheduler="sync"))

    @cached_property
    def _held_by_workers(self) -> bool:
        """Whether the table's partitions are computed and held by the cluster's workers."""
        from distributed import futures_of  # noqa: PLC0415

        return bool(futures_of(self.table))

    def class_counts(self) -> tuple[int, int]:
        """How many rows are labelled 0 and 1."""
        from dask import compute  # noqa: PLC0415

        labels = self.table[LABEL]
        n_rows, n_positive = compute(labels.size, labels.sum())
        return int(n_rows - n_positive), int(n_positive)
