"""The ``sweep`` parameter group: the search space's distributions, objective and pruner."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from moons_classifier.contracts import ObjectiveName
from moons_classifier.params import Params


class FloatRange(Params):
    """A float drawn from [low, high], on a log scale if ``log``."""

    type: Literal["float"]
    low: float
    high: float
    log: bool = False


class IntRange(Params):
    """An integer drawn from [low, high] in steps of ``step``, on a log scale if ``log``."""

    type: Literal["int"]
    low: int
    high: int
    step: int = Field(1, ge=1)
    log: bool = False


class Choice(Params):
    """One of ``choices`` (numbers, strings or null)."""

    type: Literal["categorical"]
    choices: list[float | int | str | None] = Field(min_length=1)


Distribution = Annotated[FloatRange | IntRange | Choice, Field(discriminator="type")]


class SweepParams(Params):
    """What ``kedro sweep`` searches, what it maximizes or minimizes, and its seeds.

    ``space`` maps parameter paths (``training.lr``) to distributions; a path under a model
    namespace (``mlp.model.hidden_units``) is drawn only for trials of that model.
    ``fixed`` parameters hold in every trial. ``pruner`` stops unpromising trials early
    from the objective each epoch reports.
    """

    objective: ObjectiveName = "aupr"
    seed: int = 0
    pruner: Literal["none", "median", "hyperband"] = "none"
    models: list[Literal["logistic", "mlp"]] = Field(["logistic", "mlp"], min_length=1)
    space: dict[str, Distribution] = {}
    fixed: dict[str, float | int | str | None] = {"split.test_fraction": 0.2}

    @field_validator("space")
    @classmethod
    def _ordered_ranges(cls, space: dict[str, Distribution]) -> dict[str, Distribution]:
        """Each range's ``low`` must lie below its ``high``."""
        for path, dist in space.items():
            if not isinstance(dist, Choice) and not dist.low < dist.high:
                raise ValueError(
                    f"{path}: low {dist.low} must be below high {dist.high}"
                )
        return space
