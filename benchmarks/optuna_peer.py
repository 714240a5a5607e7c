"""The plain Optuna script a user would write instead of ``kedro sweep``: the peer of
``benchmarks.sweep_speed``.

One process, torch + scikit-learn + Optuna, no Kedro: the project's default data and
split, its two models, BCE-with-logits trained by SGD on shuffled mini-batches, and the
validation AUPR maximized by a seeded TPE sampler over the default search space. Run as a
whole process: ``python -m benchmarks.optuna_peer [--trials 40]``; it prints trials/min of
the optimize loop.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import optuna
import torch
from sklearn.datasets import make_moons
from sklearn.metrics import auc, precision_recall_curve
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# conf/base/parameters_data_processing.yml (data, split) with parameters_sweep.yml's
# fixed split.test_fraction.
N_SAMPLES, NOISE, DATA_SEED = 100, 0.3, 0
TEST_FRACTION, VAL_FRACTION, SPLIT_SEED = 0.2, 0.2, 13
# conf/base/parameters_training.yml: the initial weights' and the shuffles' seeds.
MODEL_SEED, TRAINING_SEED = 42, 42
# conf/base/parameters_sweep.yml: the sampler's seed and the default search space.
SAMPLER_SEED = 0
BATCH_SIZES = [8, 16, 32, 64]
POS_WEIGHTS = [None, "balanced"]


def splits() -> tuple[torch.Tensor, ...]:
    """Standardized training and validation features and labels as float32 tensors."""
    x, y = make_moons(n_samples=N_SAMPLES, noise=NOISE, random_state=DATA_SEED)
    x_dev, _, y_dev, _ = train_test_split(
        x, y, test_size=TEST_FRACTION, random_state=SPLIT_SEED
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_dev, y_dev, test_size=VAL_FRACTION, random_state=SPLIT_SEED
    )
    scaler = StandardScaler().fit(x_train)
    return tuple(
        torch.as_tensor(a, dtype=torch.float32)
        for a in (
            scaler.transform(x_train),
            y_train.reshape(-1, 1),
            scaler.transform(x_val),
            y_val.reshape(-1, 1),
        )
    )


def build_model(kind: str, hidden_units: int) -> nn.Sequential:
    """The logistic regression or the one-hidden-layer MLP, with seeded initial weights."""
    torch.manual_seed(MODEL_SEED)
    if kind == "logistic":
        return nn.Sequential(nn.Linear(2, 1))
    return nn.Sequential(
        nn.Linear(2, hidden_units), nn.ReLU(), nn.Linear(hidden_units, 1)
    )


def objective(trial: optuna.Trial, data: tuple[torch.Tensor, ...]) -> float:
    """Train the trial's model and return its validation AUPR."""
    x_train, y_train, x_val, y_val = data
    kind = trial.suggest_categorical("model", ["logistic", "mlp"])
    hidden_units = (
        trial.suggest_int("hidden_units", 2, 32, log=True) if kind == "mlp" else 0
    )
    lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
    n_epochs = trial.suggest_int("n_epochs", 10, 100, step=10)
    batch_size = trial.suggest_categorical("batch_size", BATCH_SIZES)
    balanced = trial.suggest_categorical("pos_weight", POS_WEIGHTS) == "balanced"
    model = build_model(kind, hidden_units)
    pos_weight = (y_train == 0).sum() / (y_train == 1).sum() if balanced else None
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(
        TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True
    )
    torch.manual_seed(TRAINING_SEED)
    model.train()
    for _ in range(n_epochs):
        for features, labels in loader:
            loss = loss_fn(model(features), labels)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        probabilities = torch.sigmoid(model(x_val)).numpy().ravel()
    if not np.isfinite(probabilities).all():
        return float("nan")  # diverged: Optuna records the trial as failed
    precision, recall, _ = precision_recall_curve(y_val.numpy().ravel(), probabilities)
    return float(auc(recall, precision))


def run(n_trials: int) -> tuple[float, int]:
    """Completed trials per minute of the optimize call, and how many completed."""
    data = splits()
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=SAMPLER_SEED)
    )
    started = time.perf_counter()
    study.optimize(lambda trial: objective(trial, data), n_trials=n_trials)
    minutes = (time.perf_counter() - started) / 60
    completed = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    return completed / minutes, completed


def main() -> None:
    """Run the study and print its trials per minute."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rate, completed = run(args.trials)
    print(
        f"{completed} of {args.trials} trials completed: {rate:.1f} trials/min "
        "(optimize loop)"
    )


if __name__ == "__main__":
    main()
