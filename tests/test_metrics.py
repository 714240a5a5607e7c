"""Threshold metrics, curves and threshold selection on hand-made probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    auc,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)

from moons_classifier.metrics import (
    areas_under_curves,
    confusion_counts,
    random_probabilities,
    select_threshold,
    thin_curve,
    threshold_candidates,
    threshold_metrics,
    weighted_scores,
)
from moons_classifier.params import MinPrecision, MinRecall

# Ranked from the top: + + - + - - + -, four of each class.
LABELS = np.array([1, 1, 0, 1, 0, 0, 1, 0])
PROBABILITIES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])


def test_confusion_counts_predict_positive_at_the_threshold():
    assert confusion_counts(LABELS, PROBABILITIES, 0.6) == (3, 1, 1, 3)
    assert confusion_counts(LABELS, PROBABILITIES, 0.0) == (0, 4, 0, 4)
    assert confusion_counts(LABELS, PROBABILITIES, 0.95) == (4, 0, 4, 0)


@pytest.mark.parametrize("threshold", [0.25, 0.5, 0.65, 0.85])
def test_threshold_metrics_agree_with_sklearn(threshold: float):
    predicted = PROBABILITIES >= threshold
    metrics = threshold_metrics(LABELS, PROBABILITIES, threshold)
    (tn, fp), (fn, tp) = confusion_matrix(LABELS, predicted).tolist()
    assert metrics["confusion_matrix"] == [[tn, fp], [fn, tp]]
    assert metrics["precision"] == pytest.approx(precision_score(LABELS, predicted))
    assert (
        metrics["recall"]
        == metrics["tpr"]
        == pytest.approx(recall_score(LABELS, predicted))
    )
    assert metrics["fpr"] == pytest.approx(fp / (fp + tn))
    assert metrics["accuracy"] == pytest.approx(accuracy_score(LABELS, predicted))
    assert metrics["f1"] == pytest.approx(f1_score(LABELS, predicted))


def test_undefined_ratios_are_none():
    nothing_predicted = threshold_metrics(LABELS, PROBABILITIES, 1.0)
    assert (nothing_predicted["precision"], nothing_predicted["f1"]) == (None, None)
    assert nothing_predicted["recall"] == 0.0
    no_positives = threshold_metrics(np.zeros(3), np.array([0.2, 0.6, 0.9]), 0.5)
    assert (no_positives["tpr"], no_positives["recall"], no_positives["f1"]) == (
        None,
    ) * 3
    assert no_positives["precision"] == 0.0
    assert no_positives["fpr"] == pytest.approx(2 / 3)
    none_right = threshold_metrics(np.array([1, 0]), np.array([0.1, 0.9]), 0.5)
    assert none_right["f1"] is None  # precision and recall are both 0


def test_areas_under_curves_agree_with_sklearn():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 200)
    probabilities = np.clip(labels * 0.3 + rng.uniform(size=200) * 0.7, 0, 1)
    areas = areas_under_curves(labels, probabilities)
    precision, recall, _ = precision_recall_curve(labels, probabilities)
    assert areas["auroc"] == pytest.approx(
        roc_auc_score(labels, probabilities), abs=1e-12
    )
    assert areas["aupr"] == auc(recall, precision)
    assert areas_under_curves(LABELS, LABELS.astype(float)) == {
        "auroc": 1.0,
        "aupr": 1.0,
    }


def test_random_probabilities_are_the_chapters_seeded_uniforms():
    state = np.random.get_state()
    try:
        np.random.seed(39)
        expected = np.random.uniform(size=20)
        np.random.seed(0)
        untouched = np.random.get_state()[1].copy()
        np.testing.assert_array_equal(random_probabilities(20, 39), expected)
        np.testing.assert_array_equal(np.random.get_state()[1], untouched)
    finally:
        np.random.set_state(state)


def test_thin_curve_keeps_short_curves_whole():
    x, y = np.arange(5.0), np.arange(5.0) ** 2
    thinned_x, thinned_y = thin_curve(x, y, 5)
    assert thinned_x is x and thinned_y is y


@pytest.mark.parametrize("max_points", [2, 3, 10, 999])
def test_thin_curve_bounds_the_points_and_keeps_both_ends(max_points: int):
    x = np.linspace(0, 1, 1000)
    y = x**2
    thinned_x, thinned_y = thin_curve(x, y, max_points)
    assert len(thinned_x) == len(thinned_y) <= max_points
    assert (thinned_x[0], thinned_x[-1]) == (0.0, 1.0)
    assert np.all(np.diff(thinned_x) > 0)
    np.testing.assert_array_equal(thinned_y, thinned_x**2)


def test_threshold_candidates_rank_the_distinct_probabilities():
    candidates = threshold_candidates(
        np.array([1, 0, 0, 1]), np.array([0.5, 0.5, 0.2, 0.9])
    )
    np.testing.assert_array_equal(candidates["threshold"], [0.9, 0.5, 0.2])
    np.testing.assert_allclose(candidates["tpr"], [0.5, 1.0, 1.0])
    np.testing.assert_allclose(candidates["fpr"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(candidates["precision"], [1.0, 2 / 3, 0.5])
    np.testing.assert_allclose(candidates["f1"], [2 / 3, 0.8, 2 / 3])


def test_threshold_candidates_match_threshold_metrics():
    candidates = threshold_candidates(LABELS, PROBABILITIES)
    for i, threshold in enumerate(candidates["threshold"]):
        metrics = threshold_metrics(LABELS, PROBABILITIES, threshold)
        for key in ("tpr", "fpr", "precision", "f1"):
            assert candidates[key][i] == pytest.approx(metrics[key])


@pytest.mark.parametrize(
    ("criterion", "threshold"),
    [
        ("f1", 0.6),  # precision 3/4, recall 3/4
        ("youden", 0.8),  # TPR - FPR = 1/2 at 0.8 and 0.6; ties go to the highest
        (MinPrecision(min_precision=0.7), 0.6),  # best recall among precision >= 0.7
        (MinPrecision(min_precision=1.0), 0.8),
        (MinRecall(min_recall=0.75), 0.6),  # best precision among recall >= 0.75
        (MinRecall(min_recall=1.0), 0.3),
    ],
)
def test_select_threshold(criterion: object, threshold: float):
    assert select_threshold(LABELS, PROBABILITIES, criterion) == threshold


def test_select_threshold_returns_a_python_float():
    assert type(select_threshold(LABELS, PROBABILITIES, "f1")) is float


@pytest.mark.parametrize(
    ("labels", "probabilities", "criterion"),
    [
        ([0, 1], [0.9, 0.1], MinPrecision(min_precision=0.9)),
        ([0, 0, 0], [0.9, 0.5, 0.1], MinRecall(min_recall=0.5)),
    ],
)
def test_an_unmeetable_target_selects_nothing(labels, probabilities, criterion):
    assert (
        select_threshold(np.array(labels), np.array(probabilities), criterion) is None
    )


def test_an_unknown_criterion_is_refused():
    with pytest.raises(ValueError, match="Unknown threshold criterion 'accuracy'"):
        select_threshold(LABELS, PROBABILITIES, "accuracy")


def test_select_threshold_dispatches_on_the_typed_criteria():
    class LooksLikeMinPrecision:
        min_precision = 0.7

    with pytest.raises(ValueError, match="Unknown threshold criterion"):
        select_threshold(LABELS, PROBABILITIES, LooksLikeMinPrecision())


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("positive_share", [0.0, 0.3, 1.0])
def test_threshold_candidates_equal_threshold_metrics_with_ties(
    seed: int, positive_share: float
):
    rng = np.random.default_rng(seed)
    labels = (rng.uniform(size=60) < positive_share).astype(int)
    probabilities = rng.integers(0, 12, 60) / 11  # many ties
    candidates = threshold_candidates(labels, probabilities)
    np.testing.assert_array_equal(
        candidates["threshold"], np.unique(probabilities)[::-1]
    )
    for i, threshold in enumerate(candidates["threshold"]):
        metrics = threshold_metrics(labels, probabilities, threshold)
        for key in ("tpr", "fpr", "precision"):
            expected = np.nan if metrics[key] is None else metrics[key]
            np.testing.assert_equal(candidates[key][i], expected)
        f1 = metrics["f1"] if metrics["tpr"] != 0 else 0.0
        np.testing.assert_allclose(
            candidates["f1"][i], np.nan if f1 is None else f1, rtol=1e-15
        )


@pytest.mark.parametrize("seed", range(3))
def test_integer_weights_count_each_row_that_many_times(seed: int):
    rng = np.random.default_rng(seed)
    labels = np.repeat([1, 0], 15)
    probabilities = np.tile(rng.integers(0, 8, 15) / 7, 2)  # each value in both classes
    weights = rng.integers(0, 5, 30)
    rows = np.repeat(labels, weights), np.repeat(probabilities, weights)
    assert areas_under_curves(labels, probabilities, weights) == areas_under_curves(
        *rows
    )
    for key, values in threshold_candidates(labels, probabilities, weights).items():
        np.testing.assert_array_equal(values, threshold_candidates(*rows)[key])
    for criterion in ("f1", "youden", MinPrecision(min_precision=0.6)):
        assert select_threshold(
            labels, probabilities, criterion, weights
        ) == select_threshold(*rows, criterion)


def expected_scores(
    labels: np.ndarray, probabilities: np.ndarray, weights: np.ndarray, threshold: float
) -> dict[str, float]:
    """sklearn's AUCs with ``weights`` as sample_weight, and the metrics on repeated rows."""
    repeated = np.repeat(labels, weights), np.repeat(probabilities, weights)
    at_threshold = threshold_metrics(*repeated, threshold)
    scores = {
        "auroc": roc_auc_score(labels, probabilities, sample_weight=weights),
        "aupr": areas_under_curves(labels, probabilities, weights)["aupr"],
    } | {key: at_threshold[key] for key in ("precision", "recall", "f1", "accuracy")}
    return {key: np.nan if value is None else value for key, value in scores.items()}


@pytest.mark.parametrize("seed", range(5))
def test_weighted_scores_equal_sklearn_with_sample_weight(seed: int):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 80)
    probabilities = np.clip(labels * 0.3 + rng.integers(0, 15, 80) / 20, 0, 1)  # ties
    weights = rng.integers(0, 4, (6, 80))  # zeros among them
    weights[:, np.argmax(probabilities)] = 0  # the top-scoring row counts for nothing
    weights[0, probabilities == probabilities.max()] = 0  # nor the whole top score
    threshold = float(np.median(probabilities))
    scores = weighted_scores(labels, probabilities, weights, threshold)
    for row, row_weights in enumerate(weights):
        expected = expected_scores(labels, probabilities, row_weights, threshold)
        assert set(scores) == set(expected)
        for key, value in expected.items():
            np.testing.assert_allclose(scores[key][row], value, rtol=0, atol=1e-12)


def test_weighted_scores_start_the_pr_curve_below_zero_weight_top_rows():
    labels = np.array([0, 1, 1, 0, 1, 0])
    probabilities = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5])
    weights = np.array([[0, 2, 1, 1, 1, 3], [1, 2, 1, 1, 1, 3]])
    scores = weighted_scores(labels, probabilities, weights)
    assert set(scores) == {"auroc", "aupr"}
    for row, row_weights in enumerate(weights):
        areas = areas_under_curves(labels, probabilities, row_weights)
        assert scores["auroc"][row] == pytest.approx(areas["auroc"], abs=1e-12)
        assert scores["aupr"][row] == pytest.approx(areas["aupr"], abs=1e-12)


def test_weighted_scores_are_nan_where_undefined():
    labels = np.array([1, 1, 0, 0])
    probabilities = np.array([0.9, 0.4, 0.6, 0.2])
    weights = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [0, 2, 1, 0]])
    scores = weighted_scores(labels, probabilities, weights, 0.5)
    np.testing.assert_array_equal(scores["auroc"], [np.nan, np.nan, 0.0])
    np.testing.assert_array_equal(scores["aupr"], [np.nan, np.nan, 1 / 3])
    np.testing.assert_array_equal(scores["precision"], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(scores["recall"], [0.5, np.nan, 0.0])
    np.testing.assert_array_equal(scores["f1"], [2 / 3, np.nan, np.nan])
    np.testing.assert_array_equal(scores["accuracy"], [0.5, 0.5, 0.0])
    nothing_predicted = weighted_scores(labels, probabilities, weights, 0.95)
    np.testing.assert_array_equal(nothing_predicted["precision"], [np.nan] * 3)
