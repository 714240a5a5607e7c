"""The models the project trains: the chapter's logistic regression and a small MLP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

from moons_classifier.params import ModelParams
from moons_classifier.seeding import seeded_torch


def build_model(n_features: int, params: ModelParams) -> nn.Sequential:
    """A freshly initialised model producing one logit per row, seeded by ``params.seed``."""
    with seeded_torch(params.seed):
        model = nn.Sequential()
        if params.kind == "logistic":
            model.add_module("linear", nn.Linear(n_features, 1))
        else:
            model.add_module("hidden", nn.Linear(n_features, params.hidden_units))
            model.add_module("activation", nn.ReLU())
            model.add_module("output", nn.Linear(params.hidden_units, 1))
    return model


def load_model(
    state_dict: Mapping[str, torch.Tensor], n_features: int, params: ModelParams
) -> nn.Sequential:
    """The configured model with ``state_dict``'s weights; a clear error if they do not fit."""
    model = build_model(n_features, params)
    expected = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    found = {name: tuple(t.shape) for name, t in state_dict.items()}
    if expected != found:
        raise ValueError(
            f"The saved model's weights {found} do not match the configured "
            f"{params.kind!r} model on {n_features} features, which expects {expected}. "
            "Point the model at a state_dict trained with the same model parameters "
            "and features, or retrain."
        )
    not_finite = sorted(
        name for name, t in state_dict.items() if not t.isfinite().all()
    )
    if not_finite:
        raise ValueError(
            f"The saved model's weights {not_finite} hold values that are not finite "
            "numbers (NaN or infinite); the model cannot score with them. Retrain."
        )
    model.load_state_dict(state_dict)
    return model.eval()


@torch.no_grad()
def predict_logits(
    model: nn.Module,
    features: torch.Tensor,
    device: torch.device | str = "cpu",
    chunk_size: int = 1 << 20,
) -> torch.Tensor:
    """Logits on the CPU for ``features``, in eval mode, computed in chunks of bounded memory."""
    model.eval()
    return torch.cat(
        [model(chunk.to(device)).cpu() for chunk in features.split(chunk_size)]
    )


def scaled_probabilities(
    scaler: StandardScaler, model: nn.Module, points: pd.DataFrame
) -> np.ndarray:
    """Each row's probability of class 1: its features scaled, the logit, its sigmoid."""
    features = list(scaler.feature_names_in_)
    # Row-major, as the evaluation's features: the matrix product then rounds the same way.
    standardized = np.ascontiguousarray(
        scaler.transform(points[features].astype(np.float64))
    )
    logits = predict_logits(model, torch.as_tensor(standardized).float()).squeeze(1)
    return torch.sigmoid(logits).numpy()
