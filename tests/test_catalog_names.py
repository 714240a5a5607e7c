"""The dataset names that hooks, tracking and sweeps read."""

from moons_classifier.catalog_names import (
    LOSS_HISTORY,
    STATE_DICT,
    metrics_name,
    model_of,
    namespace_of,
    shared_name,
)


def test_shared_datasets_are_named_outside_their_namespace():
    assert shared_name("mlp", "validation_predictions") == "mlp_validation_predictions"
    assert metrics_name("logistic") == "logistic_metrics"


def test_model_of_names_the_namespace_of_shared_and_namespaced_datasets():
    assert model_of("logistic_metrics") == "logistic"
    assert model_of("mlp.model_state_dict") == "mlp"
    assert model_of("scaler") is None


def test_namespace_of_matches_the_whole_dataset_name():
    assert namespace_of("mlp.model_state_dict", STATE_DICT) == "mlp"
    assert namespace_of("logistic.loss_history", LOSS_HISTORY) == "logistic"
    assert namespace_of("logistic.loss_history", STATE_DICT) is None
    assert namespace_of("model_state_dict", STATE_DICT) is None
