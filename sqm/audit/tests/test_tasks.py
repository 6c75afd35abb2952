"""The nightly chain verification task."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import connection

from sqm import schedule
from sqm.audit.services import audit_append


@pytest.mark.django_db
def test_nightly_verification_reports_intact_and_broken_chains(caplog):
    for n in range(3):
        audit_append(actor=None, action="create", object_type="test.thing", object_id=str(n))
    with caplog.at_level(logging.INFO, logger="sqm.audit"):
        schedule.verify_audit_chain()
    assert "audit chain intact: 3 entries" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = 'x' WHERE seq = 2")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sqm.audit"):
        schedule.verify_audit_chain()
    assert "AUDIT CHAIN BROKEN at entry #2" in caplog.text


def test_verification_runs_daily_at_half_past_two_centre_time():
    from huey.contrib.djhuey import HUEY

    due = [
        moment
        for moment in (dt.datetime(2026, 11, 23, h, m) for h in range(24) for m in range(0, 60, 15))
        if "audit.verify_chain" in {t.name for t in HUEY.read_periodic(moment)}
    ]
    assert due == [dt.datetime(2026, 11, 23, 2, 30)]
