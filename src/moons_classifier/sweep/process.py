"""A trial in a process of its own: ``kedro run`` with the trial's parameters
(``--isolation process``, for configurations that need a clean process)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# cli.TRACEBACK_HINT, which ``kedro run`` prints under its error message (not imported:
# importing the CLI configures Kedro's logging in the worker).
TRACEBACK_HINT = "(kedro run --traceback"


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


def run_in_process_of_its_own(
    project: str, out: Path, command: list[str]
) -> dict[str, Any]:
    """Run the trial's ``kedro run``; nothing, or its error."""
    code = kedro_run(project, command, out / "kedro.log")
    if code == 0:
        return {}
    return {
        "error": f"kedro run {exit_reason(code)}: {error_message(out / 'kedro.log')}"
    }
