"""The Dask client: a running scheduler's, or a local cluster's on 127.0.0.1 while in use."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.process import BaseProcess
from typing import Any

import dask
from distributed import Client, LocalCluster, Nanny, Scheduler, Worker, WorkerPlugin
from distributed.core import Status
from distributed.protocol import pickle

# A task whose worker died this many times fails with KilledWorker (Dask's default too);
# a local cluster that lost this many workers in all fails what is left to compute.
ALLOWED_FAILURES = 3
CONNECT_TIMEOUT_S = 3
STOP_TIMEOUT_S = 30
UNFINISHED = ("processing", "queued", "no-worker")


class SchedulerUnreachableError(ValueError):
    """No Dask scheduler answers at the configured address."""


class WorkersLostError(ValueError):
    """The local cluster lost its workers too often (above their memory limit, usually)."""


class SkipLastCollection(WorkerPlugin):
    """Spare a closing worker process Python's last garbage collection at exit, which
    takes seconds with torch and Kedro imported: a sweep's closed worker leaves nothing
    to free. (Not for workers that Dask restarts above their memory limit: their
    multiprocessing finalizers then fail loudly at exit.)"""

    name = "skip-last-collection"

    def teardown(self, worker: Worker) -> None:
        """Move every object out of the collector's reach."""
        gc.freeze()


class WorkerLosses:
    """How often the local cluster's worker processes died; from ``limit`` on, each loss
    fails every unfinished task instead of letting the nannies restart workers forever
    (a worker above its memory limit from the start, say)."""

    def __init__(self, limit: int, memory_limit: str) -> None:
        self.limit = limit
        self.memory_limit = memory_limit
        self.count = 0
        self.scheduler: Scheduler | None = None

    def add(self) -> None:
        """Count a loss (in the scheduler's event loop); fail the unfinished at the limit."""
        self.count += 1
        if self.count >= self.limit and self.scheduler is not None:
            fail_unfinished(self.scheduler, workers_lost(self.count, self.memory_limit))


class CountingNanny(Nanny):
    """A nanny that reports each restart of its worker process to ``losses``."""

    def __init__(self, *args: Any, losses: WorkerLosses, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.losses = losses
        self.started = False

    async def instantiate(self) -> Status:
        """Start the worker process; a second start is a restart, counted as a loss."""
        if self.started:
            self.losses.add()
        self.started = True
        return await super().instantiate()


def fail_unfinished(scheduler: Scheduler, message: str) -> None:
    """Fail every task that is not computed yet with ``WorkersLostError(message)``."""
    if scheduler.status != Status.running:
        return
    stimulus_id = f"workers-lost-{time.time()}"
    recommendations: dict = {}
    for key, task in list(scheduler.tasks.items()):
        if task.state in UNFINISHED:
            recommendations |= scheduler.transition(
                key,
                "erred",
                stimulus_id=stimulus_id,
                cause=key,
                exception=pickle.dumps(WorkersLostError(message)),
                exception_text=message,
            )
    scheduler.transitions(recommendations, stimulus_id)


def workers_lost(losses: int, memory_limit: str) -> str:
    """What to do when the local cluster keeps losing its workers."""
    return (
        f"The local Dask cluster's workers died {losses} times (above their memory "
        f"limit, dask.worker_memory={memory_limit}, or killed). Raise "
        "dask.worker_memory, or lower data.partition_rows so that a partition fits."
    )


@contextmanager
def dask_client(
    scheduler: str | None, workers: int | None, memory_limit: str | None = None
) -> Iterator[Client]:
    """A client of ``scheduler``, or of a local cluster (one process per core, loopback).

    ``memory_limit`` caps each local worker (Dask spills, then restarts a worker above it).
    """
    if scheduler:
        with connect(scheduler) as client:
            yield client
        return
    with local_cluster(
        workers or os.cpu_count() or 1, memory_limit or "auto"
    ) as client:
        yield client


def connect(address: str) -> Client:
    """A client of the scheduler at ``address``; refused quickly where none answers."""
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S)
    except OSError:
        raise SchedulerUnreachableError(
            f"No Dask scheduler answers at {address} (within {CONNECT_TIMEOUT_S} s). "
            "Start one there, or fix the address: kedro sweep --scheduler, or "
            "dask.scheduler (null: a local cluster)."
        ) from None


@contextmanager
def local_cluster(workers: int, memory_limit: str) -> Iterator[Client]:
    """A client of a local cluster whose every process has ended when this returns."""
    tracker_was_running = resource_tracker._resource_tracker._fd is not None  # noqa: SLF001
    before = set(multiprocessing.active_children())
    losses = WorkerLosses(ALLOWED_FAILURES, memory_limit)
    try:
        with (
            dask.config.set(
                {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}
            ),
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # its HTTP server on a free loopback port
                memory_limit=memory_limit,
                worker_class=CountingNanny,
                losses=losses,
            ) as cluster,
            Client(cluster) as client,
        ):
            losses.scheduler = cluster.scheduler
            yield client
    finally:
        end_children(before, stop_tracker=not tracker_was_running)


def end_children(before: set[BaseProcess], stop_tracker: bool) -> None:
    """Wait for the processes started since ``before`` (the workers) to exit, and stop
    the resource tracker they started."""
    for child in set(multiprocessing.active_children()) - before:
        child.join(STOP_TIMEOUT_S)
        if child.is_alive():
            child.kill()
            child.join()
    if stop_tracker:
        resource_tracker._resource_tracker._stop()  # noqa: SLF001  (it outlives us otherwise)


def slots(client: Client, per_thread: bool = True) -> int:
    """How many tasks the cluster's workers run at once: their threads (or the workers,
    where each runs one task at a time), at least one."""
    client.wait_for_workers(1)
    workers = client.scheduler_info()["workers"].values()
    return max(1, sum(worker["nthreads"] if per_thread else 1 for worker in workers))
