"""One trial: a ``kedro run`` without figures, in its own process and data folder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PIPELINES = "data_processing,training,evaluation"
OBJECTIVE_KEYS = {"aupr": "aupr", "auroc": "auroc", "val_loss": "final_val_loss"}


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


def error_line(log: Path) -> str:
    """The last line of ``log`` that names an error, or its last line."""
    lines = [line.strip() for line in log.read_text().splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line]
    return (errors or lines or ["no output"])[-1]


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
    out.mkdir(parents=True, exist_ok=True)
    command = run_command(model, {**params, "base_location": str(out)}, env)
    with (out / "kedro.log").open("w") as log:
        code = subprocess.run(
            [sys.executable, "-m", "kedro", *command],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
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
            f"kedro run exited with {code}: {error_line(out / 'kedro.log')}"
        )
    return result | {"duration_s": round(time.monotonic() - started, 3)}
