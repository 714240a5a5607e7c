"""One trial: a ``kedro run`` without figures, in its own process and data folder."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

PIPELINES = "data_processing,training,evaluation"
OBJECTIVE_KEYS = {"aupr": "aupr", "auroc": "auroc", "val_loss": "final_val_loss"}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# cli.TRACEBACK_HINT, which ``kedro run`` prints under its error message (not imported:
# importing the CLI configures Kedro's logging in the worker).
TRACEBACK_HINT = "(kedro run --traceback"


def yaml_value(value: Any) -> str:
    """``value`` as ``--params`` reads it back (YAML): null, a number or a string."""
    return "null" if value is None else str(value)


def run_command(model: str, params: dict[str, Any], env: str | None) -> list[str]:
    """The ``kedro run`` arguments that train and evaluate ``model`` with ``params``."""
    dotlist = ",".join(f"{key}={yaml_value(value)}" for key, value in params.items())
    command = ["run", "--pipelines", PIPELINES, "--tags", f"data_processing,{model}"]
    return [*command, *(["--env", env] if env else []), "--params", dotlist]


def newest(folder: Path) -> Any:
    """The newest version of the versioned JSON file ``folder``, loaded."""
    return json.loads(sorted(folder.glob(f"*/{folder.name}"))[-1].read_text())


def error_message(log: Path) -> str:
    """The error ``kedro run`` printed last in ``log`` (all its lines), or the last line
    of ``log`` that names an error, or its last line."""
    lines = [line.strip() for line in log.read_text().splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith("Error: ")]
    if starts:
        message = [
            line for line in lines[starts[-1] :] if not line.startswith(TRACEBACK_HINT)
        ]
        return " ".join(message).removeprefix("Error: ")
    errors = [line for line in lines if "Error" in line]
    return (errors or lines or ["no output"])[-1]


def exit_reason(code: int) -> str:
    """How ``kedro run`` ended: its exit status, or the signal that killed it."""
    if code < 0:
        return f"killed by signal {-code} ({signal.Signals(-code).name})"
    return f"exited with {code}"


def die_with_parent() -> Callable[[], None] | None:
    """For ``preexec_fn`` on Linux: the child gets SIGKILL when the worker thread that
    started it ends (the worker process killed, say); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return set_death_signal


def kedro_run(project: str, command: list[str], log: Path) -> int:
    """Run ``kedro`` with ``command`` in its own process group, which dies with this
    worker; kill whatever of the group is left; its exit status."""
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            [sys.executable, "-m", "kedro", *command],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(),  # noqa: PLW1509  (prctl and getppid only)
        )
        try:
            return process.wait()
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def clean_folder(out: Path) -> None:
    """Give the trial an empty folder: one left by a worker that died running it (Dask
    runs the trial again elsewhere) is emptied, so that it never holds two runs."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)


def run_trial(
    project: str,
    folder: str,
    model: str,
    params: dict[str, Any],
    objective: str,
    env: str | None = None,
) -> dict[str, Any]:
    """Run the trial on this worker; its objective and test metrics, or its error."""
    started = time.monotonic()
    out = Path(folder)
    clean_folder(out)
    command = run_command(model, {**params, "base_location": str(out)}, env)
    code = kedro_run(project, command, out / "kedro.log")
    result: dict[str, Any] = {"worker": f"{socket.gethostname()}:{os.getpid()}"}
    if code == 0:
        reports = out / "08_reporting" / model
        value = newest(reports / "metrics.json")[OBJECTIVE_KEYS[objective]]
        if value is not None:
            result |= {"value": value, "test": newest(reports / "test_metrics.json")}
        else:
            result["error"] = f"{objective} is undefined on the validation split"
    else:
        result["error"] = (
            f"kedro run {exit_reason(code)}: {error_message(out / 'kedro.log')}"
        )
    return result | {"duration_s": round(time.monotonic() - started, 3)}
