"""The SLA sweep: warnings, breaches and escalations fire once each, to the right people, and the
sweep's work follows the clocks falling due, not the open tickets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sqm.core.roles import Role
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets import services
from sqm.tickets.models import Notification, Risk, SlaEvent, SlaEventKind, Status, TicketClock, TicketType
from sqm.tickets.sla import selectors, sweep
from sqm.tickets.tests.factories import on_shift_agent
from sqm.tickets.tests.sla_fixtures import MONDAY, FrozenTime, at, install_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sla_defaults(db: None) -> None:
    install_defaults()


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenTime:
    return FrozenTime(monkeypatch, at(MONDAY))


@pytest.fixture
def crew():
    lead = UserFactory(role=Role.TEAM_LEAD, email="lead@example.com")
    team = TeamFactory(lead=lead)
    agent = on_shift_agent(team=team, email="agent@example.com")
    manager = UserFactory(role=Role.QUALITY_MANAGER, email="qm@example.com")
    return lead, agent, manager


def _complaint(agent, lead):
    customer = UserFactory(role=Role.CUSTOMER)
    ticket, _ = services.ticket_create(
        actor=customer, customer=customer, type=TicketType.COMPLAINT, subject="账单多扣费", channel="web"
    )
    services.assign_to(actor=lead, ticket=ticket, agent=agent)
    return ticket


def _sweep(now: str, capture) -> sweep.SweepResult:
    with capture(execute=True):
        return sweep.sweep(now=at(now))


def test_warning_breach_and_escalation_each_fire_once_to_the_right_people(
    frozen, crew, django_capture_on_commit_callbacks
):
    lead, agent, manager = crew
    ticket = _complaint(agent, lead)  # 09:00: warn 09:45, due 10:00, escalate 11:00
    assert _sweep("2026-11-23T09:44", django_capture_on_commit_callbacks).events == 0

    result = _sweep("2026-11-23T09:46", django_capture_on_commit_callbacks)
    assert result.events == 1 and result.notifications == 1
    warning = Notification.objects.get()
    assert warning.user == agent and warning.kind == "sla_warned_response" and ticket.number in warning.text
    assert warning.email_status == "sent" and [m.to for m in mail.outbox] == [["agent@example.com"]]
    assert TicketClock.objects.get(ticket=ticket).risk == Risk.WARNING
    assert _sweep("2026-11-23T09:50", django_capture_on_commit_callbacks).events == 0  # nothing twice

    _sweep("2026-11-23T10:01", django_capture_on_commit_callbacks)
    breach = Notification.objects.filter(kind="sla_breached_response")
    assert {n.user for n in breach} == {lead, agent}
    assert SlaEvent.objects.get(ticket=ticket, kind=SlaEventKind.BREACHED).at == at("2026-11-23T10:00")
    assert TicketClock.objects.get(ticket=ticket).risk == Risk.BREACHED

    _sweep("2026-11-23T11:01", django_capture_on_commit_callbacks)
    escalation = Notification.objects.get(kind="sla_escalated_response")
    assert escalation.user == manager
    for _again in range(2):
        _sweep("2026-11-23T11:30", django_capture_on_commit_callbacks)
    kinds = list(SlaEvent.objects.filter(ticket=ticket).exclude(kind="started").values_list("kind", "target"))
    assert sorted(kinds) == [("breached", "response"), ("escalated", "response"), ("warned", "response")]
    assert Notification.objects.count() == 4 and len(mail.outbox) == 4


def test_no_escalation_after_the_agent_replied(frozen, crew, django_capture_on_commit_callbacks):
    lead, agent, manager = crew
    ticket = _complaint(agent, lead)
    _sweep("2026-11-23T10:01", django_capture_on_commit_callbacks)  # breached
    frozen.set("2026-11-23T10:20")
    services.ticket_reply(actor=agent, ticket=ticket, body="非常抱歉，已为您退款。")
    _sweep("2026-11-23T11:30", django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind__startswith="sla_escalated").exists()
    assert not Notification.objects.filter(user=manager).exists()


def test_a_paused_clock_is_not_swept(frozen, crew, django_capture_on_commit_callbacks):
    lead, agent, _manager = crew
    ticket = _complaint(agent, lead)
    frozen.set("2026-11-23T09:30")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.PENDING)
    assert _sweep("2026-11-25T09:00", django_capture_on_commit_callbacks).clocks == 0
    assert not Notification.objects.exists()


def test_a_breach_without_a_team_lead_goes_to_the_quality_managers(frozen, django_capture_on_commit_callbacks):
    manager = UserFactory(role=Role.QUALITY_MANAGER)
    customer = UserFactory(role=Role.CUSTOMER)
    ticket, _ = services.ticket_create(
        actor=customer, customer=customer, type=TicketType.COMPLAINT, subject="无人处理", channel="web"
    )
    _sweep("2026-11-23T10:01", django_capture_on_commit_callbacks)
    assert list(Notification.objects.filter(kind="sla_breached_response").values_list("user", flat=True)) == [
        manager.pk
    ]
    assert selectors.clock_view(ticket, now=at("2026-11-23T10:01"))["risk"] == "breached"


def test_the_sweep_reads_only_the_clocks_falling_due(frozen, crew, django_capture_on_commit_callbacks):
    lead, agent, _manager = crew
    due = [_complaint(agent, lead) for _ in range(3)]  # 09:00: warnings at 09:45
    frozen.set("2026-11-23T09:40")

    def queries_for_sweep() -> tuple[int, list[str]]:
        TicketClock.objects.filter(ticket__in=due).update(response_warned=False, next_check_at=at("2026-11-23T09:45"))
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=False):
            result = sweep.sweep(now=at("2026-11-23T09:46"))
        return result.clocks, [q["sql"] for q in ctx.captured_queries]

    few = queries_for_sweep()
    for _ in range(20):  # open tickets that are not due yet
        _complaint(agent, lead)
    many = queries_for_sweep()
    assert few[0] == many[0] == 3
    assert len(few[1]) == len(many[1])
    claim = next(sql for sql in many[1] if "next_check_at" in sql and sql.lstrip().upper().startswith("SELECT"))
    assert "LIMIT" in claim.upper()
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in claim and "SKIP LOCKED" in claim


def test_mail_left_unsent_by_a_dead_worker_goes_out_later(frozen, crew, django_capture_on_commit_callbacks):
    lead, agent, _manager = crew
    _complaint(agent, lead)
    frozen.set("2026-11-23T09:46")
    with django_capture_on_commit_callbacks(execute=False):  # the worker dies before its on-commit work
        sweep.sweep(now=at("2026-11-23T09:46"))
    note = Notification.objects.get()
    assert note.email_status == "pending" and not mail.outbox
    assert sweep.mail_stragglers(now=at("2026-11-23T09:47")) == 0  # not yet: it may still be on its way
    assert sweep.mail_stragglers(now=at("2026-11-23T09:55")) == 1
    assert sweep.mail_stragglers(now=at("2026-11-23T09:56")) == 0
    assert len(mail.outbox) == 1 and Notification.objects.get().email_status == "sent"


def test_notification_services_only_touch_ones_own(frozen, crew, django_capture_on_commit_callbacks):
    from sqm.core.errors import PermissionDeniedError
    from sqm.tickets.sla import services as sla

    lead, agent, _manager = crew
    _complaint(agent, lead)
    _sweep("2026-11-23T10:01", django_capture_on_commit_callbacks)
    mine = Notification.objects.filter(user=agent).first()
    with pytest.raises(PermissionDeniedError):
        sla.notification_read(actor=lead, notification=mine)
    sla.notification_read(actor=agent, notification=mine)
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert sla.notifications_read_all(actor=lead) == Notification.objects.filter(user=lead).count()
    assert selectors.unread_count(agent) == Notification.objects.filter(user=agent, read_at__isnull=True).count()


def test_warning_fraction_follows_the_policy(frozen, crew):
    from sqm.tickets.models import SlaPolicy

    SlaPolicy.objects.filter(code="complaint").update(warn_fraction=0.5)
    lead, agent, _manager = crew
    ticket = _complaint(agent, lead)
    assert TicketClock.objects.get(ticket=ticket).warn_response_at == at("2026-11-23T09:30")
    assert dt.timedelta(0) < TicketClock.objects.get(ticket=ticket).due_response_at - at("2026-11-23T09:30")


def test_queue_helpers_filter_by_risk_and_sort_by_due(frozen, crew, django_capture_on_commit_callbacks):
    from sqm.tickets.models import Ticket

    lead, agent, _manager = crew
    first = _complaint(agent, lead)  # due 09:00 + 60
    frozen.set("2026-11-23T09:30")
    second = _complaint(agent, lead)  # due 10:30
    customer = UserFactory(role=Role.CUSTOMER)
    without = Ticket.objects.create(
        type="praise",
        channel="web",
        subject="表扬",
        customer=customer,
        created_by=customer,
        created_at=at("2026-11-23T09:00"),
        updated_at=at("2026-11-23T09:00"),
    )
    _sweep("2026-11-23T10:20", django_capture_on_commit_callbacks)  # the second warns at 10:15
    everything = Ticket.objects.all()
    assert list(selectors.with_risk(everything, "breached")) == [first]
    assert list(selectors.with_risk(everything, "warning")) == [second]
    assert set(selectors.with_risk(everything, "on_track")) == {without}
    assert list(selectors.order_by_due(everything, "response")) == [first, second, without]
    events = selectors.clock_events(first)
    assert [e.kind for e in events] == ["started", "warned", "breached"]
