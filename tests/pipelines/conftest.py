"""Fixtures of the evaluation and reporting node tests: the chapter's trained model, once."""

from __future__ import annotations

import pandas as pd
import pytest

from moons_classifier.contracts import Metrics
from tests.pipelines.evaluation.chapter import Chapter, chapter


@pytest.fixture(scope="session")
def run() -> Chapter:
    return chapter()


@pytest.fixture(scope="session")
def book(run):
    return run.book


@pytest.fixture(scope="session")
def train(run) -> pd.DataFrame:
    return run.train


@pytest.fixture(scope="session")
def val(run) -> pd.DataFrame:
    return run.val


@pytest.fixture(scope="session")
def history(run) -> pd.DataFrame:
    return run.history


@pytest.fixture(scope="session")
def predictions(run) -> pd.DataFrame:
    """The reference implementation's validation predictions."""
    return run.predictions


@pytest.fixture(scope="session")
def metrics(run) -> Metrics:
    return run.metrics
