"""A sweep's trials in warm workers: the same bytes as fresh ``kedro run`` processes, epoch
callbacks, and pruning (recorded, resumed, switched on by an environment)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

import optuna
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from devtools.project import QUICK, use_small_space
from moons_classifier.cluster import dask_client
from moons_classifier.metrics import areas_under_curves
from moons_classifier.optimizers import PlainSGD
from moons_classifier.sweep.pruning import Pruning, Reporter
from moons_classifier.sweep.trial import run_command, run_trial
from moons_classifier.trainer import EpochEnd, Trainer, epoch_callbacks, listening
from tests.support.helpers import MANIFESTS
from tests.support.sweep_helpers import kedro_sweep, trials

SWEEPS = Path("data/09_sweeps")
BOOTSTRAP = {"evaluation.bootstrap.n_resamples": 100}
# Trials that differ in every setting a trial draws, and in the model.
TRIALS = [
    (
        "logistic",
        {"training.lr": 0.1, "training.n_epochs": 5, "loaders.batch_size": 16},
    ),
    (
        "mlp",
        {
            "mlp.model.hidden_units": 7,
            "training.lr": 0.05,
            "training.n_epochs": 4,
            "loaders.batch_size": 8,
            "training.pos_weight": "balanced",
        },
    ),
    (
        "logistic",
        {"training.lr": 0.3, "training.n_epochs": 3, "loaders.batch_size": 32},
    ),
    (
        "mlp",
        {
            "mlp.model.hidden_units": 3,
            "training.lr": 0.2,
            "training.n_epochs": 6,
            "loaders.batch_size": 16,
        },
    ),
    (
        "logistic",
        {
            "training.lr": 0.02,
            "training.n_epochs": 2,
            "loaders.batch_size": 64,
            "training.pos_weight": "balanced",
        },
    ),
]
N_IN_PROCESS = 50
REPORTS = ("metrics.json", "test_metrics.json")


def reports(folder: Path, model: str) -> dict[str, bytes]:
    """The bytes of the metrics files a run in ``folder`` wrote for ``model``."""
    return {
        name: next(
            (folder / "08_reporting" / model / name).glob(f"*/{name}")
        ).read_bytes()
        for name in REPORTS
    }


def process_state() -> dict[str, object]:
    """What a session could leave behind in a worker process."""
    return {
        "cwd": os.getcwd(),
        "open files": sorted(os.listdir("/proc/self/fd")),
        "root handlers": [repr(handler) for handler in logging.getLogger().handlers],
        "torch threads": torch.get_num_threads(),
        "torch generator": torch.get_rng_state().tolist(),
        "mlflow run": repr(sys.modules["mlflow"].active_run())
        if "mlflow" in sys.modules
        else None,
    }


def test_fifty_trials_in_one_worker_equal_fresh_kedro_run_processes(project):
    results, states = [], []
    with dask_client(None, 1) as client:
        for number in range(N_IN_PROCESS):
            results.append(
                client.submit(
                    run_trial,
                    str(project),
                    str(project / "warm" / str(number)),
                    *TRIALS[number % len(TRIALS)],
                    "aupr",
                    pure=False,
                ).result()
            )
            if number in (len(TRIALS), N_IN_PROCESS - 1):
                (state,) = client.run(process_state).values()
                states.append(state)
    assert states[0] == states[1], "a session left something behind"
    assert [r.get("error") for r in results] == [None] * N_IN_PROCESS
    assert len({r["worker"] for r in results}) == 1
    for index, (model, params) in enumerate(TRIALS):
        fresh = project / "fresh" / str(index)
        subprocess.run(
            [sys.executable, "-m", "kedro"]
            + run_command(model, {**params, "base_location": str(fresh)}, None),
            cwd=project,
            check=True,
            capture_output=True,
            timeout=300,
        )
        expected = reports(fresh, model)
        for number in range(index, N_IN_PROCESS, len(TRIALS)):
            assert reports(project / "warm" / str(number), model) == expected, number
            aupr = json.loads(expected["metrics.json"])["aupr"]
            assert results[number]["value"] == aupr


class Recorder:
    """An epoch callback that keeps what it is given."""

    wants_scores = True

    def __init__(self) -> None:
        self.ends: list[EpochEnd] = []

    def __call__(self, end: EpochEnd) -> None:
        self.ends.append(end)


class FakeTrial:
    """An Optuna trial's reporting side: it prunes from epoch ``prune_at`` on."""

    def __init__(self, prune_at: int) -> None:
        self.prune_at = prune_at
        self.reports: list[tuple[float, int]] = []

    def report(self, value: float, step: int) -> None:
        self.reports.append((value, step))

    def should_prune(self) -> bool:
        return self.reports[-1][1] >= self.prune_at


def trainer_and_loaders() -> tuple[Trainer, DataLoader, DataLoader]:
    """A logistic model on two separable clusters, and its loaders."""
    generator = torch.Generator().manual_seed(0)
    features = torch.cat(
        [
            torch.randn(20, 2, generator=generator) + 2,
            torch.randn(20, 2, generator=generator) - 2,
        ]
    )
    labels = torch.cat([torch.ones(20, 1), torch.zeros(20, 1)])
    data = TensorDataset(features, labels)
    model = nn.Linear(2, 1)
    trainer = Trainer(
        model, nn.BCEWithLogitsLoss(), PlainSGD(model.parameters(), lr=0.1)
    )
    return (
        trainer,
        DataLoader(data, batch_size=8, shuffle=True),
        DataLoader(data, batch_size=8),
    )


def test_a_trainer_calls_back_each_epoch_only_where_a_sweep_listens():
    assert listening() == ()
    assert trainer_and_loaders()[0].callbacks == ()
    recorder = Recorder()
    with epoch_callbacks(recorder):
        trainer, train, val = trainer_and_loaders()
    assert listening() == ()
    trainer.fit(train, val, n_epochs=3)
    assert [end.epoch for end in recorder.ends] == [1, 2, 3]
    assert [end.val_loss for end in recorder.ends] == trainer.val_losses
    assert [end.train_loss for end in recorder.ends] == trainer.train_losses
    last = recorder.ends[-1]
    assert last.val_logits.shape == last.val_labels.shape == (40, 1)
    assert torch.equal(last.val_logits, trainer.predict(val.dataset.tensors[0]))


@pytest.mark.parametrize("objective", ["aupr", "auroc", "val_loss"])
def test_the_reporter_reports_the_objective_and_prunes_when_told(objective):
    trial = FakeTrial(prune_at=2)
    reporter, recorder = Reporter(trial, objective), Recorder()
    trainer, train, val = trainer_and_loaders()
    trainer.callbacks = (recorder, reporter)
    with pytest.raises(optuna.TrialPruned, match="pruned at epoch 2"):
        trainer.fit(train, val, n_epochs=5)
    assert reporter.epoch == 2  # noqa: PLR2004
    assert [step for _, step in trial.reports] == [1, 2]
    expected = [
        end.val_loss
        if objective == "val_loss"
        else areas_under_curves(
            end.val_labels.reshape(-1).numpy(),
            torch.sigmoid(end.val_logits).reshape(-1).numpy(),
        )[objective]
        for end in recorder.ends
    ]
    assert [value for value, _ in trial.reports] == pytest.approx(expected, abs=1e-12)


def test_a_reporter_judges_on_a_copy_and_shares_its_reports_and_the_pruners_notes():
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(study_name="s", storage=storage, direction="minimize")
    for _ in range(6):
        trial = study.ask()
        for step in range(1, 10):
            trial.report(0.1, step)
        study.tell(trial, 0.1)
    running = study.ask()
    reporter = Pruning(
        storage, "s", running.number, "hyperband", "val_loss", 9
    ).reporter()
    with suppress(
        optuna.TrialPruned
    ):  # whether Hyperband prunes depends on the bracket
        for epoch in range(1, 10):
            reporter(EpochEnd(epoch, 1.0, 1.0))
    shared = study.trials[running.number]
    assert shared.intermediate_values == dict.fromkeys(
        range(1, reporter.epoch + 1), 1.0
    )
    noted = reporter.trial.study.trials[running.number].system_attrs
    assert any(key.startswith("completed_rung") for key in noted)
    assert shared.system_attrs == noted


# A learning rate that hardly moves the weights: from epoch 1 on, the validation loss
# stays above that of the same model trained at 0.3 from the same initial weights.
GOOD = {
    "model": "logistic",
    "training.lr": 0.3,
    "training.n_epochs": 4,
    "loaders.batch_size": 16,
    "training.pos_weight": None,
}
SLOW = GOOD | {"training.lr": 0.01}
N_STARTUP = 5  # Optuna's MedianPruner prunes once this many trials completed


def test_an_environment_turns_pruning_on_and_a_pruned_trial_is_recorded_and_resumed(
    project,
):
    use_small_space(project)
    (project / "conf/prune").mkdir()
    (project / "conf/prune/parameters_sweep.yml").write_text(
        "sweep:\n  pruner: median\n  objective: val_loss\n"
    )
    folder = project / SWEEPS / "pruned"
    folder.mkdir(parents=True)
    study = optuna.create_study(
        study_name="pruned",
        storage=f"sqlite:///{folder / 'study.db'}",
        direction="minimize",
    )
    for params in [GOOD] * N_STARTUP + [SLOW]:
        study.enqueue_trial(params)
    sweep = ("--study", "pruned", "--env", "prune", "--workers", "1", *QUICK)
    kedro_sweep(project, *sweep, "--trials", str(N_STARTUP + 1))
    table = trials(folder)
    assert list(table["state"]) == ["COMPLETE"] * N_STARTUP + ["PRUNED"]
    assert list(table["epochs"]) == [4] * N_STARTUP + [1]
    pruned = folder / "trials" / str(N_STARTUP)
    assert (pruned / "02_intermediate/raw_data.parquet").is_file()
    assert not (pruned / MANIFESTS).exists(), "a pruned trial is no completed run"
    for number in range(N_STARTUP):
        assert (folder / "trials" / str(number) / MANIFESTS).exists()
    stored = optuna.load_study(
        study_name="pruned", storage=f"sqlite:///{folder / 'study.db'}"
    )
    assert [sorted(t.intermediate_values) for t in stored.trials] == [
        [1, 2, 3, 4]
    ] * N_STARTUP + [[1]]
    best = json.loads((folder / "best.json").read_text())
    assert best["objective"] == "val_loss"
    assert best["trial"] < N_STARTUP

    kedro_sweep(project, *sweep, "--trials", "1")
    resumed = trials(folder)
    assert list(resumed["number"]) == list(range(N_STARTUP + 2))
    assert resumed.iloc[: N_STARTUP + 1].equals(table)
    assert resumed.loc[N_STARTUP + 1, "state"] in ("COMPLETE", "PRUNED")


def test_pruning_with_trials_in_processes_of_their_own_is_refused(project):
    (project / "conf/prune").mkdir()
    (project / "conf/prune/parameters_sweep.yml").write_text(
        "sweep:\n  pruner: median\n"
    )
    process = subprocess.run(
        [sys.executable, "-m", "kedro", "sweep", "--env", "prune"]
        + ["--isolation", "process", "--trials", "1"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.returncode == 1
    assert (
        "sweep.pruner 'median' needs in-process trials"
        in process.stderr + process.stdout
    )
    assert "Traceback" not in process.stderr + process.stdout
    assert not (project / SWEEPS).exists()
