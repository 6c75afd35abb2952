"""Writes of the core app."""

from __future__ import annotations

import socket

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sqm.core.models import WorkerHeartbeat


def heartbeat_record(*, name: str = "worker") -> WorkerHeartbeat:
    """Record that a worker is alive now. Idempotent: a beat only moves the time forward."""
    now = timezone.now()
    with transaction.atomic():
        updated = WorkerHeartbeat.objects.filter(name=name).update(
            beat_at=now, beats=F("beats") + 1, hostname=socket.gethostname()
        )
        if not updated:
            WorkerHeartbeat.objects.create(name=name, beat_at=now, beats=1, hostname=socket.gethostname())
    return WorkerHeartbeat.objects.get(name=name)
