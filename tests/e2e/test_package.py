"""The packaged project: ``kedro package``'s wheel and conf archive, installed as the
Dockerfile installs them (the pinned requirements, then the wheel alone), run the pipelines
in a fresh environment without the source and reproduce the default run's metrics."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from moons_classifier.pipelines import MODEL_NAMESPACES
from tests.support.projects import PROJECT_ROOT

PACKAGED = ("pyproject.toml", "README.md", "src", "conf")
INSTALL_TIMEOUT_S = 900


def packaged(project: Path) -> Path:
    """``kedro package`` of a copy of the project's source and configuration: its dist/."""
    project.mkdir()
    for name in PACKAGED:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                project / name,
                ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "local"),
            )
        else:
            shutil.copy2(source, project / name)
    (project / "conf" / "local").mkdir()
    kedro = [sys.executable, "-m", "kedro", "package"]
    subprocess.run(kedro, cwd=project, check=True, capture_output=True)
    return project / "dist"


def test_the_dockerfile_installs_the_pinned_requirements_then_the_wheel_alone() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    steps = [
        "COPY requirements.txt",
        "-r requirements.txt",
        "COPY dist/*.whl dist/conf-moons_classifier.tar.gz",
        "--no-deps ./*.whl && pip check",
        '"--conf-source=conf-moons_classifier.tar.gz"',
    ]
    positions = [dockerfile.find(step) for step in steps]
    assert -1 not in positions, dict(zip(steps, positions, strict=True))
    assert positions == sorted(positions)


def test_the_packaged_wheel_reproduces_the_default_runs_metrics(
    default_run: Path, tmp_path: Path, latest: Callable[[Path, str], Path]
) -> None:
    dist = packaged(tmp_path / "project")
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    requirements = PROJECT_ROOT / "requirements.txt"
    for install in (
        ["install", "--quiet", "-r", requirements],
        ["install", "--quiet", "--no-deps", wheel],
        ["check"],
    ):
        subprocess.run(
            [python, "-m", "pip", *install],
            check=True,
            capture_output=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    archive = dist / "conf-moons_classifier.tar.gz"
    environment = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "OMP_NUM_THREADS": "1"}
    run = subprocess.run(
        [python, "-m", "moons_classifier", f"--conf-source={archive}"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert not (elsewhere / "src").exists()
    for model in MODEL_NAMESPACES:
        relative = f"08_reporting/{model}/metrics.json"
        assert latest(elsewhere, relative).read_bytes() == (
            latest(default_run, relative).read_bytes()
        ), relative
