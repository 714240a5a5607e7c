"""Run the default pipeline once per device, in temporary copies, and compare the results.

Run from the repository root: ``python -m benchmarks.device_agreement [--devices cpu cuda]``.
Confusion matrices and AUCs must agree exactly; weights and losses are reported, since float
rounding differs between devices (the book's CUDA run differs from its CPU run in the 4th
decimal).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from benchmarks.report import publishing
from devtools.project import fresh_copy
from moons_classifier.pipelines import MODEL_NAMESPACES

EXACT = ("auroc", "aupr", "random_baseline", "n_train", "n_val")


def newest(project: Path, relative: str) -> Path:
    """The newest version of a versioned artifact."""
    return sorted((project / "data" / relative).iterdir())[-1] / Path(relative).name


def run_on(device: str, root: Path) -> Path:
    """A new project copy under ``root`` after ``kedro run`` with ``training.device=device``."""
    project = fresh_copy(
        root / f"{len(list(root.iterdir()))}-{device.replace(':', '_')}"
    )
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"}
    subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--params", f"training.device={device}"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    return project


def compare(baseline: Path, other: Path, model: str) -> list[str]:
    """Rows of the comparison for one model, and the exact mismatches found."""
    metrics = [
        json.loads(newest(p, f"08_reporting/{model}/metrics.json").read_text())
        for p in (baseline, other)
    ]
    states = [
        torch.load(newest(p, f"06_models/{model}/model.pt"), weights_only=True)
        for p in (baseline, other)
    ]
    weight_diff = max(
        (states[0][k] - states[1][k]).abs().max().item() for k in states[0]
    )
    mismatches = [key for key in EXACT if metrics[0][key] != metrics[1][key]]
    mismatches += [
        f"confusion matrix at {t}"
        for t in metrics[0]["thresholds"]
        if metrics[0]["thresholds"][t]["confusion_matrix"]
        != metrics[1]["thresholds"][t]["confusion_matrix"]
    ]
    print(
        f"| {model:8} | {weight_diff:.2e} "
        f"| {abs(metrics[0]['final_train_loss'] - metrics[1]['final_train_loss']):.2e} "
        f"| {abs(metrics[0]['final_val_loss'] - metrics[1]['final_val_loss']):.2e} "
        f"| {metrics[1]['auroc']} | {'yes' if not mismatches else ', '.join(mismatches)} |"
    )
    return mismatches


def main() -> None:
    """Run on each device and print how far the results are from the first device's."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", nargs=2, default=["cpu", "cuda"])
    baseline_device, other_device = parser.parse_args().devices
    with publishing("device_agreement"):
        print(
            f"torch {torch.__version__}; "
            f"{torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'}"
        )
        with tempfile.TemporaryDirectory() as root:
            baseline = run_on(baseline_device, Path(root))
            other = run_on(other_device, Path(root))
            print(
                f"\n{other_device} against {baseline_device}, default configuration:\n"
            )
            print(
                "| model    | max weight diff | train loss diff | val loss diff "
                "| AUROC | confusion matrices and AUCs equal |"
            )
            print("|---|---|---|---|---|---|")
            mismatches = [
                m for model in MODEL_NAMESPACES for m in compare(baseline, other, model)
            ]
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
