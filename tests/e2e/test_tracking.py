"""MLflow tracking (the ``tracking`` extra): runs, metrics, artifacts, served models, the UI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import mlflow
import numpy as np
import pandas as pd
import pytest
from kedro.framework.session import KedroSession
from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook
from mlflow.entities import Run
from playwright.sync_api import expect

from moons_classifier.pipeline_registry import register_pipelines
from moons_classifier.pipelines import MODEL_NAMESPACES
from moons_classifier.sweep.tracking import tracks_trials
from tests.support.projects import (
    PROJECT_ROOT,
    copy_project,
    disable_tracking,
    run_kedro,
)
from tests.support.servers import LOOPBACK, running_server
from tests.support.viz_helpers import loopback_page

EXPERIMENT = "moons-classifier"
SEEDS = (1, 2)
# The MLflow UI loads its runs after the page, maybe while other tests run beside it.
UI_TIMEOUT_MS = 120_000


@dataclass
class Tracked:
    """A project copy after two default runs (training seeds 1, 2) and an inference run."""

    project: Path
    client: mlflow.MlflowClient
    runs: list[Run]  # the two default runs, in order
    parameters: dict[str, Any]  # the typed parameter groups the default pipeline uses

    @property
    def store(self) -> str:
        """The tracking URI of the project's store."""
        return f"sqlite:///{self.project / 'mlruns' / 'mlflow.db'}"

    def version(self, run: Run) -> str:
        """The Kedro save version of ``run``'s artifacts (its Kedro run id)."""
        return run.data.tags["run_id"]

    def metrics_json(self, run: Run, namespace: str) -> dict:
        """The metrics JSON that ``run`` wrote for ``namespace``."""
        path = self.project / "data/08_reporting" / namespace / "metrics.json"
        return json.loads((path / self.version(run) / "metrics.json").read_text())


def leaves(
    tree: Any, prefix: str, nested: type | tuple = dict | list
) -> dict[str, Any]:
    """Leaves of nested ``nested`` containers by dotted path (apart from the project's)."""
    if isinstance(tree, nested):
        keys = tree.keys() if isinstance(tree, dict) else range(len(tree))
        return {
            path: leaf
            for key in keys
            for path, leaf in leaves(tree[key], f"{prefix}.{key}", nested).items()
        }
    return {prefix: tree}


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracked]:
    """Two default runs with different seeds and one inference run, in one process."""
    project = copy_project(
        tmp_path_factory.mktemp("tracking") / "project", tracking=True
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        for seed in SEEDS:
            run_kedro(project, monkeypatch, runtime_params={"training": {"seed": seed}})
        with KedroSession.create(project_path=project) as session:
            catalog = session.load_context().catalog
            parameters = {
                name.removeprefix("params:"): catalog.load(name)
                for name in register_pipelines()["__default__"].inputs()
                if name.startswith("params:")
            }
        # After a run of one pipeline, Kedro registers only that one: this comes last.
        run_kedro(project, monkeypatch, pipeline_names=["inference"])
    client = mlflow.MlflowClient(f"sqlite:///{project / 'mlruns' / 'mlflow.db'}")
    experiment = client.get_experiment_by_name(EXPERIMENT)
    runs = client.search_runs(
        [experiment.experiment_id],
        "attributes.run_name = '__default__'",
        order_by=["attributes.start_time ASC"],
    )
    tracked = Tracked(project, client, runs, parameters)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(tracked.store)  # models:/ URIs resolve in this store
    yield tracked
    mlflow.set_tracking_uri(previous)


def test_each_run_is_one_finished_mlflow_run_with_flattened_params(
    tracked: Tracked,
) -> None:
    """Two FINISHED runs; one param per leaf of each typed group; commit and run id tags."""
    assert [run.info.status for run in tracked.runs] == ["FINISHED", "FINISHED"]
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    for seed, run in zip(SEEDS, tracked.runs, strict=True):
        expected = {
            key: str(leaf)
            for group, model in tracked.parameters.items()
            # kedro-mlflow flattens dicts; a list is one param
            for key, leaf in leaves(model.model_dump(mode="json"), group, dict).items()
        }
        expected["training.seed"] = str(seed)
        assert run.data.params == expected
        assert run.data.params["training.lr"] == "0.1"
        assert run.data.tags["mlflow.source.git.commit"] == commit
        metrics_folder = tracked.project / "data/08_reporting/logistic/metrics.json"
        assert (metrics_folder / tracked.version(run)).is_dir()
    assert tracked.version(tracked.runs[0]) != tracked.version(tracked.runs[1])


def test_loss_histories_and_final_metrics_match_the_metrics_json(
    tracked: Tracked,
) -> None:
    """Per-epoch losses as metric history; every numeric leaf of metrics.json as a metric."""
    for run in tracked.runs:
        for namespace in MODEL_NAMESPACES:
            metrics = tracked.metrics_json(run, namespace)
            numeric = {
                key: value
                for key, value in leaves(metrics, namespace).items()
                if isinstance(value, int | float) and not isinstance(value, bool)
            }
            logged = {
                key: value
                for key, value in run.data.metrics.items()
                if key.startswith(f"{namespace}.")
                and key.rpartition(".")[2] not in ("train_loss", "val_loss")
            }
            assert logged == numeric
            assert {"auroc", "aupr", "selected_threshold.threshold"} <= {
                key.removeprefix(f"{namespace}.") for key in logged
            }
            for loss in ("train_loss", "val_loss"):
                history = tracked.client.get_metric_history(
                    run.info.run_id, f"{namespace}.{loss}"
                )
                assert [point.step for point in history] == list(range(1, 101))
                assert history[-1].value == metrics[f"final_{loss}"]
    latest = tracked.runs[-1]
    for namespace in MODEL_NAMESPACES:
        table = pd.read_csv(
            tracked.project / "data/07_model_output" / namespace / "loss_history.csv"
        )
        history = tracked.client.get_metric_history(
            latest.info.run_id, f"{namespace}.train_loss"
        )
        assert [point.value for point in history] == table["train_loss"].tolist()
    first, second = (run.data.metrics["mlp.final_train_loss"] for run in tracked.runs)
    assert first != second  # the seeds gave different trainings


def _artifact_files(client: mlflow.MlflowClient, run_id: str, path: str = "") -> set:
    """Every artifact file of the run, recursively."""
    files = set()
    for item in client.list_artifacts(run_id, path or None):
        if item.is_dir:
            files |= _artifact_files(client, run_id, item.path)
        else:
            files.add(item.path)
    return files


def test_every_versioned_file_of_a_run_is_an_artifact(
    tracked: Tracked, tmp_path: Path
) -> None:
    """Figures, metrics, scaler and state_dicts: each file of the run's version, by namespace."""
    for run in tracked.runs:
        written = {
            "/".join(
                (
                    *([file.parts[-4]] if file.parts[-4] in MODEL_NAMESPACES else []),
                    file.name,
                )
            )
            for file in (tracked.project / "data").glob(f"**/{tracked.version(run)}/*")
        }
        assert {
            "scaler.json",
            "data.png",
            "logistic/model.pt",
            "logistic/metrics.json",
            "logistic/roc_pr_curves.png",
            "mlp/losses.png",
        } <= written
        assert _artifact_files(tracked.client, run.info.run_id) == written
    run = tracked.runs[0]
    figure = tracked.client.download_artifacts(
        run.info.run_id, "logistic/roc_pr_curves.png", str(tmp_path)
    )
    stored = (
        tracked.project
        / "data/08_reporting/logistic/roc_pr_curves.png"
        / tracked.version(run)
        / "roc_pr_curves.png"
    )
    assert Path(figure).read_bytes() == stored.read_bytes()


def test_models_are_registered_and_score_like_the_pipeline(tracked: Tracked) -> None:
    """One registered version per run and model; loaded, each gives the run's probabilities."""
    inference = pd.read_csv(tracked.project / "data/01_raw/inference_input.csv")
    for namespace in MODEL_NAMESPACES:
        name = f"{EXPERIMENT}-{namespace}"
        versions = tracked.client.search_model_versions(f"name = '{name}'")
        assert sorted((int(v.version), v.run_id) for v in versions) == [
            (i + 1, run.info.run_id) for i, run in enumerate(tracked.runs)
        ]
        model = mlflow.pyfunc.load_model(f"models:/{name}/2")
        assert model.metadata.get_input_schema().input_names() == ["x1", "x2"]
        assert model.metadata.saved_input_example_info is not None
        predicted = model.predict(inference[["x1", "x2"]])
        assert np.array_equal(
            predicted["probability"].to_numpy(np.float32),
            _inference_probabilities(tracked.project, namespace),
        )


def _inference_probabilities(project: Path, namespace: str) -> np.ndarray:
    """The newest inference predictions' probabilities, as the float32 the model computed."""
    folder = project / "data/07_model_output" / namespace / "inference_predictions.csv"
    newest = sorted(folder.iterdir())[-1]
    table = pd.read_csv(newest / "inference_predictions.csv")
    return table["probability"].to_numpy(np.float32)


def test_served_model_scores_like_the_inference_pipeline(tracked: Tracked) -> None:
    """``mlflow models serve`` on loopback gives the inference pipeline's probabilities."""
    points = pd.read_csv(tracked.project / "data/01_raw/inference_input.csv")
    command = [
        *(sys.executable, "-m", "mlflow", "models", "serve"),
        *("--model-uri", f"models:/{EXPERIMENT}-logistic/2"),
        *("--env-manager", "local", "--host", LOOPBACK, "--port", "{port}"),
    ]
    log = tracked.project.parent / "serve.log"
    with running_server(
        command, tracked.project, log, "/ping", {"MLFLOW_TRACKING_URI": tracked.store}
    ) as server:
        good = {"dataframe_split": points[["x1", "x2"]].to_dict(orient="split")}
        answer = server.request("/invocations", good)
        refusals = {name: _refusal(server, rows) for name, rows in BAD_REQUESTS.items()}
        assert server.request("/invocations", good) == answer, "still serving"
    probabilities = [row["probability"] for row in answer["predictions"]]
    assert np.array_equal(
        np.asarray(probabilities, dtype=np.float32),
        _inference_probabilities(tracked.project, "logistic"),
    )
    for name, (status, message) in refusals.items():
        assert status == 400, name  # noqa: PLR2004
        for fragment in REFUSED_BECAUSE[name]:
            assert fragment in message, (name, message)


def test_served_model_needs_no_installed_project(
    tracked: Tracked, tmp_path: Path
) -> None:
    """``--env-manager virtualenv`` builds the model's environment from its pinned
    requirements, without the project, and the model loads its own copy of the code."""
    pyenv = shutil.which("pyenv")
    assert pyenv, "MLflow's virtualenv environments need pyenv on PATH"
    points = pd.read_csv(tracked.project / "data/01_raw/inference_input.csv")
    envs = tmp_path / "envs"
    command = [
        *(sys.executable, "-m", "mlflow", "models", "serve"),
        *("--model-uri", f"models:/{EXPERIMENT}-logistic/2"),
        *("--env-manager", "virtualenv", "--host", LOOPBACK, "--port", "{port}"),
    ]
    environment = {"MLFLOW_TRACKING_URI": tracked.store, "MLFLOW_ENV_ROOT": str(envs)}
    with running_server(
        command, tmp_path, tmp_path / "serve.log", "/ping", environment, installs=True
    ) as server:
        rows = {"dataframe_split": points[["x1", "x2"]].to_dict(orient="split")}
        answer = server.request("/invocations", rows)
    (python,) = envs.glob("*/bin/python")
    imported = subprocess.run(
        [python, "-c", "import moons_classifier"], capture_output=True, check=False
    )
    assert imported.returncode != 0, "the model's environment has the project installed"
    probabilities = [row["probability"] for row in answer["predictions"]]
    assert np.array_equal(
        np.asarray(probabilities, dtype=np.float32),
        _inference_probabilities(tracked.project, "logistic"),
    )


def test_generated_dockerfile_installs_what_the_model_needs(
    tracked: Tracked, tmp_path: Path
) -> None:
    """``mlflow models generate-dockerfile``: a build context whose image installs the
    model's pinned requirements and holds its own copy of the project's code."""
    context = tmp_path / "context"
    subprocess.run(
        [
            *(sys.executable, "-m", "mlflow", "models", "generate-dockerfile"),
            *("--model-uri", f"models:/{EXPERIMENT}-logistic/2", "-d", context),
        ],
        env={**os.environ, "MLFLOW_TRACKING_URI": tracked.store},
        check=True,
        capture_output=True,
    )
    dockerfile = (context / "Dockerfile").read_text()
    copied = re.search(r"^COPY (\S+) /opt/ml/model$", dockerfile, re.MULTILINE)
    assert copied, dockerfile
    assert "_install_pyfunc_deps('/opt/ml/model'" in dockerfile
    model = context / copied[1]
    pinned = dict(
        line.split("==") for line in (model / "requirements.txt").read_text().split()
    )
    needed = {"mlflow", "torch", "scikit-learn", "pandas", "kedro", "kedro-datasets"}
    assert needed <= set(pinned), pinned
    assert all(pinned.values())
    code = model / "code" / "moons_classifier"
    for module in (
        "models.py",
        "datasets/standard_scaler.py",
        "tracking/pyfunc_model.py",
    ):
        assert (code / module).is_file(), module
    assert not list(code.rglob("__pycache__"))


# Requests the served model refuses, as the inference pipeline refuses such rows.
BAD_REQUESTS = {
    "missing column": {"columns": ["x1"], "data": [[0.5]]},
    "string": {"columns": ["x1", "x2"], "data": [[0.1, 0.2], ["high", 0.5]]},
    "NaN": {"columns": ["x1", "x2"], "data": [[0.1, 0.2], [None, 0.5]]},
    "inf": {"columns": ["x1", "x2"], "data": [[0.1, float("inf")]]},
    "empty": {"columns": ["x1", "x2"], "data": []},
}
REFUSED_BECAUSE = {
    "missing column": ["x2"],
    "string": ["x1"],
    "NaN": ["Column 'x1'", "data row 2", "Fill or drop that row"],
    "inf": ["Column 'x2'", "data row 1"],
    "empty": ["no rows"],
}


def _refusal(server: Any, rows: dict) -> tuple[int, str]:
    """The HTTP status and message with which the server refuses ``rows``."""
    with pytest.raises(HTTPError) as refused:
        server.request("/invocations", {"dataframe_split": rows})
    return refused.value.code, json.loads(refused.value.read())["message"]


def test_mlflow_ui_shows_the_runs_and_their_metrics(
    tracked: Tracked, tmp_path: Path
) -> None:
    """``kedro mlflow ui`` in headless Chromium: the experiment's runs and a run's metrics."""
    run = tracked.runs[-1]
    auroc = run.data.metrics["logistic.auroc"]
    command = [
        *(sys.executable, "-m", "kedro", "mlflow", "ui"),
        *("--host", LOOPBACK, "--port", "{port}"),
    ]
    log = tracked.project.parent / "ui.log"
    with (
        running_server(command, tracked.project, log, "/health", {}) as server,
        loopback_page(1600, 1000, UI_TIMEOUT_MS) as page,
    ):
        experiment = run.info.experiment_id
        page.goto(f"{server.url}/#/experiments/{experiment}/runs")
        expect(page.get_by_text(EXPERIMENT).first).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.get_by_text("__default__")).to_have_count(
            len(tracked.runs), timeout=UI_TIMEOUT_MS
        )
        page.goto(f"{server.url}/#/experiments/{experiment}/runs/{run.info.run_id}")
        expect(page.get_by_text("logistic.auroc").first).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        expect(page.get_by_text(re.compile(rf"^{str(auroc)[:6]}")).first).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        page.screenshot(path=tmp_path / "mlflow-run.png")


@pytest.mark.parametrize(
    ("disabled", "tracked_trials"),
    [
        (None, False),
        ([], True),
        (["data_processing", "training"], True),
        (["data_processing", "training", "evaluation"], False),
        (["data_processing", "training", "evaluation", "reporting"], False),
    ],
    ids=["no-kedro-mlflow", "none", "some", "the-trials", "more"],
)
def test_a_sweep_is_tracked_where_its_trials_runs_are(disabled, tracked_trials):
    config = (
        None
        if disabled is None
        else {"tracking": {"disable_tracking": {"pipelines": disabled}}}
    )
    assert tracks_trials(config) is tracked_trials


def test_an_untracked_session_after_a_tracked_one_logs_nothing(
    tracked: Tracked, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kedro-mlflow forgets the last run: a later untracked session neither fails nor logs.

    Last in this module: it switches tracking off in the shared project copy.
    """
    assert mlflow_hook.run_id is None
    experiments = [tracked.runs[0].info.experiment_id]
    before = {run.info.run_id for run in tracked.client.search_runs(experiments)}
    disable_tracking(tracked.project)
    run_kedro(tracked.project, monkeypatch, pipeline_names=["inference"])
    after = {run.info.run_id for run in tracked.client.search_runs(experiments)}
    assert after == before
