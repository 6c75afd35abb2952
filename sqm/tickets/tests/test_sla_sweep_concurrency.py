"""Several sweepers at once, and a sweeper killed with SIGKILL mid-batch then restarted: every
warning, breach and escalation is recorded and notified exactly once. Runs on the suite's
database (SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings

from sqm.core.roles import Role
from sqm.core.tests.procs import ROOT, child_database_url, child_env, wait_for
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import Notification, SlaEvent, TicketClock
from sqm.tickets.sla import services as sla
from sqm.tickets.tests.factories import TicketFactory
from sqm.tickets.tests.sla_fixtures import at, install_defaults

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sla_defaults(db: None) -> None:
    install_defaults()


TICKETS = 60
START = at("2026-11-23T09:00")
NOW = at("2026-11-23T11:30")  # 150 minutes on: some tickets only warned, some breached, some escalated
STEP = 2  # minutes between the tickets' starts
MODULE = "sqm.tickets.tests.sla_sweep_child"


def _world() -> dict[str, int]:
    """Complaints started two minutes apart (respond in 60: warn at 45, due at 60, escalate at 120)."""
    lead = UserFactory(role=Role.TEAM_LEAD, email="lead@example.com")
    team = TeamFactory(lead=lead)
    agent = UserFactory(role=Role.AGENT, team=team, email="agent@example.com")
    UserFactory(role=Role.QUALITY_MANAGER, email="qm@example.com")
    for i in range(TICKETS):
        started = START + dt.timedelta(minutes=STEP * i)
        ticket = TicketFactory(type="complaint", team=team, assignee=agent, created_at=started, updated_at=started)
        assert sla.clock_start(ticket, at=started) is not None
    minutes = (NOW - START) / dt.timedelta(minutes=1)
    expected = {
        kind: sum(1 for i in range(TICKETS) if offset + STEP * i <= minutes)
        for kind, offset in (("warned", 45), ("breached", 60), ("escalated", 120))
    }
    assert 0 < expected["escalated"] < expected["breached"] < expected["warned"] < TICKETS
    return expected


def _child(start, batch: int, delay: float) -> subprocess.Popen[bytes]:
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR))
    args = [sys.executable, "-m", MODULE, str(start), NOW.isoformat(), str(batch), str(delay)]
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _assert_exactly_once(expected: dict[str, int]) -> None:
    events = Counter(SlaEvent.objects.exclude(kind="started").values_list("ticket_id", "kind", "target").order_by())
    assert set(events.values()) == {1}, "no alarm fired twice"
    per_kind = Counter(kind for _ticket, kind, _target in events)
    assert dict(per_kind) == expected, "no alarm was lost"
    # warnings fired in the same pass as their breach are recorded but not announced
    notes = Counter(Notification.objects.values_list("sla_event_id", "user_id").order_by())
    assert set(notes.values()) == {1}
    assert Notification.objects.filter(kind="sla_breached_response").count() == 2 * expected["breached"]
    assert Notification.objects.filter(kind="sla_escalated_response").count() == expected["escalated"]
    assert not TicketClock.objects.filter(next_check_at__lte=NOW).exists(), "every due clock was swept"


def test_two_sweepers_at_once_fire_every_alarm_exactly_once(tmp_path):
    expected = _world()
    start = tmp_path / "go"
    procs = [_child(start, batch=5, delay=0.003) for _ in range(3)]
    start.touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()[-3000:]
    _assert_exactly_once(expected)


def test_a_sweeper_killed_mid_batch_loses_and_doubles_nothing(tmp_path):
    expected = _world()
    total = sum(expected.values())
    start = tmp_path / "go"
    start.touch()
    victim = _child(start, batch=8, delay=0.15)
    # let it commit at least one batch, then kill it while it holds the next one
    wait_for(lambda: SlaEvent.objects.exclude(kind="started").exists() or victim.poll() is not None, timeout=120)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL, "the sweeper was killed before it could finish"
    partial = SlaEvent.objects.exclude(kind="started").count()
    assert 0 < partial < total, "killed in the middle of the sweep"

    again = _child(start, batch=8, delay=0)
    _out, err = again.communicate(timeout=240)
    assert again.returncode == 0, err.decode()[-3000:]
    _assert_exactly_once(expected)
