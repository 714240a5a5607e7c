"""The chapter notebook, executed top to bottom in a fresh kernel against a pipeline run."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from tests.support.projects import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "chapter_walkthrough.ipynb"
JUPYTER_DIRS = (
    "JUPYTER_DATA_DIR",
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_RUNTIME_DIR",
    "IPYTHONDIR",
)
CELL_TIMEOUT_S = 180
PRINTED = {  # a printed label -> the value the chapter gets
    "odds:": "3.0000",
    "log odds:": "1.0986",
    "BCE by hand:": "0.1643",
    "nn.BCELoss:": "0.1643",
    "nn.BCELoss, wrong order:": "15.0000",
    "nn.BCEWithLogitsLoss:": "0.1643",
    "mean reduction:": "0.2464",
    "sum reduction / (pos_weight*n_pos + n_neg):": "0.1643",
    "threshold 0.3: confusion matrix": "[[6, 3], [0, 11]]",
    "threshold 0.5: confusion matrix": "[[7, 2], [1, 10]]",
    "threshold 0.7: confusion matrix": "[[9, 0], [2, 9]]",
    "AUROC": "0.9797979797979798",
    "AUPR": "0.9854312354312356",
    "random:  AUROC": "0.505050505050505",
}


def code_cells(notebook: NotebookNode) -> list[NotebookNode]:
    """The notebook's code cells."""
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.fixture(scope="module")
def executed(
    tmp_path_factory: pytest.TempPathFactory, default_run: Path
) -> NotebookNode:
    """The notebook after a run of every cell, in the notebook folder of a run project.

    The kernel starts where Jupyter starts it, in the notebook's folder, and
    ``%load_ext kedro.ipython`` finds the project above it. Jupyter and IPython keep
    their files in temporary folders, not in ``$HOME``.
    """
    root = tmp_path_factory.mktemp("notebook")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in JUPYTER_DIRS:
            monkeypatch.setenv(name, str(root / name.lower()))
        monkeypatch.setenv("KEDRO_DISABLE_TELEMETRY", "1")
        path = default_run / "notebooks" / NOTEBOOK.name
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=CELL_TIMEOUT_S,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    return notebook


def test_notebook_prints_the_chapter_numbers(executed: NotebookNode) -> None:
    """Every cell ran, and the printed values are the chapter's."""
    assert all(cell.execution_count for cell in code_cells(executed))
    printed = "".join(
        output.text
        for cell in code_cells(executed)
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )
    missing = {
        label: value
        for label, value in PRINTED.items()
        if not re.search(rf"^{re.escape(label)}\s+{re.escape(value)}", printed, re.M)
    }
    assert missing == {}, printed


def test_notebook_draws_every_figure(executed: NotebookNode) -> None:
    """Each cell that calls a reporting node's plot function shows a PNG."""
    plotting = [
        cell for cell in code_cells(executed) if "reporting.plot_" in cell.source
    ]
    assert plotting
    assert [
        cell.source
        for cell in plotting
        if not any("image/png" in output.get("data", {}) for output in cell.outputs)
    ] == []


def test_committed_notebook_is_stripped_and_loads_through_kedro() -> None:
    """No outputs or execution counts are committed, and data comes from the catalog."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    cells = code_cells(notebook)
    assert [cell.source for cell in cells if cell.outputs or cell.execution_count] == []
    assert cells[0].source.startswith("%load_ext kedro.ipython")
    source = "\n".join(cell.source for cell in cells)
    assert "catalog.load(" in source
    assert not re.search(r"""["']data/|\.(parquet|csv|json|png|pt)["']""", source)
