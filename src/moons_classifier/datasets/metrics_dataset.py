"""``MetricsDataset``: a model's validation metrics as JSON, typed by ``contracts.Metrics``."""

from __future__ import annotations

import json

from pydantic import ValidationError

from moons_classifier.contracts import Metrics
from moons_classifier.datasets.json_dataset import JSONDataset


class MetricsDataset(JSONDataset):
    """The ``Metrics`` that evaluation writes and reporting, inference and tracking read."""

    def load(self) -> Metrics:
        """The metrics, once the document is checked against the ``Metrics`` contract."""
        try:
            return Metrics.model_validate(json.loads(self._read_bytes()))
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            raise ValueError(
                f"{self._filepath} does not hold a model's metrics: {where}: "
                f"{problem['msg']}. Rerun the evaluation pipeline to write them again."
            ) from None

    def save(self, data: Metrics) -> None:
        """Write the metrics' JSON document atomically."""
        super().save(data.document())
