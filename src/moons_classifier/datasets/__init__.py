"""The project's Kedro datasets: loading never runs code; each class is imported when named."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from moons_classifier.datasets.json_dataset import JSONDataset
    from moons_classifier.datasets.lazy_dataset import LazyDataset
    from moons_classifier.datasets.metrics_dataset import MetricsDataset
    from moons_classifier.datasets.object_dataset import ObjectDataset
    from moons_classifier.datasets.standard_scaler import StandardScalerDataset
    from moons_classifier.datasets.table_dataset import TableDataset
    from moons_classifier.datasets.torch_state_dict import TorchStateDictDataset

_MODULES = {
    "JSONDataset": "json_dataset",
    "LazyDataset": "lazy_dataset",
    "MetricsDataset": "metrics_dataset",
    "ObjectDataset": "object_dataset",
    "StandardScalerDataset": "standard_scaler",
    "TableDataset": "table_dataset",
    "TorchStateDictDataset": "torch_state_dict",
}

__all__ = [
    "JSONDataset",
    "LazyDataset",
    "MetricsDataset",
    "ObjectDataset",
    "StandardScalerDataset",
    "TableDataset",
    "TorchStateDictDataset",
]


def __getattr__(name: str) -> type:
    """The dataset class ``name``, from its module, imported the first time it is asked for."""
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)


def __dir__() -> list[str]:
    """The module's names and the dataset classes it exposes."""
    return sorted({*globals(), *__all__})
