"""``sqm kpis rebuild`` from the command line gives exactly the rollups the incremental refresh
kept; the refresh's cursors pick up each later change once; ``sqm kpis show`` prints a KPI table;
who may rebuild, and the audit entry a rebuild leaves."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from sqm.audit.models import AuditEntry
from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Role
from sqm.core.tests.procs import child_database_url, child_env, sqm
from sqm.feedback.models import Rating
from sqm.kpis.models import KpiCursor, KpiFact, KpiRollup
from sqm.kpis.services.rollups import refresh_changed, rollups_rebuild
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import SlaEvent, SlaPolicy, Ticket, TicketClock, TicketEvent, TicketMessage, WorkCalendar
from sqm.tickets.tests.sla_fixtures import install_defaults

SH = ZoneInfo("Asia/Shanghai")
JUNE = dt.date(2026, 6, 1)


def cells() -> dict[tuple, tuple[int, int]]:
    return {
        (g, p, d, k, m): (n, e)
        for g, p, d, k, m, n, e in KpiRollup.objects.values_list(
            "grain", "period_start", "dimension", "key", "metric", "num", "den"
        )
        if n or e
    }


def centre(metric: str) -> tuple[int, int]:
    return cells().get(("month", JUNE, "centre", "", metric), (0, 0))


class Centre:
    def __init__(self) -> None:
        self.team = TeamFactory(name="宽带一组")
        self.agent = UserFactory(role=Role.AGENT, team=self.team, display_name="王芳")
        self.customer = UserFactory(role=Role.CUSTOMER)

    def ticket(self, n: int, **fields) -> Ticket:
        created = dt.datetime(2026, 6, 1, 9, tzinfo=SH) + dt.timedelta(days=n % 20, hours=n % 7)
        ticket = Ticket.objects.create(
            type=fields.pop("type", "complaint" if n % 4 == 0 else "consultation"),
            channel="phone" if n % 3 else "web",
            subject="宽带",
            customer=self.customer,
            created_by=self.customer,
            created_at=created,
            updated_at=dt.datetime.now(dt.UTC),
            team=self.team,
            assignee=self.agent,
            status="resolved" if n % 2 else "open",
            first_response_at=created + dt.timedelta(minutes=10 + n),
            resolved_at=created + dt.timedelta(hours=5 + n) if n % 2 else None,
            **fields,
        )
        TicketMessage.objects.create(ticket=ticket, kind="customer", body="问", created_at=created)
        TicketMessage.objects.create(
            ticket=ticket,
            kind="reply",
            author=self.agent,
            body="答",
            created_at=ticket.first_response_at,
        )
        TicketEvent.objects.create(ticket=ticket, kind="assigned", at=created, data={"assignee": self.agent.pk})
        if ticket.resolved_at:
            TicketEvent.objects.create(
                ticket=ticket, kind="status", at=ticket.resolved_at, data={"before": "open", "after": "resolved"}
            )
        return ticket

    def rating(self, ticket: Ticket, score: int, recommend: int | None) -> Rating:
        now = dt.datetime.now(dt.UTC)
        return Rating.objects.create(
            ticket=ticket,
            agent=self.agent,
            team=self.team,
            source="ticket_link",
            score=score,
            recommend=recommend,
            created_at=ticket.created_at + dt.timedelta(days=1),
            updated_at=now,
        )


@pytest.mark.django_db(transaction=True)
def test_rebuild_from_the_command_line_equals_the_incremental_rollups():
    place = Centre()
    tickets = [place.ticket(n) for n in range(30)]
    for n, ticket in enumerate(tickets[:12]):
        place.rating(ticket, 1 + n % 5, n % 11)
    refresh_changed()
    incremental = cells()
    facts = KpiFact.objects.count()
    assert centre("volume") == (30, 0) and centre("csat") == (4, 12)  # scores 4 and 5: n = 3, 4, 8, 9

    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR), SQM_LANGUAGE="en")
    done = sqm("kpis", "rebuild", env=env)
    assert done.returncode == 0, done.stderr
    assert f"{facts:,} facts from 30 tickets and 12 ratings" in done.stdout
    assert "100%" in done.stdout  # the progress lines
    assert cells() == incremental
    assert KpiFact.objects.count() == facts

    shown = sqm("kpis", "show", "--metric", "volume", "--grain", "month", "--dimension", "team", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "2026-06" in shown.stdout and "宽带一组" in shown.stdout and " 30" in shown.stdout


@pytest.mark.django_db
def test_refresh_picks_up_each_change_once():
    install_defaults()
    place = Centre()
    tickets = [place.ticket(n) for n in range(4)]
    first = refresh_changed()
    assert first["tickets"] == {"read": 4, "refreshed": 4, "changed": 4}
    assert refresh_changed()["tickets"]["refreshed"] == 0, "nothing twice"

    # A ticket changes after the run: the next run refreshes that one ticket, once.
    Ticket.objects.filter(pk=tickets[1].pk).update(type="complaint", updated_at=dt.datetime.now(dt.UTC))
    before = centre("complaints")
    picked = refresh_changed()
    assert (picked["tickets"]["refreshed"], picked["tickets"]["changed"]) == (1, 1)
    assert centre("complaints") == (before[0] + 1, 0)
    assert refresh_changed()["tickets"]["refreshed"] == 0

    # A rating given, then changed: each picked up once.
    rating = place.rating(tickets[1], 2, 3)
    assert refresh_changed()["ratings"]["refreshed"] == 1
    assert centre("csat") == (0, 1)
    Rating.objects.filter(pk=rating.pk).update(score=5, updated_at=dt.datetime.now(dt.UTC))
    assert refresh_changed()["ratings"] == {"read": 1, "refreshed": 1, "changed": 1}
    assert centre("csat") == (1, 1)
    assert refresh_changed()["ratings"]["refreshed"] == 0

    # The SLA sweep records a breach without touching the ticket: the SLA event stream brings it.
    ticket = tickets[2]
    clock = TicketClock.objects.create(
        ticket=ticket,
        policy=SlaPolicy.objects.order_by("pk").first(),
        calendar=WorkCalendar.objects.get(is_default=True),
        response_minutes=30,
        resolution_minutes=600,
        started_at=ticket.created_at,
        base_at=ticket.created_at,
        spent_before=dt.timedelta(0),
        paused_business=dt.timedelta(0),
        response_breached=True,
        updated_at=ticket.created_at,
    )
    SlaEvent.objects.create(
        ticket=ticket,
        kind="breached",
        target="response",
        at=ticket.created_at + dt.timedelta(minutes=30),
        recorded_at=dt.datetime.now(dt.UTC),
    )
    swept = refresh_changed()
    assert swept["sla_events"]["refreshed"] == 1 and swept["tickets"]["refreshed"] == 0
    assert centre("sla_response") == (0, 1)
    assert clock.pk
    assert refresh_changed()["sla_events"]["refreshed"] == 0
    assert set(KpiCursor.objects.values_list("name", flat=True)) == {"tickets", "ratings", "sla_events"}

    incremental = cells()
    rollups_rebuild()
    assert cells() == incremental


@pytest.mark.django_db
def test_show_prints_a_table_per_slice():
    place = Centre()
    for n in range(5):
        place.ticket(n)
    rollups_rebuild()
    out = StringIO()
    with translation.override("en"):
        call_command("kpis", "show", "--metric", "fcr", "--grain", "month", "--dimension", "agent", stdout=out)
    text = out.getvalue()
    assert "王芳" in text and "2026-06" in text
    assert "100.0" in text  # 3 resolved tickets, each with one answer
    out = StringIO()
    with translation.override("en"):
        call_command("kpis", "show", "--metric", "csat", "--grain", "week", "--until", "2026-06-30", stdout=out)
    rows = out.getvalue().splitlines()[3:]
    assert len(rows) == 6 and all(row.split()[-3] == "—" for row in rows)  # no ratings: no value, 0 of 0
    with pytest.raises(CommandError):
        call_command("kpis", "rebuild", "--chunk", "0")


@pytest.mark.django_db
def test_only_administrators_rebuild_and_a_rebuild_is_audited(users_by_role):
    with pytest.raises(PermissionDeniedError):
        rollups_rebuild(actor=users_by_role[Role.QUALITY_MANAGER])
    result = rollups_rebuild(actor=users_by_role[Role.ADMIN])
    entry = AuditEntry.objects.filter(action="rebuild", object_type="kpis.kpirollup").latest("seq")
    assert entry.actor_id == users_by_role[Role.ADMIN].pk
    assert entry.changes["cells"] == result.cells


@pytest.mark.django_db
def test_the_periodic_task_runs_one_refresh_at_a_time_and_a_dead_runs_lease_expires(monkeypatch):
    from django.utils import timezone

    from sqm.kpis import tasks
    from sqm.kpis.services.rollups import LEASE, refresh_lease_release, refresh_lease_take

    place = Centre()
    place.ticket(1)
    assert refresh_lease_take()  # another worker's run is busy
    assert tasks.refresh_changed() == {}
    assert centre("volume") == (0, 0)
    later = timezone.now() + dt.timedelta(minutes=11)  # that worker died: its lease runs out
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert tasks.refresh_changed()["tickets"]["refreshed"] == 1
    assert centre("volume") == (1, 0)
    assert KpiCursor.objects.get(name=LEASE).position is None, "released after the run"
    assert refresh_lease_take() and not refresh_lease_take()
    refresh_lease_release()
