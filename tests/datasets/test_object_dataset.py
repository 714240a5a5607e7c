"""ObjectDataset: objects handed on by reference, or through a shared-memory manager."""

from __future__ import annotations

import pytest
from kedro.io.core import DatasetError
from kedro.runner.parallel_runner import ParallelRunnerManager

from moons_classifier.datasets import ObjectDataset


def test_the_saved_object_itself_is_loaded_not_a_copy():
    dataset = ObjectDataset(metadata={"kedro-viz": {"layer": "model_input"}})
    assert not dataset.exists()
    model = {"weights": [1.25, -2.5]}
    dataset.save(model)
    assert dataset.exists()
    assert dataset.load() is model
    assert dataset.metadata == {"kedro-viz": {"layer": "model_input"}}


def test_release_forgets_the_saved_object():
    dataset = ObjectDataset()
    dataset.save([])
    assert dataset.exists()
    dataset.release()
    assert not dataset.exists()
    with pytest.raises(DatasetError, match="has not been saved yet"):
        dataset.load()


def test_loading_before_any_save_is_refused():
    with pytest.raises(
        DatasetError, match="Data for ObjectDataset has not been saved yet."
    ):
        ObjectDataset().load()


def test_with_a_shared_memory_manager_the_object_travels_as_a_copy():
    dataset = ObjectDataset()
    with ParallelRunnerManager() as manager:
        dataset.set_manager(manager)
        assert not dataset.exists()
        model = {"weights": [1.25, -2.5]}
        dataset.save(model)
        assert dataset.exists()
        loaded = dataset.load()
        assert loaded == model
        assert loaded is not model
