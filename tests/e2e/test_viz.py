"""``kedro viz run`` as a person uses it: the API, dataset previews and a real browser."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kedro.framework.project import pipelines
from kedro.pipeline import Pipeline
from playwright.sync_api import Locator, Page, expect

from tests.support.projects import PROJECT_ROOT
from tests.support.servers import Server, live_group_members, port_is_open
from tests.support.viz_helpers import loopback_page, running_viz

LAYERS = ["raw", "intermediate", "model_input", "models", "model_output", "reporting"]
AUROC = 0.9797979797979798  # the chapter's logistic regression on its validation split
METRICS = "logistic_metrics"
HELD_OUT = {"test_split", "test_features", "test_predictions"}
PREVIEW_ROWS = 10  # preview_args.nrows of the catalog's tables
FIGURE = "logistic.roc_pr_curves_figure"
PREVIEW_TYPES = {  # dataset type (as kedro-viz names it) -> the preview kedro-viz sends
    "datasets.table_dataset.TableDataset": "TablePreview",
    "pandas.csv_dataset.CSVDataset": "TablePreview",
    "datasets.json_dataset.JSONDataset": "JSONPreview",
    "datasets.metrics_dataset.MetricsDataset": "JSONPreview",
    "datasets.standard_scaler.StandardScalerDataset": "JSONPreview",
    "matplotlib.matplotlib_dataset.MatplotlibDataset": "ImagePreview",
}


@pytest.fixture(scope="module")
def default_pipeline(default_run: Path) -> Pipeline:
    """The ``__default__`` pipeline, registered in the project the run bootstrapped."""
    pipelines.set_requested(None)  # earlier sessions in this process asked for a few
    return pipelines["__default__"]


@pytest.fixture(scope="module")
def viz_server(default_run: Path) -> Iterator[Server]:
    """A ``kedro viz run`` server on the run project, shared by the module's tests."""
    with running_viz(default_run, default_run.parent / "viz-shared.log") as server:
        yield server


def graph_names(main: dict) -> dict[str, str]:
    """Node ids of ``/api/main`` -> Kedro names (full names for namespaced tasks)."""
    return {
        node["id"]: node.get("full_name") or node["name"]
        for node in main["nodes"]
        if node["type"] in ("task", "data", "parameters")
    }


def test_catalog_has_layers_everywhere_and_previews_for_tables() -> None:
    """Every catalog entry has a kedro-viz layer; every table has preview_args."""
    entries = {}
    for path in sorted((PROJECT_ROOT / "conf" / "base").glob("catalog*/**/*.yml")):
        entries.update(yaml.safe_load(path.read_text()) or {})
    assert entries
    viz = {
        name: entry.get("metadata", {}).get("kedro-viz", {})
        for name, entry in entries.items()
    }
    assert {
        name: meta.get("layer")
        for name, meta in viz.items()
        if meta.get("layer") not in LAYERS
    } == {}
    tables = [
        name
        for name, entry in entries.items()
        if entry["type"].startswith("pandas.") or entry["type"].endswith("TableDataset")
    ]
    assert [
        name for name in tables if "nrows" not in viz[name].get("preview_args", {})
    ] == []


def test_api_serves_the_default_pipeline_and_stopping_frees_the_port(
    default_run: Path, default_pipeline: Pipeline
) -> None:
    """/api/main has every node, dataset, layer and edge; stopping ends the process group."""
    with running_viz(default_run, default_run.parent / "viz-api.log") as server:
        main = server.request("/api/main")
    assert live_group_members(server.pgid) == []
    assert not port_is_open(server.port)

    names = graph_names(main)
    by_type = {
        kind: {names[node["id"]] for node in main["nodes"] if node["type"] == kind}
        for kind in ("task", "data", "parameters")
    }
    assert by_type["task"] == {node.name for node in default_pipeline.nodes}
    assert by_type["data"] | by_type["parameters"] == default_pipeline.datasets()
    assert main["layers"] == LAYERS, (
        f"[] means a cycle among catalog layers; see {server.log}"
    )
    assert {
        node["name"]: node["layer"]
        for node in main["nodes"]
        if node["type"] == "data" and node["layer"] not in LAYERS
    } == {}
    expected_edges = {
        edge
        for node in default_pipeline.nodes
        for edge in [
            *((name, node.name) for name in node.inputs),
            *((node.name, name) for name in node.outputs),
        ]
    }
    edges = {
        (names[edge["source"]], names[edge["target"]])
        for edge in main["edges"]
        if edge["source"] in names and edge["target"] in names
    }
    assert edges == expected_edges


def test_api_previews_tables_metrics_and_every_figure(
    viz_server: Server, default_pipeline: Pipeline
) -> None:
    """kedro-viz previews every table, JSON and figure dataset of the run."""
    main = viz_server.request("/api/main")
    data = {node["name"]: node for node in main["nodes"] if node["type"] == "data"}
    expected = {
        name: PREVIEW_TYPES[node["dataset_type"]]
        for name, node in data.items()
        if node["dataset_type"] in PREVIEW_TYPES
    }
    figures = {name for name in default_pipeline.datasets() if name.endswith("_figure")}
    assert {
        "moons",
        "train_split",
        "validation_split",
        "scaler",
        METRICS,
    } | figures <= (expected.keys())

    previews = {
        name: viz_server.request(f"/api/nodes/{data[name]['id']}") for name in expected
    }
    assert {
        name: node.get("preview_type") for name, node in previews.items()
    } == expected
    for name, node in previews.items():
        preview = node["preview"]
        if expected[name] == "TablePreview":
            # The held-out test split is empty unless split.test_fraction sets one.
            held_out = name.split(".")[-1] in HELD_OUT
            assert preview["columns"], name
            rows = len(preview["data"])
            assert rows == 0 if held_out else 0 < rows <= PREVIEW_ROWS, name
        elif expected[name] == "JSONPreview":
            assert isinstance(json.loads(preview), dict)
        else:
            assert base64.b64decode(preview).startswith(b"\x89PNG"), name
    assert json.loads(previews[METRICS]["preview"])["auroc"] == pytest.approx(
        AUROC, abs=1e-12
    )


def _dismiss_onboarding(page: Page, outdated: bool) -> None:
    """Close the feature tour, and the update banner that an outdated version shows."""
    page.locator(".feature-hints__close").click()
    if outdated:
        page.locator(".update-reminder-unexpanded").get_by_role(
            "button", name="Dismiss"
        ).click()
    expect(page.locator(".feature-hints__reopen-message")).to_be_hidden()


def _open_dataset(page: Page, name: str) -> None:
    """Fit the graph to the window, click the dataset's node and wait for its metadata."""
    page.get_by_test_id("sidebar-reset-zoom-btn").click()
    page.locator(f'g.pipeline-node[data-node-fullname="{name}"]').click()
    expect(page.locator(".pipeline-metadata__title")).to_have_text(name)


def _settle(element: Locator) -> None:
    """Wait until the element's CSS transitions and animations have finished."""
    element.evaluate(
        "el => Promise.all(el.getAnimations({subtree: true}).map(a => a.finished))"
    )


def test_browser_shows_metrics_values_and_figure_preview(
    viz_server: Server, tmp_path: Path
) -> None:
    """Headless Chromium: the metrics node shows its JSON values, the figure node its image."""
    with loopback_page(1920, 1080, 30_000, test_id_attribute="data-test") as page:
        with page.expect_response("**/api/version") as version:
            page.goto(viz_server.url)
        _dismiss_onboarding(page, version.value.json()["is_outdated"])
        page.get_by_test_id(
            "sidebar-flowchart-visible-btn-true"
        ).click()  # room for the graph
        # The minimap covers the graph's bottom left, where the model outputs are.
        page.get_by_test_id("sidebar-minimap-btn-true").click()

        _open_dataset(page, METRICS)
        values = page.locator(".pipeline-metadata__preview-json")
        expect(values).to_contain_text('"auroc"')
        expect(values).to_contain_text(repr(AUROC))
        page.get_by_role("button", name="Close Metadata Panel").click()

        _open_dataset(page, FIGURE)
        image = page.locator("img.pipeline-metadata__plot-image")
        expect(image).to_be_visible()
        expect(image).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0
        page.mouse.move(0, 0)  # no hover tooltip in the picture
        _settle(page.locator(".pipeline-metadata"))  # the panel has slid in
        screenshot = tmp_path / "kedro-viz-figure-preview.png"
        page.screenshot(path=screenshot)
    print(f"kedro-viz screenshot: {screenshot}")  # noqa: T201
