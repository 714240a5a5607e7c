"""The drawing helpers: the class-stratified sample that bounds what the figures draw,
the placeholder figure and the sample notes in titles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moons_classifier.pipelines.reporting.plotting import (
    append_to_titles,
    message_figure,
    new_figure,
    set_title,
    stratified_sample,
)


@pytest.fixture
def imbalanced() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    labels = np.r_[np.zeros(900, dtype=int), np.ones(100, dtype=int)]
    rng.shuffle(labels)
    return pd.DataFrame(
        {"x1": rng.normal(size=1000), "x2": rng.normal(size=1000), "y": labels},
        index=np.arange(1000) + 5000,
    )


def test_small_data_is_drawn_whole(imbalanced):
    assert stratified_sample(imbalanced, 1000, seed=0) is imbalanced


@pytest.mark.parametrize("size", [10, 200, 999])
def test_each_class_keeps_its_share(imbalanced, size: int):
    sample = stratified_sample(imbalanced, size, seed=0)
    assert len(sample) == size
    assert sample["y"].sum() == round(size * 0.1)
    pd.testing.assert_frame_equal(sample, imbalanced.loc[sample.index])
    assert sample.index.is_monotonic_increasing and sample.index.is_unique


def test_the_sample_is_reproducible(imbalanced):
    first = stratified_sample(imbalanced, 50, seed=3)
    pd.testing.assert_frame_equal(stratified_sample(imbalanced, 50, seed=3), first)
    assert not stratified_sample(imbalanced, 50, seed=4).index.equals(first.index)


def test_a_rare_class_keeps_at_least_one_point():
    data = pd.DataFrame({"x1": np.arange(300.0), "x2": 0.0, "y": [1] + [0] * 299})
    sample = stratified_sample(data, 100, seed=0)
    assert sample["y"].sum() == 1
    assert 0 in sample.index


def test_a_message_figure_says_its_message_and_draws_no_axes():
    (ax,) = message_figure("Nothing to draw.").axes
    (text,) = ax.texts
    assert text.get_text() == "Nothing to draw."
    assert (text.get_horizontalalignment(), text.get_verticalalignment()) == (
        "center",
        "center",
    )
    assert not ax.axison


def test_notes_are_appended_to_every_title():
    _, axes = new_figure(1, 2, (8, 4))
    for ax, title in zip(axes[0], ("ROC curve", "precision-recall curve"), strict=True):
        set_title(ax, title)
    append_to_titles(axes[0], " (sample of 40 of 300)")
    assert [ax.get_title() for ax in axes[0]] == [
        "ROC curve (sample of 40 of 300)",
        "precision-recall curve (sample of 40 of 300)",
    ]
    append_to_titles(axes[0], "")
    assert axes[0, 0].get_title() == "ROC curve (sample of 40 of 300)"
