"""Nodes that build the loaders and the model, and train it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from moons_classifier import models
from moons_classifier.devices import resolve_device
from moons_classifier.optimizers import PlainSGD
from moons_classifier.params import LoaderParams, ModelParams, TrainingParams
from moons_classifier.partitions import is_dask
from moons_classifier.tabular import Table, feature_columns, to_tensors
from moons_classifier.trainer import Trainer

from .partitioned import PartitionLoader

Loader = DataLoader | PartitionLoader


def build_loaders(
    train: Table, val: Table, params: LoaderParams
) -> tuple[Loader, Loader]:
    """DataLoaders over float32 tensors: the training one shuffled, the validation one not.

    Dask tables get loaders that stream their partitions instead.
    """
    if is_dask(train):
        return (
            PartitionLoader(train, params.batch_size, shuffle=True),
            PartitionLoader(val, params.batch_size),
        )
    return (
        DataLoader(
            TensorDataset(*to_tensors(train)),
            batch_size=params.batch_size,
            shuffle=True,
        ),
        DataLoader(TensorDataset(*to_tensors(val)), batch_size=params.batch_size),
    )


def build_model(train: Table, params: ModelParams) -> nn.Module:
    """The configured model, sized to the training features, with seeded initial weights."""
    return models.build_model(len(feature_columns(train)), params)


def positive_weight(
    train_loader: Loader, pos_weight: str | float | None
) -> torch.Tensor | None:
    """The loss weight of positives: ``n_neg / n_pos`` of the training set when balanced."""
    if pos_weight is None:
        return None
    if pos_weight != "balanced":
        return torch.tensor([float(pos_weight)])
    if isinstance(train_loader, PartitionLoader):
        n_neg, n_pos = train_loader.class_counts()
        return (torch.tensor(float(n_neg)) / torch.tensor(float(n_pos))).view(1)
    labels = train_loader.dataset.tensors[1]
    n_pos = (labels == 1).sum().float()
    return ((labels == 0).sum().float() / n_pos).view(1)


def check_finite(
    trainer: Trainer, model_params: ModelParams, params: TrainingParams
) -> None:
    """Refuse a training that diverged: a loss or a weight that is not a finite number."""
    losses = np.asarray(trainer.train_losses + trainer.val_losses)
    weights_finite = all(
        torch.isfinite(t).all() for t in trainer.model.state_dict().values()
    )
    if not (np.isfinite(losses).all() and weights_finite):
        epoch = next(
            (
                i + 1
                for i, loss in enumerate(trainer.train_losses)
                if not np.isfinite(loss)
            ),
            params.n_epochs,
        )
        raise ValueError(
            f"Training the {describe(model_params)} diverged by epoch {epoch} of "
            f"{params.n_epochs} (a loss or weight is not a finite number) with "
            f"training.lr={params.lr}. Lower training.lr."
        )


def describe(model_params: ModelParams) -> str:
    """The model's kind, and its width where it has one."""
    if model_params.kind == "mlp":
        return f"mlp model (hidden_units={model_params.hidden_units})"
    return f"{model_params.kind} model"


def train_model(
    model: nn.Module,
    train_loader: Loader,
    val_loader: Loader,
    params: TrainingParams,
    model_params: ModelParams,
) -> tuple[dict[str, torch.Tensor], pd.DataFrame]:
    """Train ``model`` in place with SGD on BCE-with-logits; its weights and loss history."""
    device = resolve_device(params.device)
    trainer = Trainer(
        model,
        nn.BCEWithLogitsLoss(
            pos_weight=positive_weight(train_loader, params.pos_weight)
        ),
        PlainSGD(model.parameters(), lr=params.lr),
        device,
    )
    trainer.fit(train_loader, val_loader, params.n_epochs, seed=params.seed)
    check_finite(trainer, model_params, params)
    history = pd.DataFrame(
        {
            "epoch": range(1, params.n_epochs + 1),
            "train_loss": trainer.train_losses,
            "val_loss": trainer.val_losses,
        }
    )
    state_dict = {name: t.detach().cpu() for name, t in model.state_dict().items()}
    return state_dict, history
