"""Shared pieces of the SLA tests (not a test module): a controllable clock and the shipped defaults."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """``"2026-11-23T09:00"`` in centre time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class FrozenTime:
    """``timezone.now()`` returns what the test says, everywhere in SQM (services, audit, auto_now)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: dt.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, text: str) -> dt.datetime:
        self.now = at(text)
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now


MONDAY = "2026-11-23T09:00"  # a Monday with no holiday near


def install_defaults() -> None:
    """The shipped calendars and policies, also after a transactional test flushed the migration's rows."""
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults()
