"""The task queue: a real worker process consumes tasks; the heartbeat is scheduled every minute."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from django.conf import settings

from sqm import schedule
from sqm.core.models import WorkerHeartbeat
from sqm.core.tests.procs import child_database_url, child_env, start, stop, wait_for


def test_heartbeat_is_scheduled_every_minute():
    from huey.contrib.djhuey import HUEY

    moments = [dt.datetime(2026, 11, 23, 9, m) for m in range(0, 60, 7)]
    for moment in moments:
        due = {task.name for task in HUEY.read_periodic(moment)}
        assert "core.heartbeat" in due


@pytest.mark.django_db
def test_heartbeat_task_records_a_beat_each_run():
    schedule.heartbeat()  # immediate mode in tests: runs inline
    schedule.heartbeat()
    assert WorkerHeartbeat.objects.get(name="worker").beats == 2


@pytest.mark.django_db(transaction=True)
def test_worker_process_runs_queued_heartbeat(huey_live, tmp_path):
    """`sqm worker` in its own process picks the task up from the embedded SQLite queue."""
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR))
    worker = start(
        [sys.executable, "-m", "sqm", "worker", "--workers", "1", "--no-periodic"], env, tmp_path / "worker.log"
    )
    try:
        schedule.heartbeat()  # enqueues: the test process does not run it
        beat = wait_for(lambda: WorkerHeartbeat.objects.filter(name="worker").first(), timeout=45)
        assert beat.beats == 1
    finally:
        stop(worker)
    assert "Traceback" not in (tmp_path / "worker.log").read_text()


@pytest.mark.django_db(transaction=True)
def test_worker_beats_by_itself_on_schedule(huey_live, tmp_path):
    """With periodic tasks on (the default), a worker records heartbeats with nothing enqueued."""
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR))
    worker = start([sys.executable, "-m", "sqm", "worker"], env, tmp_path / "worker.log")
    try:
        assert wait_for(lambda: WorkerHeartbeat.objects.filter(name="worker").exists(), timeout=75)
    finally:
        stop(worker)
