"""Reads of SLA clocks, calendars, policies and notifications.

:func:`clock_view` is what the ticket page shows as its countdown; :func:`with_risk` and
:func:`order_by_due` are for queues (the risk there is the one the sweep and services keep on
the clock, at most one sweep interval behind; :func:`clock_view` works it out live).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.org.models import Team, User
from sqm.tickets.models import (
    CalendarDay,
    Notification,
    Risk,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketClock,
    WorkCalendar,
)
from sqm.tickets.sla import clock as clockmath
from sqm.tickets.sla.calendars import business_calendar
from sqm.tickets.sla.services import FIELDS, PAUSE_RESOLVED, PAUSE_WAITING, TARGETS, met_at, offset, target_minutes

RISK_ORDER = {Risk.ON_TRACK: 0, Risk.WARNING: 1, Risk.BREACHED: 2}
PAUSE_LABELS = {
    PAUSE_WAITING: _("Waiting on the customer"),
    PAUSE_RESOLVED: _("Resolved: the clock stops until a reopening"),
}


def ticket_clock(ticket: Ticket | int) -> TicketClock | None:
    ticket_id = ticket if isinstance(ticket, int) else ticket.pk
    return TicketClock.objects.select_related("calendar", "policy").filter(ticket_id=ticket_id).first()


def clock_view(ticket: Ticket | int, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The countdown of a ticket's SLA clock, worked out at ``now``.

    Returns ``{"has_clock": False}`` for a ticket without a clock, else::

        {"has_clock": True, "policy": "投诉 SLA v1", "calendar": "中心工作日历",
         "paused": bool, "paused_since": datetime | None, "pause_reason": "waiting_customer" | "resolved" | "",
         "risk": "on_track" | "warning" | "breached",
         "targets": [{"target": "response", "minutes": 60, "due_at": datetime (wall clock),
                      "warn_at": datetime, "met_at": datetime | None, "met_on_time": bool | None,
                      "business_left": timedelta (negative when overdue), "business_spent": timedelta,
                      "state": "met" | "paused" | "on_track" | "warning" | "breached",
                      "risk": "on_track" | "warning" | "breached"}, … resolution …],
         "response": <the response entry>, "resolution": <the resolution entry>}
    """
    clock = ticket_clock(ticket)
    if clock is None:
        return {"has_clock": False}
    now = now or timezone.now()
    calendar = business_calendar(clock.calendar)
    state = _state(clock)
    entries = [_target_view(clock, calendar, state, target, now) for target in TARGETS]
    open_entries = [e for e in entries if e["met_at"] is None]
    if open_entries:
        risk = max((e["risk"] for e in open_entries), key=lambda r: RISK_ORDER[r])
    else:
        risk = Risk.BREACHED if any(e["met_on_time"] is False for e in entries) else Risk.ON_TRACK
    return {
        "has_clock": True,
        "policy": str(clock.policy),
        "policy_id": clock.policy_id,
        "calendar": clock.calendar.name,
        "time_zone": clock.calendar.time_zone,
        "started_at": clock.started_at,
        "paused": clock.paused_since is not None and clock.pause_reason == PAUSE_WAITING,
        "stopped": clock.pause_reason == PAUSE_RESOLVED,
        "paused_since": clock.paused_since,
        "pause_reason": clock.pause_reason,
        "pause_reason_label": PAUSE_LABELS.get(clock.pause_reason, ""),
        "risk": str(risk),
        "targets": entries,
        "response": entries[0],
        "resolution": entries[1],
    }


def _state(clock: TicketClock) -> clockmath.ClockState:
    return clockmath.ClockState(clock.base_at, clock.spent_before, clock.paused_business, clock.paused_since)


def _target_view(
    clock: TicketClock, calendar: Any, state: clockmath.ClockState, target: str, now: dt.datetime
) -> dict[str, Any]:
    done = met_at(clock, target)
    due_field, breached_flag = FIELDS[target, SlaEventKind.BREACHED]
    warn_field, warned_flag = FIELDS[target, SlaEventKind.WARNED]
    limit = offset(clock, target, SlaEventKind.BREACHED)
    spent = clockmath.spent(calendar, state, done or now)
    if spent >= limit or getattr(clock, breached_flag):
        risk = Risk.BREACHED
    elif spent >= offset(clock, target, SlaEventKind.WARNED) or getattr(clock, warned_flag):
        risk = Risk.WARNING
    else:
        risk = Risk.ON_TRACK
    if done is not None:
        view_state = "met"
    elif clock.paused_since is not None:
        view_state = "paused"
    else:
        view_state = str(risk)
    return {
        "target": target,
        "label": SlaTarget(target).label,
        "minutes": target_minutes(clock, target),
        "due_at": getattr(clock, due_field),
        "warn_at": getattr(clock, warn_field),
        "met_at": done,
        "met_on_time": (spent <= limit) if done is not None else None,
        "business_spent": spent,
        "business_left": limit - spent,
        "business_left_seconds": int((limit - spent).total_seconds()),
        "state": view_state,
        "risk": str(risk),
    }


def clock_events(ticket: Ticket | int) -> list[SlaEvent]:
    """Every SLA event of a ticket, in order (for the history view)."""
    ticket_id = ticket if isinstance(ticket, int) else ticket.pk
    return list(SlaEvent.objects.filter(ticket_id=ticket_id).select_related("policy", "agent").order_by("at", "id"))


def with_risk(qs: QuerySet[Ticket], risk: str) -> QuerySet[Ticket]:
    """Tickets whose clock is at ``risk`` (on_track also takes tickets without a clock)."""
    if risk == Risk.ON_TRACK:
        return qs.filter(Q(sla_clock__risk=Risk.ON_TRACK) | Q(sla_clock__isnull=True))
    return qs.filter(sla_clock__risk=risk)


def order_by_due(qs: QuerySet[Ticket], target: str = SlaTarget.RESOLUTION) -> QuerySet[Ticket]:
    """Soonest due first (tickets without a due time last, on every database)."""
    field = "due_response_at" if target == SlaTarget.RESPONSE else "due_resolution_at"
    return qs.order_by(F(field).asc(nulls_last=True), "pk")


# --- calendars ------------------------------------------------------------------------------------


def calendars() -> QuerySet[WorkCalendar]:
    return WorkCalendar.objects.annotate(
        holiday_count=Count("days", filter=Q(days__kind="holiday"), distinct=True),
        makeup_count=Count("days", filter=Q(days__kind="makeup"), distinct=True),
        team_count=Count("teams", distinct=True),
    ).order_by("-is_default", "name")


def calendar_detail(pk: int) -> WorkCalendar | None:
    return WorkCalendar.objects.filter(pk=pk).first()


def calendar_days(calendar: WorkCalendar, year: int | None = None) -> list[CalendarDay]:
    qs = CalendarDay.objects.filter(calendar=calendar)
    if year is not None:
        qs = qs.filter(date__year=year)
    return list(qs.order_by("date"))


def calendar_years(calendar: WorkCalendar) -> list[int]:
    """Years with special days, plus this year and the next (where the next schedule goes)."""
    years = {d.year for d in CalendarDay.objects.filter(calendar=calendar).dates("date", "year")}
    this_year = timezone.localdate().year
    return sorted(years | {this_year, this_year + 1})


def calendar_preview(
    calendar: WorkCalendar, *, start: dt.datetime | None = None, count: int = 10
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The next ``count`` working periods from ``start`` (now), in the calendar's time zone."""
    business = business_calendar(calendar)
    moment = (start or timezone.now()).astimezone(business.tz)
    return [(a.astimezone(business.tz), b.astimezone(business.tz)) for a, b in business.next_periods(moment, count)]


def team_calendars() -> list[Team]:
    """Active teams with the calendar each works to (``team.sla_calendar`` may be missing)."""
    return list(Team.objects.filter(is_active=True).select_related("sla_calendar__calendar").order_by("code"))


def calendar_choices() -> QuerySet[WorkCalendar]:
    return WorkCalendar.objects.order_by("-is_default", "name")


# --- policies and notifications ----------------------------------------------------------------------


def policies() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.select_related("calendar").order_by("code", "-version")


def notifications_for(user: User, *, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    qs = Notification.objects.filter(user=user).select_related("ticket")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.order_by("-created_at", "-id")[:limit])


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
