"""Building, loading and running the project's models."""

from __future__ import annotations

import pytest
import torch

from moons_classifier.models import build_model, load_model, predict_logits
from moons_classifier.params import ModelParams

LOGISTIC = ModelParams()
MLP = ModelParams(kind="mlp", hidden_units=6, seed=1)
FEATURES = torch.randn(50, 2, generator=torch.Generator().manual_seed(0))


def test_load_model_restores_the_weights_in_eval_mode():
    trained = build_model(3, MLP)
    with torch.no_grad():
        trained.output.bias.fill_(0.25)
    model = load_model(trained.state_dict(), 3, MLP)
    assert not model.training
    for name, tensor in trained.state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor)


@pytest.mark.parametrize(
    ("saved", "n_features", "params", "expected"),
    [
        (LOGISTIC, 3, LOGISTIC, "the configured 'logistic' model on 3 features"),
        (LOGISTIC, 2, MLP, "expects {'hidden.weight': (6, 2)"),
        (ModelParams(kind="mlp", hidden_units=5), 2, MLP, "{'hidden.weight': (5, 2)"),
    ],
)
def test_load_model_explains_a_shape_mismatch(saved, n_features, params, expected):
    state_dict = build_model(2, saved).state_dict()
    with pytest.raises(ValueError, match="do not match") as error:
        load_model(state_dict, n_features, params)
    assert expected in str(error.value)
    assert "retrain" in str(error.value)


def test_predict_logits_is_the_models_output_in_eval_mode():
    model = build_model(2, MLP).train()
    logits = predict_logits(model, FEATURES)
    assert not model.training
    assert logits.shape == (50, 1)
    assert not logits.requires_grad
    with torch.no_grad():
        assert torch.equal(logits, model(FEATURES))


def test_predict_logits_in_chunks_equals_one_pass():
    logistic = build_model(2, LOGISTIC)
    assert torch.equal(
        predict_logits(logistic, FEATURES, chunk_size=7),
        predict_logits(logistic, FEATURES),
    )
    # A hidden layer's matrix product may round differently for another batch size.
    mlp = build_model(2, MLP)
    torch.testing.assert_close(
        predict_logits(mlp, FEATURES, chunk_size=7),
        predict_logits(mlp, FEATURES),
        rtol=1e-6,
        atol=1e-7,
    )
