"""The study report: ``trials.csv``, ``best.json`` and Optuna's figures as PNGs."""

from __future__ import annotations

import json
import logging
import shlex
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402
from optuna.visualization import matplotlib as optuna_plots  # noqa: E402

from moons_classifier.sweep.study import EPOCHS, MODEL  # noqa: E402
from moons_classifier.sweep.trial import run_command  # noqa: E402

logger = logging.getLogger(__name__)

TRAINED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
FIGURES = {
    "optimization_history.png": optuna_plots.plot_optimization_history,
    "param_importances.png": optuna_plots.plot_param_importances,
}


def trials_table(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: number, state, every drawn parameter, objective, the epochs it
    trained (to the end, or until pruned), duration, worker and error."""
    objective = study.user_attrs["objective"]
    columns = ["number", "state", objective, EPOCHS, "duration_s", "worker", "error"]
    table = pd.DataFrame(
        [
            {
                "number": trial.number,
                "state": trial.state.name,
                **trial.params,
                objective: trial.value,
                EPOCHS: trial.user_attrs.get(EPOCHS)
                if trial.state in TRAINED
                else None,
                "duration_s": trial.user_attrs.get("duration_s"),
                "worker": trial.user_attrs.get("worker"),
                "error": trial.user_attrs.get("error"),
            }
            for trial in study.trials
        ],
        columns=None if study.trials else columns,
    )
    integers = [EPOCHS, *integer_params(study.trials)]
    return table.astype({name: "Int64" for name in integers})


def integer_params(trials: list[optuna.trial.FrozenTrial]) -> list[str]:
    """The parameters that every trial which drew them drew as an integer."""
    drawn: dict[str, list[Any]] = {}
    for trial in trials:
        for name, value in trial.params.items():
            drawn.setdefault(name, []).append(value)
    return [
        name for name, values in drawn.items() if all(type(v) is int for v in values)
    ]


def best_report(study: optuna.Study) -> dict[str, Any]:
    """The best trial: its parameters, objective, ``kedro run`` command and test metrics."""
    best = study.best_trial
    model, params = best.params[MODEL], best.user_attrs["run_params"]
    return {
        "study": study.study_name,
        "trial": best.number,
        "objective": study.user_attrs["objective"],
        "direction": study.direction.name.lower(),
        "value": best.value,
        "model": model,
        "params": params,
        "command": shlex.join(
            ["kedro", *run_command(model, params, best.user_attrs.get("env"))]
        ),
        "test_metrics": best.user_attrs.get("test"),
    }


def write_report(study: optuna.Study, folder: Path) -> None:
    """Write the study's table, its best trial (if one completed) and its figures."""
    trials_table(study).to_csv(folder / "trials.csv", index=False)
    completed = study.get_trials(states=[optuna.trial.TrialState.COMPLETE])
    if not completed:
        logger.warning("No trial of study %s completed; no best.json", study.study_name)
        return
    (folder / "best.json").write_text(json.dumps(best_report(study), indent=2) + "\n")
    for name, plot in FIGURES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            try:
                axes = plot(study)
            except (ValueError, RuntimeError) as error:
                logger.warning("No %s: %s", name, error)
                continue
        axes.figure.savefig(folder / name, dpi=100, bbox_inches="tight")
        plt.close(axes.figure)
