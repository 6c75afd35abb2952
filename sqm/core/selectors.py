"""Reads of the core app: the health of the database and of the task queue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from sqm.core.models import WorkerHeartbeat


def database_status() -> dict[str, Any]:
    """Whether the database answers a query, and which engine it is."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def task_queue_status(*, database_ok: bool = True) -> dict[str, Any]:
    """Whether the queue's storage answers, how much waits in it, and the last worker heartbeat."""
    from huey.contrib.djhuey import HUEY

    backend = "redis" if settings.REDIS_URL else "sqlite"
    status: dict[str, Any] = {"backend": backend}
    try:
        status["pending"] = HUEY.pending_count()
        status["ok"] = True
    except Exception as exc:  # storage down: report it, never raise from a health check
        status["ok"] = False
        status["error"] = exc.__class__.__name__
    status["heartbeat"] = _heartbeat_status() if database_ok else None
    return status


def _heartbeat_status() -> dict[str, Any] | None:
    beat = WorkerHeartbeat.objects.filter(name="worker").first()
    if beat is None:
        return None
    age = (timezone.now() - beat.beat_at).total_seconds()
    return {
        "at": beat.beat_at.isoformat(),
        "age_seconds": round(age, 1),
        "fresh": age <= settings.SQM_HEARTBEAT_STALE_SECONDS,
        "beats": beat.beats,
    }
