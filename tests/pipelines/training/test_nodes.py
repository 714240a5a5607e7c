"""The training nodes called as plain functions."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler, TensorDataset

from moons_classifier.devices import available_devices
from moons_classifier.params import LoaderParams, ModelParams, TrainingParams
from moons_classifier.pipelines.training.nodes import (
    build_loaders,
    build_model,
    positive_weight,
    train_model,
)
from tests.support.book_reference import BookRun, book_model, run_book
from tests.support.reference import REFERENCE, REFERENCE_TOLERANCE


@pytest.fixture(scope="module")
def book() -> BookRun:
    return run_book()


def frame(features, labels) -> pd.DataFrame:
    return pd.DataFrame({"x1": features[:, 0], "x2": features[:, 1], "y": labels})


@pytest.fixture(scope="module")
def splits(book: BookRun) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frame(book.x_train, book.y_train), frame(book.x_val, book.y_val)


def loader_of(labels: list[int]) -> DataLoader:
    features = torch.zeros(len(labels), 2)
    return DataLoader(TensorDataset(features, torch.tensor(labels).float().view(-1, 1)))


def test_build_loaders_wraps_float32_tensors(splits):
    train, val = splits
    train_loader, val_loader = build_loaders(train, val, LoaderParams(batch_size=7))
    for loader, data in ((train_loader, train), (val_loader, val)):
        features, labels = loader.dataset.tensors
        assert features.dtype == labels.dtype == torch.float32
        assert labels.shape == (len(data), 1)
        assert torch.equal(
            features, torch.tensor(data[["x1", "x2"]].to_numpy()).float()
        )
        assert torch.equal(labels[:, 0], torch.tensor(data["y"].to_numpy()).float())
        assert loader.batch_size == 7  # noqa: PLR2004
    assert isinstance(train_loader.sampler, RandomSampler)
    assert isinstance(val_loader.sampler, SequentialSampler)


def test_logistic_model_starts_from_the_books_weights():
    model = build_model(pd.DataFrame(columns=["x1", "x2", "y"]), ModelParams())
    reference = book_model()
    assert list(model.state_dict()) == ["linear.weight", "linear.bias"]
    for name, tensor in reference.state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor)
    assert torch.allclose(
        model.linear.weight, torch.tensor([[0.5406, 0.5869]]), atol=1e-4
    )
    assert torch.allclose(model.linear.bias, torch.tensor([-0.1657]), atol=1e-4)


def test_mlp_has_the_configured_hidden_layer():
    model = build_model(
        pd.DataFrame(columns=["a", "b", "c", "y"]),
        ModelParams(kind="mlp", hidden_units=5),
    )
    shapes = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    assert shapes == {
        "hidden.weight": (5, 3),
        "hidden.bias": (5,),
        "output.weight": (1, 5),
        "output.bias": (1,),
    }
    assert isinstance(model.activation, nn.ReLU)


def test_build_model_is_seeded_and_leaves_the_global_rng_alone():
    train = pd.DataFrame(columns=["x1", "x2", "y"])
    params = ModelParams(kind="mlp", seed=3)
    state = torch.get_rng_state()
    first, second = build_model(train, params), build_model(train, params)
    assert torch.equal(torch.get_rng_state(), state)
    other = build_model(train, ModelParams(kind="mlp", seed=4))
    for name, tensor in first.state_dict().items():
        assert torch.equal(second.state_dict()[name], tensor)
        assert not torch.equal(other.state_dict()[name], tensor)


def test_positive_weight():
    loader = loader_of([1, 0, 0, 1, 0, 0, 0, 0])
    assert positive_weight(loader, None) is None
    assert torch.equal(positive_weight(loader, 2.5), torch.tensor([2.5]))
    assert torch.equal(positive_weight(loader, "balanced"), torch.tensor([3.0]))


def test_train_model_reproduces_the_books_training(book, splits):
    train_loader, val_loader = build_loaders(*splits, LoaderParams())
    state_dict, history = train_model(
        build_model(splits[0], ModelParams()),
        train_loader,
        val_loader,
        TrainingParams(device="cpu"),
        ModelParams(),
    )
    assert list(history.columns) == ["epoch", "train_loss", "val_loss"]
    assert history["epoch"].tolist() == list(range(1, 101))
    assert history["train_loss"].tolist() == book.train_losses
    assert history["val_loss"].tolist() == book.val_losses
    assert state_dict.keys() == book.state_dict.keys()
    for name, tensor in book.state_dict.items():
        assert torch.equal(state_dict[name], tensor)
    for name, key in (("linear.weight", "weight"), ("linear.bias", "bias")):
        torch.testing.assert_close(
            state_dict[name],
            torch.tensor(REFERENCE[key]),
            rtol=0,
            atol=REFERENCE_TOLERANCE,
        )


def test_train_model_weights_the_positives_in_the_loss(splits):
    train_loader, val_loader = build_loaders(*splits, LoaderParams())
    params = TrainingParams(device="cpu", n_epochs=1, pos_weight=3.0)
    model = build_model(splits[0], ModelParams())
    state_dict, history = train_model(
        model, train_loader, val_loader, params, ModelParams()
    )
    model.load_state_dict(state_dict)
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]))
    with torch.no_grad():
        batch_losses = [loss_fn(model(x), y).item() for x, y in val_loader]
    assert history["val_loss"].iloc[0] == pytest.approx(
        sum(batch_losses) / len(batch_losses)
    )


def test_train_model_refuses_a_diverged_training(splits):
    train_loader, val_loader = build_loaders(*splits, LoaderParams())
    model_params = ModelParams(kind="mlp", hidden_units=7)
    model = build_model(splits[0], model_params)
    with pytest.raises(
        ValueError,
        match=r"Training the mlp model \(hidden_units=7\) diverged by epoch \d+ of 5 "
        r".* training.lr=1e\+20",
    ):
        train_model(
            model,
            train_loader,
            val_loader,
            TrainingParams(device="cpu", n_epochs=5, lr=1e20),
            model_params,
        )


def test_train_model_refuses_an_unavailable_device(splits):
    train_loader, val_loader = build_loaders(*splits, LoaderParams())
    model = build_model(splits[0], ModelParams())
    with pytest.raises(ValueError, match="cuda:7") as error:
        train_model(
            model,
            train_loader,
            val_loader,
            TrainingParams(device="cuda:7"),
            ModelParams(),
        )
    assert f"available: {', '.join(available_devices())}" in str(error.value)


def test_training_params_refuse_an_unknown_device_name():
    with pytest.raises(ValueError, match="'gpu' is not one of"):
        TrainingParams(device="gpu")


def test_training_leaves_torch_dynamo_unimported():
    # Constructing any torch Optimizer imports torch._dynamo: about 1.9 s of a default run.
    code = textwrap.dedent(
        """
        import sys
        import pandas as pd
        from moons_classifier.params import LoaderParams, ModelParams, TrainingParams
        from moons_classifier.pipelines.training.nodes import (
            build_loaders, build_model, train_model,
        )
        data = pd.DataFrame({"x1": [0.0, 1.0], "x2": [1.0, 0.0], "y": [0, 1]})
        loaders = build_loaders(data, data, LoaderParams(batch_size=1))
        params = TrainingParams(n_epochs=2, device="cpu")
        train_model(build_model(data, ModelParams()), *loaders, params, ModelParams())
        assert "torch._dynamo" not in sys.modules, "training imported torch._dynamo"
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
