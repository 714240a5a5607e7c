"""Helpers shared by the end-to-end tests: snapshots, versions, crafted runs, numpy scoring,
processes and a Dask cluster started by hand."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from kedro.io.core import generate_timestamp

from moons_classifier.contracts import (
    Areas,
    AtThreshold,
    ClassBalance,
    Metrics,
    SelectedThreshold,
)
from moons_classifier.metrics import threshold_metrics
from tests.support.servers import free_port, live_group_members

MANIFESTS = "08_reporting/run_manifest.json"
LOCK = "data/08_reporting/run.lock"
RUN_ARTIFACTS = {
    "scaler": "06_models/scaler.json",
    "logistic.model_state_dict": "06_models/logistic/model.pt",
    "mlp.model_state_dict": "06_models/mlp/model.pt",
    "logistic_metrics": "08_reporting/logistic/metrics.json",
    "mlp_metrics": "08_reporting/mlp/metrics.json",
}


def snapshot(project: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every path under ``data/``: a file's bytes and modification time, None for a folder.

    The run lock is left out: every run takes it, refused or not, and it holds no data.
    """
    return {
        str(path.relative_to(project)): (
            (path.read_bytes(), path.stat().st_mtime_ns) if path.is_file() else None
        )
        for path in sorted((project / "data").rglob("*"))
        if path.name != "run.lock"
    }


def versions(project: Path, relative: str) -> list[str]:
    """The versions of a versioned artifact that hold its file, oldest first."""
    return sorted(
        p.parent.name
        for p in (project / "data" / relative).glob(f"*/{Path(relative).name}")
    )


def newest_version(project: Path, relative: str) -> Path:
    """The newest version of a versioned file under ``data/``."""
    return sorted((project / "data" / relative).glob(f"*/{Path(relative).name}"))[-1]


def versioned_file(project: Path, relative: str, version: str) -> Path:
    """``version`` of the versioned file ``relative`` under ``data/``."""
    return project / "data" / relative / version / Path(relative).name


def manifest(project: Path, version: str) -> dict:
    """The manifest of the completed run ``version``."""
    return json.loads(versioned_file(project, MANIFESTS, version).read_text())


def record_run(project: Path, version: str, names: dict[str, str]) -> None:
    """Record ``version`` as a completed run that wrote the artifacts ``names``, as they are now."""
    path = versioned_file(project, MANIFESTS, version)
    path.parent.mkdir(parents=True)
    artifacts = {}
    for name, relative in names.items():
        file = versioned_file(project, relative, version)
        artifacts[name] = {
            "path": str(file),
            "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
        }
    path.write_text(
        json.dumps(
            {
                "version": version,
                "pipelines": ["__default__"],
                "completed": "2026-01-01T00:00:00+00:00",
                "artifacts": artifacts,
            }
        )
    )


def copy_newest_run(project: Path, names: dict[str, str] = RUN_ARTIFACTS) -> str:
    """Copy the newest run's scaler, models and metrics into a newer version, not yet recorded."""
    version = generate_timestamp()
    for relative in names.values():
        newest = newest_version(project, relative)
        (newest.parent.parent / version).mkdir()
        shutil.copy2(newest, newest.parent.parent / version / newest.name)
    return version


def probabilities(
    state: dict[str, torch.Tensor], scaler: dict, points: pd.DataFrame
) -> np.ndarray:
    """The model's probability per row, computed with numpy from the stored weights and scaler."""
    x = (
        points[scaler["feature_names_in_"]].to_numpy(np.float64) - scaler["mean_"]
    ) / scaler["scale_"]
    layers = [
        name.removesuffix(".weight") for name in state if name.endswith(".weight")
    ]
    for index, layer in enumerate(layers):
        x = (
            x @ state[f"{layer}.weight"].double().numpy().T
            + state[f"{layer}.bias"].double().numpy()
        )
        if index < len(layers) - 1:
            x = np.maximum(x, 0)
    return 1 / (1 + np.exp(-x[:, 0]))


# Runs a command with SIGINT's default disposition, which exec keeps (an ignored one too).
_DEFAULT_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    """``args`` in its own process group, stdout and stderr captured together.

    The child takes Ctrl-C (SIGINT) as a terminal would deliver it, even where this
    process was started in the background, which ignores SIGINT in its children.
    """
    executable = shutil.which(args[0]) or args[0]
    return subprocess.Popen(
        [sys.executable, "-c", _DEFAULT_SIGINT, executable, *args[1:]],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    """Kill ``process``'s group, if any of it is left, and reap the process."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def finish(process: subprocess.Popen, timeout: float = 300) -> str:
    """``process``'s output once it ends, its group killed after; fail with that output
    if it runs past ``timeout`` seconds."""
    try:
        return process.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        stop(process)
        output = process.communicate()[0]
        raise AssertionError(
            f"still running after {timeout} s:\n{output[-5000:]}"
        ) from None
    finally:
        stop(process)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@contextmanager
def dask_cluster_by_hand(cwd: Path, workers: int) -> Iterator[str]:
    """A ``dask scheduler`` and ``workers`` ``dask worker`` processes on 127.0.0.1, as a
    person starts them; yields the scheduler's address and kills every process after."""
    from distributed import Client  # noqa: PLC0415

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    processes = [
        start(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            cwd,
        )
    ]

    def all_workers() -> bool:
        try:
            with Client(address, timeout=5) as client:
                return len(client.scheduler_info()["workers"]) == workers
        except OSError:
            return False

    try:
        processes += [
            start(
                [
                    dask,
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                ],
                cwd,
            )
            for _ in range(workers)
        ]
        wait_for(all_workers, f"the scheduler and {workers} worker(s)")
        yield address
    finally:
        for process in processes:
            stop(process)
        for process in processes:  # killed children are reaped by init a moment later
            wait_for(
                lambda p=process: not live_group_members(p.pid),
                "the dask processes to end",
                30,
            )


def metrics_at(
    predictions: pd.DataFrame | None = None,
    thresholds: list[float] = (),
    threshold: float | None = None,
) -> Metrics:
    """Metrics holding the counts the evaluation writes at ``thresholds`` for
    ``predictions`` and ``threshold`` as the selected one; the other fields are filler."""
    at = {}
    if predictions is not None:
        labels = predictions["y"].to_numpy()
        probabilities = predictions["probability"].to_numpy()
        at = {
            str(t): AtThreshold(**threshold_metrics(labels, probabilities, t))
            for t in thresholds
        }
    return Metrics(
        n_train=80,
        n_val=20,
        class_balance=ClassBalance(train_positive_rate=0.5, val_positive_rate=0.5),
        pr_baseline=0.5,
        final_train_loss=0.4,
        final_val_loss=0.4,
        auroc=0.9,
        aupr=0.9,
        random_baseline=Areas(auroc=0.5, aupr=0.5),
        thresholds=at,
        selected_threshold=SelectedThreshold(
            criterion="f1", threshold=threshold, metrics=None
        ),
    )
