"""Start ``kedro viz run`` in a project on a free loopback port, talk to it, and stop it."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import ProxyHandler, build_opener

from playwright.sync_api import Route

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 15
# Requests to the server never go through a proxy the environment may configure.
_DIRECT = build_opener(ProxyHandler({}))


def free_port() -> int:
    """A loopback TCP port that is free now, below 49152 (kedro-viz refuses higher ones)."""
    for port in random.sample(range(20000, 49000), 100):
        with socket.socket() as probe:
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    raise AssertionError("no free loopback port between 20000 and 49000")


def port_is_open(port: int) -> bool:
    """Whether something accepts connections on the loopback ``port``."""
    try:
        socket.create_connection((LOOPBACK, port), timeout=1).close()
    except OSError:
        return False
    return True


def live_group_members(pgid: int) -> list[int]:
    """Process ids of the group's processes that are still running (zombies excluded)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(group) == pgid and state != "Z":
                members.append(int(stat.parent.name))
    return members


@dataclass
class VizServer:
    """A ``kedro viz run`` process group serving one project."""

    process: subprocess.Popen
    port: int
    log: Path
    _log_file: IO[bytes]

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pgid(self) -> int:
        """The server's process group: the CLI and the children serving the app."""
        return self.process.pid

    def get_json(self, path: str, timeout: float = 30) -> Any:
        """GET ``path`` and decode the JSON answer."""
        with _DIRECT.open(f"{self.url}{path}", timeout=timeout) as response:
            return json.load(response)

    def wait_until_serving(self) -> None:
        """Block until ``/api/main`` answers; fail with the server's log if it never does."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"kedro viz exited with {self.process.returncode}:\n"
                    f"{self.log.read_text()}"
                )
            try:
                self.get_json("/api/main", timeout=5)
            except (URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
            else:
                return
        raise AssertionError(
            f"kedro viz did not answer within {START_TIMEOUT_S} s:\n"
            f"{self.log.read_text()}"
        )

    def stop(self) -> None:
        """SIGTERM the whole process group and wait until none of it is left running."""
        with suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while live_group_members(self.pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = live_group_members(self.pgid)
        if survivors:
            os.killpg(self.pgid, signal.SIGKILL)
        self.process.wait()
        self._log_file.close()
        if survivors:
            raise AssertionError(f"kedro viz processes {survivors} ignored SIGTERM")


@contextmanager
def running_viz(project: Path, log: Path) -> Iterator[VizServer]:
    """``kedro viz run`` in ``project`` on a free port (no browser, no autoreload), stopped on exit.

    The server runs in a child process of the CLI, so it gets a session (and process
    group) of its own, and stopping signals the whole group. Its one outbound request,
    the PyPI version check, goes to a closed local port instead of the network.
    """
    port = free_port()
    log_file = log.open("wb")
    env = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "HTTPS_PROXY": f"http://{LOOPBACK}:9",
        "HTTP_PROXY": f"http://{LOOPBACK}:9",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kedro",
            "viz",
            "run",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--no-browser",
        ],
        cwd=project,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = VizServer(process, port, log, log_file)
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


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
