"""Servers that tests start (kedro viz, mlflow): loopback only, own process group, stopped."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.request import ProxyHandler, Request, build_opener

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 180
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
class Server:
    """A server process group listening on a loopback port."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pgid(self) -> int:
        """The server's process group: the command and every child it started."""
        return self.process.pid

    def request(self, path: str, body: Any = None, timeout: float = 30) -> Any:
        """GET ``path``, or POST ``body`` as JSON to it, and decode the JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = Request(
            f"{self.url}{path}", data, {"Content-Type": "application/json"}
        )
        with _DIRECT.open(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")

    def wait_until_serving(self, path: str) -> None:
        """Block until ``path`` answers; fail with the server's log if it never does."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.process.args} exited with {self.process.returncode}:\n"
                    f"{self.log.read_text()}"
                )
            try:
                with _DIRECT.open(f"{self.url}{path}", timeout=5):
                    return
            except (URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise AssertionError(
            f"{self.process.args} did not answer within {START_TIMEOUT_S} s:\n"
            f"{self.log.read_text()}"
        )

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL what is left after a while, and reap it."""
        with suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while live_group_members(self.pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        with suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def running_server(
    command: list[str],
    cwd: Path,
    log: Path,
    ready_path: str,
    env: dict[str, str],
    installs: bool = False,
) -> Iterator[Server]:
    """Run ``command`` (``{port}`` replaced by a free port) in its own process group.

    ``env`` is added to the environment. The group is killed on exit, whatever happens.
    Telemetry is off and, unless the server ``installs`` packages (pip must reach the
    package registry), proxies point to a closed local port: nothing leaves the machine.
    """
    port = free_port()
    closed = f"http://{LOOPBACK}:9"
    env = {
        **os.environ,
        **env,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        **({} if installs else {"HTTPS_PROXY": closed, "HTTP_PROXY": closed}),
        "NO_PROXY": LOOPBACK,
    }
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [part.format(port=port) for part in command],
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(process, port, log)
        try:
            server.wait_until_serving(ready_path)
            yield server
        finally:
            server.stop()
