"""The pipeline registry: every pipeline found, ``__default__`` the chapter without inference."""

from __future__ import annotations

import importlib
import pkgutil

import kedro.framework.project
import pytest
from kedro.pipeline import Pipeline

from moons_classifier import pipelines as pipelines_package
from moons_classifier.pipeline_registry import register_pipelines

CHAPTER = ("data_processing", "training", "evaluation", "reporting")


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> dict[str, Pipeline]:
    """The registry, as Kedro builds it for the configured project."""
    monkeypatch.setattr(kedro.framework.project, "PACKAGE_NAME", "moons_classifier")
    monkeypatch.setattr(kedro.framework.project.pipelines, "_requested_pipelines", None)
    return register_pipelines()


def names(pipeline: Pipeline) -> set[str]:
    return {node.name for node in pipeline.nodes}


def test_every_pipeline_package_is_registered(registered):
    packages = [
        m.name for m in pkgutil.iter_modules(pipelines_package.__path__) if m.ispkg
    ]
    assert sorted(packages) == sorted([*CHAPTER, "inference"])
    assert set(registered) == {"__default__", *packages}
    for name in packages:
        module = importlib.import_module(f"moons_classifier.pipelines.{name}")
        assert registered[name].nodes, name
        assert names(registered[name]) == names(module.create_pipeline()), name


def test_the_default_is_the_sum_of_the_chapters_pipelines(registered):
    default = registered["__default__"]
    chapter = sum((registered[name] for name in CHAPTER), Pipeline([]))
    assert names(default) == names(chapter)
    assert len(default.nodes) == sum(len(registered[name].nodes) for name in CHAPTER)
    assert not names(default) & names(registered["inference"])
    assert "inference_input" not in default.inputs()
    assert "inference_input" in registered["inference"].inputs()
