"""``tracking/nesting.py``: the trial a Kedro run belongs to, per context, and a pruned
trial's run marked in a temporary MLflow store."""

from __future__ import annotations

import threading

import pytest

from moons_classifier.tracking.nesting import (
    TrialRun,
    as_trial,
    current_trial,
    mark_pruned,
)


def test_a_trial_run_starts_without_a_run_or_models_of_its_own():
    first, second = TrialRun("parent", {"sweep.trial": "0"}), TrialRun("parent", {})
    assert (first.run_id, first.models) == (None, {})
    first.models["mlp"] = {"scaler": "scaler.json"}
    assert second.models == {}, "each trial notes its own models"


def test_the_current_trial_is_the_innermost_and_restored_on_the_way_out():
    outer, inner = TrialRun("sweep", {"n": "0"}), TrialRun("sweep", {"n": "1"})
    assert current_trial() is None
    with as_trial(outer) as entered:
        assert entered is outer
        assert current_trial() is outer
        with pytest.raises(RuntimeError), as_trial(inner):
            assert current_trial() is inner
            raise RuntimeError("the trial's session failed")
        assert current_trial() is outer
    assert current_trial() is None


def test_each_thread_of_a_worker_tracks_its_own_trial():
    trials = [TrialRun("sweep", {"sweep.trial": str(n)}) for n in range(2)]
    both_inside = threading.Barrier(2, timeout=30)
    seen: dict[int, TrialRun | None] = {}

    def run(number: int) -> None:
        with as_trial(trials[number]):
            both_inside.wait()
            seen[number] = current_trial()
            both_inside.wait()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    with as_trial(TrialRun("another sweep", {})):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert seen == {0: trials[0], 1: trials[1]}


def test_a_pruned_trials_run_alone_is_marked_and_a_trial_without_a_run_marks_none(
    store,
):
    client = store.client
    sweep = client.create_run(store.experiment_id, run_name="sweep")
    pruned, other = (
        client.create_run(
            store.experiment_id, tags={"mlflow.parentRunId": sweep.info.run_id}
        )
        for _ in range(2)
    )
    trial = TrialRun(sweep.info.run_id, {}, run_id=pruned.info.run_id)
    mark_pruned(trial, 4)
    mark_pruned(TrialRun(sweep.info.run_id, {}), 2)  # its run never started
    marked = client.get_run(pruned.info.run_id)
    assert marked.info.status == "KILLED"
    assert marked.info.end_time is not None
    assert {k: v for k, v in marked.data.tags.items() if k.startswith("sweep.")} == {
        "sweep.state": "PRUNED",
        "sweep.epoch": "4",
    }
    for untouched in (sweep, other):
        run = client.get_run(untouched.info.run_id)
        assert run.info.status == "RUNNING"
        assert not any(key.startswith("sweep.") for key in run.data.tags)
