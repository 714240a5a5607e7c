"""A benchmark's report, printed as always and also written for the docs.

``docs/performance.md`` includes each ``docs/benchmarks/<name>.md`` (pymdownx.snippets), so
rerunning ``python -m benchmarks.<name>`` regenerates its tables on that page.
"""

from __future__ import annotations

import io
import os
import platform
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parents[1] / "docs" / "benchmarks"


class _Tee(io.TextIOBase):
    """A text stream that writes to every stream it is given."""

    def __init__(self, *streams: io.TextIOBase) -> None:
        self._streams = streams

    def write(self, text: str) -> int:
        for stream in self._streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()


@contextmanager
def publishing(name: str) -> Iterator[None]:
    """Print as usual inside the block, then write what it printed, under a line naming
    the command, the date and the machine, to ``docs/benchmarks/<name>.md``.

    Nothing is written when the block raises: a failed run keeps the last published tables.
    """
    printed = io.StringIO()
    with redirect_stdout(_Tee(sys.stdout, printed)):
        yield
    PUBLISHED.mkdir(parents=True, exist_ok=True)
    (PUBLISHED / f"{name}.md").write_text(f"{provenance()}\n\n{printed.getvalue()}")


def provenance() -> str:
    """One Markdown line: the command that runs, the date, and the machine it runs on."""
    main = sys.modules["__main__"]
    spec = getattr(main, "__spec__", None)
    script = f"-m {spec.name}" if spec else Path(sys.argv[0]).name
    command = " ".join(["python", script, *map(shlex.quote, sys.argv[1:])])
    date = datetime.now(tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"*Written by `{command}` on {date}, on {machine()}. Rerunning the command from "
        "the repository root regenerates this file.*"
    )


def machine() -> str:
    """CPU model, cores, memory, GPU (where torch is loaded and sees one), Python, torch."""
    parts = [f"{cpu_model()}, {os.cpu_count()} cores"]
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        parts.append(f"{memory / 2**30:.0f} GiB memory")
    except (ValueError, OSError, AttributeError):
        pass
    torch = sys.modules.get("torch")  # imported by the benchmarks that use a GPU
    if torch is not None and torch.cuda.is_available():
        parts.append(torch.cuda.get_device_name())
    parts.append(f"Python {platform.python_version()}")
    try:
        parts.append(f"torch {metadata.version('torch')}")
    except metadata.PackageNotFoundError:
        pass
    threads = os.environ.get("OMP_NUM_THREADS")
    parts.append(f"OMP_NUM_THREADS={threads}" if threads else "OMP_NUM_THREADS unset")
    return ", ".join(parts)


def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"
