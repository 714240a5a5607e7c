"""The metrics contract: typed, strict, written as evaluation always wrote it."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from moons_classifier.contracts import OBJECTIVES, Metrics
from tests.pipelines.evaluation.chapter import chapter


@pytest.fixture(scope="module")
def document() -> dict:
    return chapter().metrics.document()


def test_the_document_round_trips_through_json(document):
    loaded = Metrics.model_validate(json.loads(json.dumps(document)))
    assert loaded == chapter().metrics
    assert loaded.document() == document


def test_the_document_lists_the_fields_in_their_order(document):
    assert list(document) == [
        name for name in Metrics.model_fields if name != "auc_error_bounds"
    ]


def test_at_reads_a_configured_threshold(document):
    at_half = chapter().metrics.at(0.5)
    assert at_half.confusion_matrix == document["thresholds"]["0.5"]["confusion_matrix"]
    with pytest.raises(KeyError):
        chapter().metrics.at(0.4)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"auroc": "high"}, "auroc"),
        ({"extra": 1}, "extra"),
        ({"selected_threshold": {"threshold": 0.5}}, "selected_threshold.criterion"),
    ],
)
def test_a_document_that_breaks_the_contract_is_refused(document, change, field):
    with pytest.raises(ValidationError) as refused:
        Metrics.model_validate({**document, **change})
    locations = {".".join(map(str, e["loc"])) for e in refused.value.errors()}
    assert field in locations


def test_each_objective_reads_its_metric():
    metrics = chapter().metrics
    assert OBJECTIVES["aupr"].of(metrics) == metrics.aupr
    assert OBJECTIVES["auroc"].of(metrics) == metrics.auroc
    assert OBJECTIVES["val_loss"].of(metrics) == metrics.final_val_loss
    assert {o.direction for o in OBJECTIVES.values()} == {"maximize", "minimize"}
    assert OBJECTIVES["val_loss"].direction == "minimize"
