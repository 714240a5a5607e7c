"""The package's dataset classes: each named by the catalog, each imported only when named."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from kedro.io.core import AbstractDataset

from moons_classifier import datasets


@pytest.mark.parametrize("name", datasets.__all__)
def test_every_exported_name_is_a_dataset_class_of_its_own_module(name: str):
    dataset = getattr(datasets, name)
    assert issubclass(dataset, AbstractDataset)
    assert dataset.__name__ == name
    assert dataset.__module__.startswith("moons_classifier.datasets.")
    assert name in dir(datasets)


def test_an_unknown_name_is_refused():
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchDataset'"):
        datasets.NoSuchDataset


def test_the_catalogs_lazy_dataset_loads_without_torch(tmp_path: Path):
    """Naming LazyDataset imports its own module, not the other datasets' nor torch."""
    (tmp_path / "source.csv").write_text("x1,label\n0.5,1\n")
    code = textwrap.dedent(
        """
        import sys
        from kedro.io import DataCatalog
        catalog = DataCatalog.from_config(
            {
                "source_table": {
                    "type": "moons_classifier.datasets.LazyDataset",
                    "dataset": {"type": "pandas.CSVDataset", "filepath": "source.csv"},
                }
            }
        )
        assert catalog.load("source_table")().to_dict("list") == {
            "x1": [0.5], "label": [1]
        }
        imported = sorted(
            name for name in sys.modules
            if name.split(".")[0] in ("torch", "sklearn")
            or name.startswith("moons_classifier.datasets.")
        )
        assert imported == ["moons_classifier.datasets.lazy_dataset"], imported
        """
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=120)
