"""Every node function of every pipeline is named in that pipeline's node tests."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from devtools.project import pipeline_names

HERE = Path(__file__).parent


@pytest.mark.parametrize("name", pipeline_names()[1:])
def test_every_node_function_is_named_in_a_node_test(name: str) -> None:
    pipeline = importlib.import_module(f"moons_classifier.pipelines.{name}")
    functions = {node.func.__name__ for node in pipeline.create_pipeline().nodes}
    tests = "".join(path.read_text() for path in (HERE / name).glob("test_*nodes.py"))
    missing = sorted(functions - set(re.findall(r"\w+", tests)))
    assert not missing, f"node functions no test_*nodes.py of {name} names: {missing}"
