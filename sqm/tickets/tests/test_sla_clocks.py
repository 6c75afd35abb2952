"""SLA clocks through the ticket services: start, pause, resume, response and resolution met,
reopening, and recomputing for a new priority, type, team or calendar without losing time."""

from __future__ import annotations

import datetime as dt

import pytest

from sqm.core.errors import DomainError
from sqm.core.roles import Role
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets import services
from sqm.tickets.models import (
    Risk,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    Status,
    Ticket,
    TicketClock,
    TicketType,
    WorkCalendar,
)
from sqm.tickets.sla import calendars, selectors
from sqm.tickets.sla import services as sla
from sqm.tickets.sla.defaults import ALWAYS_OPEN_CALENDAR, CENTRE_CALENDAR
from sqm.tickets.tests.factories import on_shift_agent
from sqm.tickets.tests.sla_fixtures import MONDAY, FrozenTime, at, install_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sla_defaults(db: None) -> None:
    install_defaults()


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenTime:
    return FrozenTime(monkeypatch, at(MONDAY))


MIN = dt.timedelta(minutes=1)


def _customer():
    return UserFactory(role=Role.CUSTOMER, email="kehu@example.com")


def _ticket(type: str = TicketType.CONSULTATION, priority: str = "normal") -> Ticket:
    customer = _customer()
    ticket, _created = services.ticket_create(
        actor=customer, customer=customer, type=type, subject="宽带断网", channel="web", priority=priority
    )
    return ticket


def _clock(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.select_related("policy", "calendar").get(ticket=ticket)


def _kinds(ticket: Ticket) -> list[tuple[str, str]]:
    return list(SlaEvent.objects.filter(ticket=ticket).order_by("at", "id").values_list("kind", "target"))


def _agent():
    return on_shift_agent(team=TeamFactory())


# --- policies and the start -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type", "priority", "code", "response", "resolution"),
    [
        ("complaint", "normal", "complaint", 60, 24 * 60),
        ("complaint", "urgent", "complaint-urgent", 30, 8 * 60),
        ("consultation", "normal", "service", 30, 27 * 60),
        ("fault", "urgent", "service-urgent", 15, 9 * 60),
    ],
)
def test_the_most_specific_default_policy_applies(frozen, type, priority, code, response, resolution):
    ticket = _ticket(type, priority)
    clock = _clock(ticket)
    assert (clock.policy.code, clock.response_minutes, clock.resolution_minutes) == (code, response, resolution)
    assert clock.calendar.name == CENTRE_CALENDAR


def test_clock_starts_with_the_ticket_and_due_times_follow_the_2026_holidays(frozen):
    frozen.set("2026-09-30T17:30")  # the National Day week follows
    ticket = _ticket(TicketType.COMPLAINT)
    clock = _clock(ticket)
    assert clock.started_at == at("2026-09-30T17:30")
    assert clock.due_response_at == at("2026-10-08T09:30")
    assert clock.warn_response_at == at("2026-10-08T09:15")  # 75 % of 60 minutes
    # 24 business hours: 30 min on 30 Sep, 9 h on 8 and 9 Oct, the rest on Saturday 10 Oct (a make-up day)
    assert clock.due_resolution_at == at("2026-10-10T14:30")
    ticket.refresh_from_db()
    assert (ticket.due_response_at, ticket.due_resolution_at) == (clock.due_response_at, clock.due_resolution_at)
    started = SlaEvent.objects.get(ticket=ticket)
    assert started.kind == SlaEventKind.STARTED and started.policy_id == clock.policy_id
    assert started.ticket_type == "complaint" and started.data["calendar"] == CENTRE_CALENDAR


def test_a_ticket_without_a_matching_policy_has_no_clock(frozen):
    SlaPolicy.objects.all().update(status="superseded")
    ticket = _ticket()
    assert not TicketClock.objects.filter(ticket=ticket).exists()
    assert selectors.clock_view(ticket) == {"has_clock": False}


# --- pause and resume -------------------------------------------------------------------------------


def test_waiting_on_the_customer_pauses_and_their_reply_resumes(frozen):
    ticket = _ticket(TicketType.COMPLAINT)  # 09:00, respond by 10:00
    agent = _agent()
    frozen.set("2026-11-23T09:20")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.PENDING)
    clock = _clock(ticket)
    assert clock.paused_since == at("2026-11-23T09:20") and clock.next_check_at is None
    view = selectors.clock_view(ticket, now=at("2026-11-23T10:30"))
    assert view["paused"] and view["response"]["state"] == "paused"
    assert view["response"]["business_left"] == dt.timedelta(minutes=40)  # frozen while paused

    frozen.set("2026-11-23T11:00")
    services.ticket_customer_reply(actor=ticket.customer, ticket=ticket, body="我已重启路由器")
    clock = _clock(ticket)
    assert clock.paused_since is None and clock.paused_business == dt.timedelta(minutes=100)
    assert clock.due_response_at == at("2026-11-23T11:40")  # 60 minutes of active time: 20 before, 40 after
    assert _kinds(ticket) == [("started", ""), ("paused", ""), ("resumed", "")]
    ticket.refresh_from_db()
    assert ticket.due_response_at == at("2026-11-23T11:40")


def test_a_pause_over_a_holiday_only_costs_the_business_time_it_spans(frozen):
    frozen.set("2026-09-30T09:00")
    ticket = _ticket(TicketType.COMPLAINT)
    agent = _agent()
    frozen.set("2026-09-30T09:30")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.PENDING)
    frozen.set("2026-10-08T10:00")  # the whole National Day holiday passes
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.OPEN)
    clock = _clock(ticket)
    assert clock.paused_business == dt.timedelta(hours=8, minutes=30) + dt.timedelta(hours=1)
    assert clock.due_response_at == at("2026-10-08T10:30")


# --- response and resolution ------------------------------------------------------------------------


def test_first_reply_meets_the_response_target_on_time(frozen):
    ticket = _ticket(TicketType.COMPLAINT)
    agent = _agent()
    frozen.set("2026-11-23T09:40")
    services.ticket_reply(actor=agent, ticket=ticket, body="您好，我们正在处理。")
    clock = _clock(ticket)
    assert clock.response_met_at == at("2026-11-23T09:40")
    met = SlaEvent.objects.get(ticket=ticket, kind=SlaEventKind.MET)
    assert met.target == "response" and met.on_time is True and met.agent_id == agent.pk
    assert clock.next_check_at == clock.warn_resolution_at  # only the resolution alarms remain
    frozen.set("2026-11-23T10:10")
    services.ticket_reply(actor=agent, ticket=ticket, body="补充说明")  # a second reply changes nothing
    assert SlaEvent.objects.filter(ticket=ticket, kind=SlaEventKind.MET).count() == 1


def test_a_late_reply_records_the_missed_alarms_without_notifying_anyone(frozen):
    ticket = _ticket(TicketType.COMPLAINT)
    agent = _agent()
    frozen.set("2026-11-23T10:05")  # due 10:00; the sweep has not run yet
    services.ticket_reply(actor=agent, ticket=ticket, body="抱歉久等")
    events = {(e.kind, e.target): e for e in SlaEvent.objects.filter(ticket=ticket)}
    assert events["breached", "response"].at == at("2026-11-23T10:00")
    assert events["warned", "response"].at == at("2026-11-23T09:45")
    assert events["met", "response"].on_time is False
    from sqm.tickets.models import Notification

    assert not Notification.objects.exists()
    assert _clock(ticket).risk == Risk.ON_TRACK  # what is left open (resolution) is on track


def test_reply_that_waits_for_the_customer_meets_and_pauses(frozen):
    ticket = _ticket()
    agent = _agent()
    frozen.set("2026-11-23T09:10")
    services.ticket_reply(actor=agent, ticket=ticket, body="请提供账号", wait_for_customer=True)
    clock = _clock(ticket)
    assert clock.response_met_at == at("2026-11-23T09:10") and clock.paused_since == at("2026-11-23T09:10")
    assert _kinds(ticket) == [("started", ""), ("met", "response"), ("paused", "")]


def _resolve(ticket: Ticket, agent) -> None:
    """Tick every control point and complete every step before resolution, then resolve."""
    from sqm.tickets.models import ProcessStep

    ticket.refresh_from_db()
    for step in ProcessStep.objects.filter(definition__ticket_type=ticket.type, before_resolution=True, is_active=True):
        for point in step.control_points.all():
            services.control_point_tick(actor=agent, ticket=ticket, control_point=point)
        ticket.refresh_from_db()
        if ticket.current_step_id == step.pk:
            services.step_complete(actor=agent, ticket=ticket)
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.RESOLVED)


def test_resolution_meets_both_targets_and_reopening_resumes_without_counting_the_gap(frozen):
    ticket = _ticket()
    agent = _agent()
    services.assign_to(actor=UserFactory(role=Role.TEAM_LEAD), ticket=ticket, agent=agent)
    frozen.set("2026-11-23T10:00")
    _resolve(ticket, agent)
    clock = _clock(ticket)
    assert clock.response_met_at == clock.resolution_met_at == at("2026-11-23T10:00")
    assert clock.next_check_at is None and clock.pause_reason == "resolved"
    assert selectors.clock_view(ticket)["stopped"]
    due_before = clock.due_resolution_at  # 09:00 + 27 h of business time: three working days
    assert due_before == at("2026-11-25T18:00")

    frozen.set("2026-11-23T14:00")
    services.ticket_reopen(actor=ticket.customer, ticket=ticket, reason="问题又出现了")
    clock = _clock(ticket)
    assert clock.resolution_met_at is None and clock.response_met_at is not None
    assert clock.due_resolution_at == at("2026-11-26T13:00")  # the 4 hours while resolved do not count
    assert clock.next_check_at is not None
    kinds = _kinds(ticket)
    assert kinds[-1] == ("resumed", "resolution")
    assert ("met", "resolution") in kinds and ("met", "response") in kinds


# --- recomputing ------------------------------------------------------------------------------------


def test_changing_type_keeps_business_time_already_spent_and_paused(frozen):
    ticket = _ticket()  # consultation: respond in 30
    agent = _agent()
    frozen.set("2026-11-23T09:10")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.PENDING)
    frozen.set("2026-11-23T10:10")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.OPEN)
    frozen.set("2026-11-23T10:20")  # 20 minutes spent, 60 paused
    services.ticket_update(actor=agent, ticket=ticket, type=TicketType.COMPLAINT)
    clock = _clock(ticket)
    assert clock.policy.code == "complaint" and clock.response_minutes == 60
    assert clock.paused_business == dt.timedelta(minutes=60)
    # due = calendar.add(started_at, target + paused): 40 minutes are left at 10:20
    assert clock.due_response_at == at("2026-11-23T11:00")
    business = calendars.business_calendar(clock.calendar)
    assert clock.due_response_at == business.add(clock.started_at, dt.timedelta(minutes=60) + clock.paused_business)
    recomputed = SlaEvent.objects.get(ticket=ticket, kind=SlaEventKind.RECOMPUTED)
    assert recomputed.data["before"]["response_minutes"] == 30 and recomputed.data["after"]["response_minutes"] == 60
    ticket.refresh_from_db()
    assert ticket.due_response_at == at("2026-11-23T11:00")


def test_a_tighter_priority_that_is_already_overdue_breaches_at_its_real_time(frozen):
    ticket = _ticket()  # consultation: respond in 30, warn at 22.5
    agent = _agent()
    frozen.set("2026-11-23T09:20")
    services.ticket_update(actor=agent, ticket=ticket, priority="urgent")  # service-urgent: respond in 15
    clock = _clock(ticket)
    assert clock.response_breached and clock.due_response_at == at("2026-11-23T09:15")
    breached = SlaEvent.objects.get(ticket=ticket, kind=SlaEventKind.BREACHED, target="response")
    assert breached.at == at("2026-11-23T09:15")
    assert clock.risk == Risk.BREACHED


def test_relaxing_a_target_re_arms_an_alarm_that_has_not_been_reached_again(frozen):
    ticket = _ticket(TicketType.COMPLAINT, "urgent")  # respond in 30: warn 09:22:30, due 09:30
    agent = _agent()
    frozen.set("2026-11-23T09:25")
    services.ticket_update(actor=agent, ticket=ticket, priority="normal")  # the warning fires first …
    clock = _clock(ticket)
    assert clock.response_minutes == 60
    assert not clock.response_warned  # … and is re-armed at 45 of 60 minutes
    assert clock.warn_response_at == at("2026-11-23T09:45") and clock.due_response_at == at("2026-11-23T10:00")
    assert SlaEvent.objects.filter(ticket=ticket, kind=SlaEventKind.WARNED).count() == 1


def test_a_team_with_its_own_calendar_carries_the_spent_time_over(frozen, admin_user):
    frozen.set("2026-11-23T17:00")
    night = TeamFactory()
    always = WorkCalendar.objects.get(name=ALWAYS_OPEN_CALENDAR)
    calendars.team_calendar_set(actor=admin_user, team=night, calendar=always)
    ticket = _ticket(TicketType.COMPLAINT)  # centre calendar, respond by 18:00
    agent = on_shift_agent(team=night)
    frozen.set("2026-11-23T17:40")  # 40 business minutes spent on the centre calendar
    services.assign_to(actor=UserFactory(role=Role.TEAM_LEAD), ticket=ticket, agent=agent)
    clock = _clock(ticket)
    assert clock.calendar == always
    assert clock.spent_before == dt.timedelta(minutes=40) and clock.base_at == at("2026-11-23T17:40")
    assert clock.due_response_at == at("2026-11-23T18:00")  # 20 minutes left, now counted around the clock
    assert clock.due_resolution_at == at("2026-11-24T17:00")  # 24 h − 40 min on a 24×7 calendar


def test_editing_the_calendar_re_times_open_clocks(frozen, admin_user, django_capture_on_commit_callbacks):
    frozen.set("2026-12-30T17:30")
    ticket = _ticket(TicketType.COMPLAINT)
    centre = WorkCalendar.objects.get(name=CENTRE_CALENDAR)
    assert _clock(ticket).due_response_at == at("2026-12-31T09:30")
    with django_capture_on_commit_callbacks(execute=True):
        calendars.calendar_day_set(
            actor=admin_user, calendar=centre, date=dt.date(2026, 12, 31), kind="holiday", name="测试"
        )
    assert _clock(ticket).due_response_at == at("2027-01-01T09:30")
    assert SlaEvent.objects.filter(ticket=ticket, kind=SlaEventKind.RECOMPUTED, data__reason="calendar").exists()


def test_set_policy_by_hand_pins_it(frozen, users_by_role):
    ticket = _ticket()
    lead = users_by_role[Role.TEAM_LEAD]
    complaint = SlaPolicy.objects.get(code="complaint")
    with pytest.raises(DomainError):
        sla.clock_set_policy(actor=users_by_role[Role.AGENT], ticket=ticket, policy=complaint)
    sla.clock_set_policy(actor=lead, ticket=ticket, policy=complaint)
    services.ticket_update(actor=lead, ticket=ticket, priority="urgent")
    clock = _clock(ticket)
    assert clock.policy == complaint and clock.policy_pinned


# --- the countdown ------------------------------------------------------------------------------------


def test_clock_view_counts_business_time_left_and_risk(frozen):
    ticket = _ticket(TicketType.COMPLAINT)
    view = selectors.clock_view(ticket, now=at("2026-11-23T09:50"))
    assert view["has_clock"] and view["risk"] == "warning"
    assert view["response"]["business_left"] == dt.timedelta(minutes=10)
    assert view["response"]["due_at"] == at("2026-11-23T10:00")
    assert view["resolution"]["risk"] == "on_track"
    overdue = selectors.clock_view(ticket, now=at("2026-11-23T10:30"))
    assert overdue["risk"] == "breached" and overdue["response"]["business_left"] == -30 * MIN
    evening = selectors.clock_view(ticket, now=at("2026-11-23T20:00"))
    assert evening["resolution"]["business_spent"] == dt.timedelta(hours=9)  # counts only working hours


def test_resolving_a_waiting_ticket_fires_no_alarm_the_pause_held_back(frozen):
    ticket = _ticket(TicketType.COMPLAINT)  # respond by 10:00
    agent = _agent()
    frozen.set("2026-11-23T09:20")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.PENDING)
    frozen.set("2026-11-23T15:00")
    _resolve(ticket, agent)
    kinds = _kinds(ticket)
    assert ("warned", "response") not in kinds and ("breached", "response") not in kinds
    met = SlaEvent.objects.get(ticket=ticket, kind=SlaEventKind.MET, target="response")
    assert met.on_time is True  # 20 of 60 minutes were used; the wait does not count
