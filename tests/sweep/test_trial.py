"""``sweep/trial.py``: a trial's ``kedro run`` command line, its folder, and its objective
read from the versioned reports it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from moons_classifier.sweep.trial import (
    PIPELINES,
    clean_folder,
    newest,
    objective_of,
    run_command,
    yaml_value,
)
from tests.support.helpers import metrics_at

OLD, NEW = "2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"
TEST_METRICS = {"n_test": 20, "auroc": {"value": 0.9, "low": 0.8, "high": 1.0}}


def write_version(reports: Path, name: str, version: str, document: object) -> None:
    """Write ``document`` as version ``version`` of the versioned JSON file ``name``."""
    path = reports / name / version / name
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("value", [None, 0.1, 16, "balanced", 1.2e-05, 1e20])
def test_a_parameter_is_written_as_kedros_params_option_reads_it_back(value):
    # kedro run --params parses its dot list with OmegaConf's YAML
    read = OmegaConf.to_container(OmegaConf.from_dotlist([f"k={yaml_value(value)}"]))
    assert read["k"] == value
    assert type(read["k"]) is type(value)


def test_the_command_trains_and_evaluates_only_the_trials_model():
    params = {"training.lr": 0.1, "training.pos_weight": None, "base_location": "/t/0"}
    assert run_command("mlp", params, None) == [
        *("run", "--pipelines", PIPELINES, "--tags", "data_processing,mlp"),
        *("--params", "training.lr=0.1,training.pos_weight=null,base_location=/t/0"),
    ]
    with_env = run_command("logistic", {"training.lr": 0.2}, "prune")
    assert with_env[with_env.index("--env") + 1] == "prune"
    assert with_env[-2:] == ["--params", "training.lr=0.2"]
    assert "data_processing,logistic" in with_env


def test_the_newest_version_that_holds_the_file_is_read(tmp_path):
    write_version(tmp_path, "metrics.json", OLD, {"version": "old"})
    write_version(tmp_path, "metrics.json", NEW, {"version": "new"})
    (tmp_path / "metrics.json" / "2026-01-03T00.00.00.000Z").mkdir()  # an empty one
    assert newest(tmp_path / "metrics.json") == {"version": "new"}


def test_a_trials_folder_is_emptied_or_created(tmp_path):
    out = tmp_path / "trials" / "3"
    clean_folder(out)
    assert out.is_dir()
    assert list(out.iterdir()) == []
    (out / "left_by_a_lost_worker" / "kedro.log").parent.mkdir()
    (out / "left_by_a_lost_worker" / "kedro.log").write_text("partial")
    clean_folder(out)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("objective", "value"), [("aupr", 0.9), ("auroc", 0.9), ("val_loss", 0.4)]
)
def test_the_objective_is_read_from_the_newest_metrics(tmp_path, objective, value):
    stale = metrics_at().model_copy(update={"aupr": 0.1, "auroc": 0.1})
    write_version(tmp_path, "metrics.json", OLD, stale.document())
    write_version(tmp_path, "metrics.json", NEW, metrics_at().document())
    write_version(tmp_path, "test_metrics.json", OLD, {"n_test": 0})
    write_version(tmp_path, "test_metrics.json", NEW, TEST_METRICS)
    assert objective_of(tmp_path, objective) == {"value": value, "test": TEST_METRICS}


def test_an_undefined_objective_is_the_trials_error(tmp_path):
    one_class = metrics_at().model_copy(update={"auroc": None, "aupr": None})
    write_version(tmp_path, "metrics.json", NEW, one_class.document())
    assert objective_of(tmp_path, "auroc") == {
        "error": "auroc is undefined on the validation split"
    }
