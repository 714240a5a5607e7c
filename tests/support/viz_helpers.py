"""Start ``kedro viz run`` in a project on a free loopback port, talk to it, and stop it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, sync_playwright

from tests.support.servers import LOOPBACK, Server, running_server


@contextmanager
def running_viz(project: Path, log: Path) -> Iterator[Server]:
    """``kedro viz run`` in ``project`` on a free port (no browser, no autoreload), stopped on exit.

    The server runs in a child process of the CLI, so it gets a session (and process
    group) of its own, and stopping signals the whole group. Its one outbound request,
    the PyPI version check, goes to a closed local port instead of the network.
    """
    command = [sys.executable, "-m", "kedro", "viz", "run", "--host", LOOPBACK]
    with running_server(
        [*command, "--port", "{port}", "--no-browser"], project, log, "/api/main", {}
    ) as server:
        yield server


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def local_only(route: Route) -> None:
    """Let requests to the loopback server through and abort every other one."""
    if urlsplit(route.request.url).hostname == LOOPBACK:
        route.continue_()
    else:
        route.abort()


@contextmanager
def loopback_page(
    width: int, height: int, timeout_ms: int, test_id_attribute: str | None = None
) -> Iterator[Page]:
    """A page of headless Chromium (Debian's) that loads from 127.0.0.1 only, its
    default timeout ``timeout_ms``; the browser is closed afterwards."""
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        if test_id_attribute is not None:
            playwright.selectors.set_test_id_attribute(test_id_attribute)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(timeout_ms)
            page.route("**/*", local_only)
            yield page
        finally:
            browser.close()
