"""GET /healthz: database and task-queue status for load balancers and operators."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from sqm.core import services
from sqm.core.models import WorkerHeartbeat
from sqm.core.tests.procs import child_env, free_port, sqm


@pytest.mark.django_db
def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["task_queue"]["ok"] is True
    assert body["task_queue"]["backend"] in {"sqlite", "redis"}
    assert body["task_queue"]["heartbeat"] is None  # no worker has beaten yet
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_shows_fresh_and_stale_heartbeat(client):
    services.heartbeat_record()
    beat = client.get("/healthz").json()["task_queue"]["heartbeat"]
    assert beat["fresh"] is True and beat["beats"] == 1
    WorkerHeartbeat.objects.filter(name="worker").update(beat_at=timezone.now() - dt.timedelta(hours=1))
    assert client.get("/healthz").json()["task_queue"]["heartbeat"]["fresh"] is False


@pytest.mark.django_db
def test_healthz_needs_no_login_and_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_503_when_database_is_unreachable(tmp_path):
    """A real process whose database server does not exist (nothing listens on the port)."""
    env = child_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nothing", SQM_DATA_DIR=str(tmp_path))
    script = (
        "from django.test import Client; import json; r = Client().get('/healthz'); "
        "print(json.dumps({'status': r.status_code, 'body': json.loads(r.content)}))"
    )
    result = sqm("shell", "-c", script, env=env, timeout=60)
    reply = json.loads(result.stdout.strip().splitlines()[-1])
    assert reply["status"] == 503
    assert reply["body"]["status"] == "unavailable"
    assert reply["body"]["database"]["ok"] is False
