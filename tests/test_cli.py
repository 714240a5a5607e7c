"""The project's commands, piece by piece: SIGTERM as Ctrl-C, short refusals, the exit's
last collection skipped, and options refused before anything runs (runs are in e2e/)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner
from kedro.framework.cli.project import run as kedro_run
from kedro.io import DatasetError
from kedro.validation.exceptions import ParameterValidationError

from moons_classifier.cli import (
    Stopped,
    cli,
    run,
    sigterm_as_interrupt,
    stopped_or_refused,
)
from moons_classifier.runs import RunLockedError
from moons_classifier.tracking.config import RUN_PIPELINES


def python(script: str) -> list[str]:
    """The lines ``script`` prints, run by a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.splitlines()


@pytest.fixture
def previous_sigterm():
    """A handler of SIGTERM installed before the test; the original one put back after."""

    def handler(signum, frame):
        raise AssertionError("the previous SIGTERM handler was called")

    original = signal.signal(signal.SIGTERM, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, original)


def test_sigterm_stops_the_body_as_ctrl_c_and_the_handler_is_restored(
    previous_sigterm,
):
    assert issubclass(Stopped, KeyboardInterrupt)
    with pytest.raises(Stopped, match="SIGTERM"):
        with sigterm_as_interrupt():
            signal.raise_signal(signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is previous_sigterm
    with pytest.raises(ZeroDivisionError), sigterm_as_interrupt():
        1 / 0
    assert signal.getsignal(signal.SIGTERM) is previous_sigterm


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad value"),
        DatasetError("bad value"),
        ParameterValidationError("bad value"),
        RunLockedError("bad value"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_refusal_is_its_message_and_the_hint_unless_traceback(error):
    with pytest.raises(click.ClickException) as refused:
        with stopped_or_refused("stopped", hint=" (hint)"):
            raise error
    assert refused.value.message == "bad value (hint)"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    with pytest.raises(type(error)), stopped_or_refused("stopped", traceback=True):
        raise error


def test_a_bug_keeps_its_traceback_and_a_stop_says_so(previous_sigterm):
    with pytest.raises(KeyError), stopped_or_refused("stopped", hint=" (hint)"):
        raise KeyError("a bug")
    with pytest.raises(click.ClickException) as stopped:
        with stopped_or_refused("nothing was written."):
            signal.raise_signal(signal.SIGTERM)
    assert stopped.value.message == "Stopped by SIGTERM: nothing was written."
    assert signal.getsignal(signal.SIGTERM) is previous_sigterm


def test_skip_last_collection_freezes_the_heap_first_at_exit():
    assert python(
        """
        import atexit, gc
        from moons_classifier.cli import skip_last_collection
        atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
        print("frozen before:", gc.get_freeze_count() > 0)
        skip_last_collection()
        """
    ) == ["frozen before: False", "frozen at exit: True"]


def test_torch_is_imported_before_a_parallel_runner_forks():
    assert python(
        """
        import sys
        from moons_classifier.cli import import_torch_before_forking
        for runner in (None, "SequentialRunner", "ThreadRunner", "ParallelRunner"):
            import_torch_before_forking(runner)
            print(runner, "torch" in sys.modules)
        """
    ) == [
        "None False",
        "SequentialRunner False",
        "ThreadRunner False",
        "ParallelRunner True",
    ]


@pytest.mark.parametrize(
    ("args", "pipelines"),
    [
        ([], ["__default__"]),
        (["--pipelines", "training,evaluation"], ["training", "evaluation"]),
        (["--pipeline", "inference"], ["inference"]),  # Kedro's deprecated option
    ],
)
def test_a_run_names_its_pipelines_while_kedro_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args, pipelines
):
    seen = []
    monkeypatch.setattr(
        kedro_run, "callback", lambda **options: seen.append(RUN_PIPELINES.get())
    )
    result = CliRunner().invoke(
        cli, ["run", *args], obj=SimpleNamespace(project_path=tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert [sorted(names) for names in seen] == [sorted(pipelines)]
    assert RUN_PIPELINES.get() is None


def test_run_has_kedros_options_and_traceback():
    names = [option.name for option in run.params]
    assert names == [*(option.name for option in kedro_run.params), "traceback"]


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (["run", "--load-versions", "model"], "Expected the form of 'load_versions'"),
        (["sweep", "--study", "../up"], "'../up' must match"),
        (["sweep", "--study", ".hidden"], "'.hidden' must match"),
        (["sweep", "--trials", "0"], "Invalid value for '--trials'"),
        (["sweep", "--workers", "0"], "Invalid value for '--workers'"),
        (["sweep", "--isolation", "thread"], "Invalid value for '--isolation'"),
        (["sweep", "--params", "training.lr"], "must contain a key and a value"),
        (["sweep", "dashboard", "--port", "70000"], "Invalid value for '--port'"),
        (["sweep", "dashboard", "--study", "a/b"], "'a/b' must match"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(tmp_path: Path, args, refused):
    result = CliRunner().invoke(cli, args, obj=SimpleNamespace(project_path=tmp_path))
    assert result.exit_code == 2, result.output  # noqa: PLR2004
    assert refused in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_dashboard_of_a_study_that_is_not_there_is_refused(tmp_path: Path):
    pytest.importorskip("optuna_dashboard")
    result = CliRunner().invoke(
        cli,
        ["sweep", "dashboard", "--study", "missing"],
        obj=SimpleNamespace(project_path=tmp_path),
    )
    assert result.exit_code == 1, result.output
    assert "no study missing in data/09_sweeps/; run kedro sweep --study missing" in (
        result.output
    )
    assert list(tmp_path.iterdir()) == []
