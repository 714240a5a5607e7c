"""Typed parameter groups; Kedro validates ``params:`` inputs against them before a run."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

DEVICE_PATTERN = re.compile(r"auto|cpu|mps|cuda(:\d+)?")


class Params(BaseModel):
    """Base for parameter groups: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(Params):
    """Where the data comes from (generated moons or the ``source_table`` entry), its balance,
    and what holds it: pandas, or Dask partitions of ``partition_rows`` rows."""

    source: Literal["moons", "table"] = "moons"
    backend: Literal["pandas", "dask"] = "pandas"
    partition_rows: int = Field(1_000_000, ge=1)
    n_samples: int = Field(100, ge=1)
    noise: float = Field(0.3, ge=0)
    random_state: int = 0
    label_column: str = "target"
    feature_columns: list[str] | None = Field(None, min_length=1)
    positive_fraction: float | None = Field(None, gt=0, lt=1)


class DaskParams(Params):
    """The Dask cluster of ``data.backend: dask`` runs (and of ``kedro sweep``).

    ``scheduler`` is a running scheduler's address; null starts a local cluster of
    ``workers`` processes (default: one per core) on 127.0.0.1 for the run.
    """

    scheduler: str | None = None
    workers: int | None = Field(None, ge=1)
    worker_memory: str = "2GB"


class SplitParams(Params):
    """How the data is split into training and validation sets, and an optional test set.

    ``test_fraction`` of the rows is held out first (none when null); ``test_size`` is the
    validation share of the rest.
    """

    test_size: float = Field(0.2, gt=0, lt=1)
    random_state: int = 13
    test_fraction: float | None = Field(None, gt=0, lt=1)


class LoaderParams(Params):
    """How mini-batches are drawn.

    ``seed`` is the chapter's ``torch.manual_seed(13)`` before it builds the loaders.
    Building them draws nothing and the trainer re-seeds before its first draw, as
    StepByStep does, so the shuffle order comes from ``training.seed``.
    """

    batch_size: int = Field(16, ge=1)
    seed: int = 13


class ModelParams(Params):
    """Which model is built, and the seed of its initial weights."""

    kind: Literal["logistic", "mlp"] = "logistic"
    hidden_units: int = Field(10, ge=1)
    seed: int = 42


class TrainingParams(Params):
    """How the model is trained."""

    n_epochs: int = Field(100, ge=1)
    lr: float = Field(0.1, gt=0)
    seed: int = 42
    device: str = "auto"
    pos_weight: Literal["balanced"] | Annotated[float, Field(gt=0)] | None = None

    @field_validator("device")
    @classmethod
    def _known_device(cls, device: str) -> str:
        """Accept only device names torch understands."""
        if not DEVICE_PATTERN.fullmatch(device):
            raise ValueError(
                f"device {device!r} is not one of auto, cpu, cuda, cuda:N (N a number) or mps"
            )
        return device


class MinPrecision(Params):
    """Pick the threshold with the best recall among those reaching this precision."""

    min_precision: float = Field(gt=0, le=1)


class MinRecall(Params):
    """Pick the threshold with the best precision among those reaching this recall."""

    min_recall: float = Field(gt=0, le=1)


ThresholdCriterion = Literal["f1", "youden"] | MinPrecision | MinRecall


def _probabilities(thresholds: list[float]) -> list[float]:
    """``thresholds``, if each lies in [0, 1]."""
    outside = [t for t in thresholds if not 0 <= t <= 1]
    if outside:
        raise ValueError(f"thresholds must lie in [0, 1]; got {outside}")
    return thresholds


Thresholds = Annotated[list[float], Field(min_length=1), AfterValidator(_probabilities)]


class BootstrapParams(Params):
    """The seeded bootstrap that gives the test metrics their confidence intervals."""

    n_resamples: int = Field(1000, ge=10)
    confidence: float = Field(0.95, gt=0, lt=1)
    seed: int = 0


class EvaluationParams(Params):
    """Thresholds, the operating-threshold criterion and the random baseline of the metrics.

    On the Dask backend the curves come from ``2**histogram_bits`` probability bins.
    """

    threshold_selection: ThresholdCriterion = "f1"
    thresholds: Thresholds = [0.3, 0.5, 0.7]
    random_baseline_seed: int = 39
    bootstrap: BootstrapParams = BootstrapParams()
    histogram_bits: int = Field(20, ge=4, le=30)


class ReportingParams(Params):
    """What the figures draw besides the evaluation's thresholds: samples, grid, curves."""

    quirk_thresholds: Thresholds = [0.4, 0.5, 0.57]
    curve_thresholds: int = Field(11, ge=2)
    plot_sample_size: int = Field(2000, ge=1)
    plot_seed: int = 0
    grid_resolution: int = Field(101, ge=2)
    max_curve_points: int = Field(1000, ge=2)


class InferenceParams(Params):
    """How new points are classified: a fixed threshold, or the evaluation's selected one."""

    threshold: float | None = Field(None, ge=0, le=1)
