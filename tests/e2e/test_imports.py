"""What a metrics-only run command imports: nothing for figures, nothing for Dask on
pandas, and untracked, not MLflow's tracking store."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from devtools.project import disable_tracking
from tests.support.projects import copy_project

METRICS_ONLY = ["data_processing", "training", "evaluation"]
# Neither drawing nor Dask: the reporting pipeline and the Dask backend import them.
PROJECT_UNUSED = (
    "dask",
    "distributed",
    "moons_classifier.pipelines.reporting.plotting",
    "moons_classifier.pipelines.reporting",
)


@pytest.mark.parametrize(
    ("tracked", "unused"),
    [
        # kedro-mlflow 2.0.3's hooks create every catalog dataset, the figures' too, which
        # imports matplotlib; an untracked run calls none of them and the store is not
        # opened.
        (True, PROJECT_UNUSED),
        (
            False,
            (*PROJECT_UNUSED, "matplotlib", "mlflow.store.tracking.sqlalchemy_store"),
        ),
    ],
    ids=["tracked", "untracked"],
)
def test_a_metrics_only_run_imports_nothing_it_does_not_use(tmp_path, tracked, unused):
    project = copy_project(tmp_path / "project")
    if not tracked:
        disable_tracking(project)
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from kedro.framework.session import KedroSession
        from kedro.framework.startup import bootstrap_project
        from moons_classifier.tracking.config import running
        bootstrap_project(Path.cwd())
        params = {{"data": {{"n_samples": 200}}, "training": {{"n_epochs": 2}}}}
        with running({METRICS_ONLY!r}), KedroSession.create(runtime_params=params) as s:
            s.run(pipeline_names={METRICS_ONLY!r})
        imported = [
            name for name in {unused!r}
            if any(m == name or m.startswith(name + ".") for m in sys.modules)
        ]
        assert not imported, f"a metrics-only run imported {{imported}}"
        """
    )
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"}
    subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, check=True, timeout=600
    )
