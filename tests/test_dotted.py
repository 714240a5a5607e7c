"""Nested parameters as dotted paths and back."""

from moons_classifier.dotted import flatten, nested
from moons_classifier.params import ModelParams


def test_flatten_gives_each_leaf_its_dotted_path():
    tree = {"data": {"n_samples": 100, "source": "moons"}, "seed": 1}
    assert flatten(tree) == {"data.n_samples": 100, "data.source": "moons", "seed": 1}


def test_flatten_opens_typed_groups_and_keeps_lists_whole_by_default():
    tree = {"mlp": {"model": ModelParams(kind="mlp", hidden_units=3)}, "t": [0.3, 0.5]}
    flat = flatten(tree)
    assert flat["mlp.model.hidden_units"] == 3  # noqa: PLR2004
    assert flat["t"] == [0.3, 0.5]


def test_flatten_numbers_list_items_when_asked():
    assert flatten({"m": [[1, 2]]}, "logistic", lists=True) == {
        "logistic.m.0.0": 1,
        "logistic.m.0.1": 2,
    }


def test_nested_inverts_flatten():
    tree = {"training": {"lr": 0.1, "n_epochs": 3}, "mlp": {"model": {"seed": 2}}}
    assert nested(flatten(tree)) == tree
