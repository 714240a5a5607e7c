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


def test_predict_logits_in_chunks_is_within_the_stated_bound_of_one_pass():
    """A point's logit may differ in the last float32 bits with the rows scored beside it.

    MKL picks matrix-product kernels by batch shape and CPU, so docs/identical.md states the
    bound instead of promising bit-identity: relative 1e-6 (absolute 1e-7 near zero).
    """
    for params in (LOGISTIC, MLP):
        model = build_model(2, params)
        one_pass = predict_logits(model, FEATURES)
        for chunk_size in (1, 7, 49):
            torch.testing.assert_close(
                predict_logits(model, FEATURES, chunk_size=chunk_size),
                one_pass,
                rtol=1e-6,
                atol=1e-7,
            )
