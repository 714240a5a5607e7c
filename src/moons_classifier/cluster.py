"""The Dask client: a running scheduler's, or a local cluster's on 127.0.0.1 while in use."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from distributed import Client, LocalCluster


@contextmanager
def dask_client(
    scheduler: str | None, workers: int | None, memory_limit: str | None = None
) -> Iterator[Client]:
    """A client of ``scheduler``, or of a local cluster (one process per core, loopback).

    ``memory_limit`` caps each local worker (Dask spills, then restarts a worker above it).
    """
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=memory_limit or "auto",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def slots(client: Client) -> int:
    """How many tasks the cluster's workers run at once: their threads, at least one."""
    client.wait_for_workers(1)
    workers = client.scheduler_info()["workers"].values()
    return max(1, sum(worker["nthreads"] for worker in workers))
