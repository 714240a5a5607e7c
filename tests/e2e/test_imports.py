"""What a metrics-only run imports: nothing for figures, and nothing for Dask on pandas."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

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
    ("kedro_mlflow_hooks", "unused"),
    [
        (True, PROJECT_UNUSED),
        # kedro-mlflow 2.0.3's hooks create every catalog dataset, the figures' too, which
        # imports matplotlib; without them a run that draws nothing does not import it.
        (False, (*PROJECT_UNUSED, "matplotlib")),
    ],
)
def test_a_metrics_only_run_imports_nothing_it_does_not_use(
    tmp_path, kedro_mlflow_hooks, unused
):
    project = copy_project(tmp_path / "project")
    disabled = () if kedro_mlflow_hooks else ("kedro-mlflow", "kedro_mlflow")
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from kedro.framework.project import settings
        from kedro.framework.session import KedroSession
        from kedro.framework.startup import bootstrap_project
        bootstrap_project(Path.cwd())
        settings.set("DISABLE_HOOKS_FOR_PLUGINS", {disabled!r})
        params = {{"data": {{"n_samples": 200}}, "training": {{"n_epochs": 2}}}}
        with KedroSession.create(runtime_params=params) as session:
            session.run(pipeline_names={METRICS_ONLY!r})
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
