"""Writes to SLA clocks, policies and notifications.

The ticket services call the ``clock_*`` hooks inside their own transaction (the ticket row is
already locked), so a ticket change and its clock change commit together:

    clock_start       ticket_create, right after the process starts
    clock_on_status   workflow._set_status: pending pauses, leaving pending resumes, resolved
                      meets the resolution target (and a still-open response target), reopening
                      un-meets the resolution target and resumes
    clock_on_reply    ticket_reply: the first reply to the customer meets the response target
    clock_recompute   ticket_update (priority, type), transfers and first assignment (team)

Rules that other helpdesks get wrong, and how SQM keeps them (see :mod:`sqm.tickets.sla.clock`):

* A change of target or calendar never loses business time already spent or paused: the due
  time is ``calendar.add(base_at, target - spent_before + paused_business)``.
* Before any change, alarms whose time has already come are fired first, with their real time,
  so nothing is lost or mis-dated; alarms of a target being met now fire without notifying
  anybody (no escalation after the agent already replied).
* Reopening: the time between resolution and reopening does not count (the ticket was out of
  the centre's hands); the resolution target is open again; warnings and breaches already
  recorded stay recorded and do not fire twice. A second resolution writes a second ``met``
  event: KPIs read the last one.
* Recomputing for a new target: an alarm that fired but whose new offset is not reached yet is
  re-armed (it may fire again later, against the new target); the ``recomputed`` event keeps
  the before/after times.
* A ``met`` event is on time when no breach was recorded before it (due alarms are fired first),
  i.e. when the target was met by its due time; a reply at 18:30 to a target due at 18:00 is
  late even though no business time passed in between.
* The policy is matched on the ticket's type, priority and its customer's tier
  (``User.customer_tier``) when the clock starts and whenever it is recomputed; changing a
  customer's tier alone does not re-time clocks already running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.org.models import CustomerTier, User
from sqm.tickets.models import (
    Notification,
    PolicyStatus,
    Priority,
    Risk,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    SlaTarget,
    Status,
    TeamCalendar,
    Ticket,
    TicketClock,
    TicketType,
    WorkCalendar,
)
from sqm.tickets.sla import clock as clockmath
from sqm.tickets.sla.calendar import BusinessCalendar
from sqm.tickets.sla.calendars import business_calendar, default_calendar

TARGETS = (SlaTarget.RESPONSE, SlaTarget.RESOLUTION)
ALARMS = (SlaEventKind.WARNED, SlaEventKind.BREACHED, SlaEventKind.ESCALATED)
FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    (target, kind): (f"{prefix}_{target}_at", f"{target}_{flag}")
    for target in TARGETS
    for kind, prefix, flag in (
        (SlaEventKind.WARNED, "warn", "warned"),
        (SlaEventKind.BREACHED, "due", "breached"),
        (SlaEventKind.ESCALATED, "escalate", "escalated"),
    )
}
PAUSE_WAITING = "waiting_customer"
PAUSE_RESOLVED = "resolved"
ACTIVE = (Status.NEW, Status.OPEN, Status.PENDING)
FINISHED = (Status.RESOLVED, Status.CLOSED)


# --- policy and calendar choice --------------------------------------------------------------------


def _specificity(policy: SlaPolicy) -> tuple[int, int, int, int]:
    kind, prio, tier = bool(policy.ticket_type), bool(policy.priority), policy.tier is not None
    return (kind + prio + tier, int(kind), int(prio), int(tier))


def policy_for(ticket: Ticket, on: dt.date, tier: str | None = None) -> SlaPolicy | None:
    """The policy version in force on ``on`` that matches the ticket most specifically.

    Per policy code the highest effective version whose ``effective_from`` has come wins; among
    codes, the one naming the most of type, priority and customer tier.
    """
    rows = (
        SlaPolicy.objects.filter(status=PolicyStatus.EFFECTIVE, effective_from__lte=on)
        .filter(Q(ticket_type="") | Q(ticket_type=ticket.type), Q(priority="") | Q(priority=ticket.priority))
        .filter(Q(tier__isnull=True) | Q(tier=tier) if tier else Q(tier__isnull=True))
        .select_related("calendar")
    )
    return match_policy(list(rows), ticket_type=ticket.type, priority=ticket.priority, tier=tier, on=on)


def match_policy(
    policies: Iterable[SlaPolicy], *, ticket_type: str, priority: str, tier: str | None, on: dt.date
) -> SlaPolicy | None:
    """:func:`policy_for` over policies already in memory (any status): the rule in one place,
    for bulk work such as the demo, which matches a year of tickets against a handful of rows."""
    latest: dict[str, SlaPolicy] = {}
    for policy in policies:
        if policy.status != PolicyStatus.EFFECTIVE or policy.effective_from > on:
            continue
        if policy.ticket_type not in ("", ticket_type) or policy.priority not in ("", priority):
            continue
        if policy.tier is not None and (not tier or policy.tier != tier):
            continue
        if policy.code not in latest or policy.version > latest[policy.code].version:
            latest[policy.code] = policy
    if not latest:
        return None
    return max(latest.values(), key=lambda p: (_specificity(p), p.effective_from, p.code))


def customer_tier(ticket: Ticket) -> str | None:
    """The tier of the ticket's customer (``standard``, ``vip``, …), read when a clock starts or is
    recomputed. A later change of the customer's tier does not re-time running clocks by itself."""
    if Ticket._meta.get_field("customer").is_cached(ticket):
        return ticket.customer.customer_tier or None
    if ticket.customer_id is None:
        return None
    return User.objects.filter(pk=ticket.customer_id).values_list("customer_tier", flat=True).first() or None


def calendar_for(ticket: Ticket, policy: SlaPolicy) -> WorkCalendar | None:
    """The policy's calendar, else the ticket's team calendar, else the centre default."""
    if policy.calendar_id is not None:
        return policy.calendar
    if ticket.team_id is not None:
        team_calendar = TeamCalendar.objects.select_related("calendar").filter(team_id=ticket.team_id).first()
        if team_calendar is not None:
            return team_calendar.calendar
    return default_calendar()


# --- clock state helpers ---------------------------------------------------------------------------


def _state(clock: TicketClock) -> clockmath.ClockState:
    return clockmath.ClockState(
        base_at=clock.base_at,
        spent_before=clock.spent_before,
        paused_business=clock.paused_business,
        paused_since=clock.paused_since,
    )


def _put(clock: TicketClock, state: clockmath.ClockState) -> None:
    clock.base_at, clock.spent_before = state.base_at, state.spent_before
    clock.paused_business, clock.paused_since = state.paused_business, state.paused_since
    if state.paused_since is None:
        clock.pause_reason = ""


def target_minutes(clock: TicketClock, target: str) -> int:
    return int(clock.response_minutes if target == SlaTarget.RESPONSE else clock.resolution_minutes)


def offset(clock: TicketClock, target: str, kind: str) -> dt.timedelta:
    """Active business time at which an alarm of ``target`` falls."""
    minutes = target_minutes(clock, target)
    if kind == SlaEventKind.WARNED:
        return dt.timedelta(seconds=round(minutes * 60 * clock.warn_fraction))
    if kind == SlaEventKind.ESCALATED:
        return dt.timedelta(minutes=minutes + clock.escalate_after_minutes)
    return dt.timedelta(minutes=minutes)


def met_at(clock: TicketClock, target: str) -> dt.datetime | None:
    return clock.response_met_at if target == SlaTarget.RESPONSE else clock.resolution_met_at


def _refresh(clock: TicketClock, calendar: BusinessCalendar, now: dt.datetime, changed: Iterable[str] = ()) -> None:
    """Re-time the alarms not fired yet (re-arming fired ones of ``changed`` targets whose new
    offset is not reached), then work out ``next_check_at`` and the risk."""
    state = _state(clock)
    changed = set(changed)
    for target in TARGETS:
        if met_at(clock, target) is not None:
            continue  # a met target keeps its times for the record
        for kind in ALARMS:
            at_field, flag = FIELDS[target, kind]
            fired = getattr(clock, flag)
            if fired and target in changed and not clockmath.reached(calendar, state, offset(clock, target, kind), now):
                setattr(clock, flag, False)
                fired = False
            if not fired or target in changed:
                setattr(clock, at_field, clockmath.alarm_at(calendar, state, offset(clock, target, kind)))
    clock.next_check_at = next_check(clock)
    clock.risk = risk_of(clock)
    clock.updated_at = now


def next_check(clock: TicketClock) -> dt.datetime | None:
    """The earliest alarm still to fire: what the sweep's index is on. NULL while paused."""
    if clock.paused_since is not None:
        return None
    pending = []
    for target in TARGETS:
        if met_at(clock, target) is not None:
            continue
        for kind in ALARMS:
            at_field, flag = FIELDS[target, kind]
            when = getattr(clock, at_field)
            if not getattr(clock, flag) and when is not None:
                pending.append(when)
    return min(pending) if pending else None


def risk_of(clock: TicketClock) -> str:
    """Breached / warning / on track, over the targets still open (all met: whether any was late)."""
    open_targets = [t for t in TARGETS if met_at(clock, t) is None]
    looked_at = open_targets or list(TARGETS)
    if any(getattr(clock, f"{t}_breached") for t in looked_at):
        return Risk.BREACHED
    if open_targets and any(getattr(clock, f"{t}_warned") for t in open_targets):
        return Risk.WARNING
    return Risk.ON_TRACK


def _event(
    clock: TicketClock,
    ticket: Ticket,
    kind: str,
    at: dt.datetime,
    *,
    target: str = "",
    on_time: bool | None = None,
    agent_id: int | None = None,
    **data: Any,
) -> SlaEvent:
    return SlaEvent(
        ticket_id=ticket.pk,
        kind=kind,
        target=target,
        at=at,
        on_time=on_time,
        policy_id=clock.policy_id,
        ticket_type=ticket.type,
        priority=ticket.priority,
        team_id=ticket.team_id,
        agent_id=agent_id if agent_id is not None else ticket.assignee_id,
        data=data,
        recorded_at=timezone.now(),
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sync_ticket(ticket: Ticket, clock: TicketClock) -> None:
    """Copy the due times onto the ticket, where the queue sorts by them."""
    if (ticket.due_response_at, ticket.due_resolution_at) == (clock.due_response_at, clock.due_resolution_at):
        return
    ticket.due_response_at, ticket.due_resolution_at = clock.due_response_at, clock.due_resolution_at
    Ticket.objects.filter(pk=ticket.pk).update(
        due_response_at=clock.due_response_at, due_resolution_at=clock.due_resolution_at
    )


def _locked_clock(ticket: Ticket) -> TicketClock | None:
    return (
        TicketClock.objects.select_for_update(of=("self",))
        .select_related("calendar", "policy")
        .filter(ticket_id=ticket.pk)
        .first()
    )


def _save(clock: TicketClock, ticket: Ticket, events: list[SlaEvent], notify: list[SlaEvent]) -> None:
    clock.save()
    created = SlaEvent.objects.bulk_create(events) if events else []
    if notify:
        ids = {id(e) for e in notify}
        notify_events([e for e in created if id(e) in ids], clock, ticket)
    _sync_ticket(ticket, clock)


# --- firing alarms -----------------------------------------------------------------------------------


def fire_due(
    clock: TicketClock,
    ticket: Ticket,
    now: dt.datetime,
    *,
    silent_targets: Iterable[str] = (),
) -> tuple[list[SlaEvent], list[SlaEvent]]:
    """Set the flag of every alarm whose time has come, returning (events, events to notify).

    A warning that fires together with its breach is recorded but not announced; targets in
    ``silent_targets`` (being met right now) are recorded and announced to nobody.
    """
    events: list[SlaEvent] = []
    notify: list[SlaEvent] = []
    if clock.paused_since is not None:
        return events, notify
    silent = set(silent_targets)
    for target in TARGETS:
        if met_at(clock, target) is not None:
            continue
        fired: list[SlaEvent] = []
        for kind in ALARMS:
            at_field, flag = FIELDS[target, kind]
            when = getattr(clock, at_field)
            if getattr(clock, flag) or when is None or when > now:
                continue
            if kind == SlaEventKind.ESCALATED and not getattr(clock, f"{target}_breached"):
                continue
            setattr(clock, flag, True)
            fired.append(_event(clock, ticket, kind, when, target=target, fired_at=_iso(now)))
        events.extend(fired)
        if target not in silent:
            kinds = {e.kind for e in fired}
            notify.extend(e for e in fired if not (e.kind == SlaEventKind.WARNED and SlaEventKind.BREACHED in kinds))
    if events:
        clock.next_check_at = next_check(clock)
        clock.risk = risk_of(clock)
    return events, notify


# --- hooks called by the ticket services --------------------------------------------------------------


def clock_start(ticket: Ticket, *, actor: Any = None, at: dt.datetime | None = None) -> TicketClock | None:
    """Start the ticket's clock under the policy in force (none matching: no clock)."""
    start = at or ticket.created_at or timezone.now()
    policy = policy_for(ticket, timezone.localdate(start), tier=customer_tier(ticket))
    calendar = calendar_for(ticket, policy) if policy is not None else None
    if policy is None or calendar is None:
        return None
    now = timezone.now()
    clock = TicketClock(
        ticket=ticket,
        policy=policy,
        calendar=calendar,
        started_at=start,
        base_at=start,
        spent_before=clockmath.ZERO,
        paused_business=clockmath.ZERO,
        updated_at=now,
    )
    _take_targets(clock, policy)
    _refresh(clock, business_calendar(calendar), now)
    started = _event(
        clock,
        ticket,
        SlaEventKind.STARTED,
        start,
        policy=f"{policy.code} v{policy.version}",
        calendar=calendar.name,
        due_response_at=_iso(clock.due_response_at),
        due_resolution_at=_iso(clock.due_resolution_at),
    )
    _save(clock, ticket, [started], [])
    return clock


def _take_targets(clock: TicketClock, policy: SlaPolicy) -> set[str]:
    """Copy the policy's targets onto the clock; returns the targets whose timing changed."""
    before = {t: (target_minutes(clock, t) if clock.pk else None) for t in TARGETS}
    common = (clock.warn_fraction, clock.escalate_after_minutes)
    clock.policy = policy
    clock.response_minutes, clock.resolution_minutes = policy.response_minutes, policy.resolution_minutes
    clock.warn_fraction, clock.escalate_after_minutes = policy.warn_fraction, policy.escalate_after_minutes
    if common != (clock.warn_fraction, clock.escalate_after_minutes):
        return set(TARGETS)
    return {t for t in TARGETS if before[t] != target_minutes(clock, t)}


def clock_on_status(ticket: Ticket, *, before: str, after: str, actor: Any = None) -> None:
    """Follow a status change: pause, resume, meet or un-meet targets."""
    if before == after:
        return
    clock = _locked_clock(ticket)
    if clock is None:
        return
    _status_change(clock, ticket, before, after, actor, timezone.now())


def _status_change(clock: TicketClock, ticket: Ticket, before: str, after: str, actor: Any, now: dt.datetime) -> None:
    calendar = business_calendar(clock.calendar)
    events: list[SlaEvent] = []
    notify: list[SlaEvent] = []
    if after in FINISHED and before in ACTIVE:
        events, notify = _resolve(clock, ticket, calendar, now, actor)
    elif before in FINISHED and after in ACTIVE:
        events = _reopen(clock, ticket, calendar, now)
    elif after == Status.PENDING and clock.paused_since is None:
        events, notify = fire_due(clock, ticket, now)
        _put(clock, clockmath.pause(_state(clock), now))
        clock.pause_reason = PAUSE_WAITING
        events.append(_event(clock, ticket, SlaEventKind.PAUSED, now, reason=PAUSE_WAITING))
    elif before == Status.PENDING and clock.pause_reason == PAUSE_WAITING:
        waited_from = clock.paused_since
        _put(clock, clockmath.resume(calendar, _state(clock), now))
        events.append(_event(clock, ticket, SlaEventKind.RESUMED, now, reason=PAUSE_WAITING, since=_iso(waited_from)))
    else:
        return
    _refresh(clock, calendar, now)
    _save(clock, ticket, events, notify)


def _meet(
    clock: TicketClock, ticket: Ticket, calendar: BusinessCalendar, target: str, now: dt.datetime, agent_id: int | None
) -> SlaEvent:
    # Met by its due time: the callers fire due alarms first, so a breach has been recorded exactly
    # when the due time has passed on a running clock. (Counting business time alone would call a
    # reply at 18:30 to a target due at 18:00 on time, next to its breach event.)
    on_time = not getattr(clock, f"{target}_breached")
    setattr(clock, f"{target}_met_at", now)
    due = getattr(clock, FIELDS[target, SlaEventKind.BREACHED][0])
    return _event(
        clock, ticket, SlaEventKind.MET, now, target=target, on_time=on_time, agent_id=agent_id, due=_iso(due)
    )


def _resolve(
    clock: TicketClock, ticket: Ticket, calendar: BusinessCalendar, now: dt.datetime, actor: Any
) -> tuple[list[SlaEvent], list[SlaEvent]]:
    """Resolution meets the resolution target and a response target still open (the customer
    had their answer), then stops the clock until a reopening."""
    if clock.paused_since is not None:
        _put(clock, clockmath.resume(calendar, _state(clock), now))
        _refresh(clock, calendar, now)  # alarm times of a paused clock were projections
    events, _silenced = fire_due(clock, ticket, now, silent_targets=TARGETS)
    agent_id = getattr(actor, "pk", None) if getattr(actor, "role", None) != Role.CUSTOMER else None
    for target in TARGETS:
        if met_at(clock, target) is None:
            events.append(_meet(clock, ticket, calendar, target, now, agent_id or ticket.assignee_id))
    _put(clock, clockmath.pause(_state(clock), now))
    clock.pause_reason = PAUSE_RESOLVED
    return events, []


def _reopen(clock: TicketClock, ticket: Ticket, calendar: BusinessCalendar, now: dt.datetime) -> list[SlaEvent]:
    since = clock.paused_since
    _put(clock, clockmath.resume(calendar, _state(clock), now))
    clock.resolution_met_at = None
    return [
        _event(
            clock, ticket, SlaEventKind.RESUMED, now, target=SlaTarget.RESOLUTION, reason="reopened", since=_iso(since)
        )
    ]


def clock_on_reply(ticket: Ticket, *, actor: Any, before: str) -> None:
    """An agent's reply to the customer meets the first-response target (once)."""
    clock = _locked_clock(ticket)
    if clock is None:
        return
    now = timezone.now()
    if clock.response_met_at is None:
        calendar = business_calendar(clock.calendar)
        events, notify = fire_due(clock, ticket, now, silent_targets=[SlaTarget.RESPONSE])
        events.append(_meet(clock, ticket, calendar, SlaTarget.RESPONSE, now, getattr(actor, "pk", None)))
        _refresh(clock, calendar, now)
        _save(clock, ticket, events, notify)
    if ticket.status != before:
        _status_change(clock, ticket, before, ticket.status, actor, now)


def clock_recompute(ticket: Ticket, *, actor: Any = None, reason: str = "") -> TicketClock | None:
    """Re-match policy and calendar after the ticket's type, priority or team changed. The
    customer's tier is read afresh, so a tier changed since the clock started applies from here."""
    clock = _locked_clock(ticket)
    if clock is None:
        return clock_start(ticket, actor=actor, at=timezone.now()) if ticket.status in ACTIVE else None
    policy = (
        clock.policy
        if clock.policy_pinned
        else policy_for(ticket, timezone.localdate(clock.started_at), tier=customer_tier(ticket))
    )
    if policy is None:
        return clock
    calendar = calendar_for(ticket, policy)
    if calendar is None:
        return clock
    apply_change(clock, ticket, policy, calendar, reason=reason, now=timezone.now())
    return clock


def clock_team_changed(ticket: Ticket, *, actor: Any = None) -> None:
    """The ticket got a team (first assignment): move the clock to the team's calendar, if it has one.

    Cheap on the assignment path: one lookup unless the team really works to another calendar.
    """
    if ticket.team_id is None:
        return
    team_calendar = TeamCalendar.objects.filter(team_id=ticket.team_id).values_list("calendar_id", flat=True).first()
    clock = TicketClock.objects.filter(ticket_id=ticket.pk).values_list("calendar_id", "policy__calendar_id").first()
    if clock is None or clock[1] is not None:
        return  # no clock, or the policy names its own calendar
    wanted = team_calendar or WorkCalendar.objects.filter(is_default=True).values_list("pk", flat=True).first()
    if wanted is not None and wanted != clock[0]:
        clock_recompute(ticket, actor=actor, reason="team")


def apply_change(
    clock: TicketClock,
    ticket: Ticket,
    policy: SlaPolicy,
    calendar: WorkCalendar,
    *,
    reason: str,
    now: dt.datetime,
    calendar_edited: bool = False,
) -> bool:
    """Move a clock to another policy and/or calendar keeping spent and paused time; True if
    anything changed. ``calendar_edited``: the same calendar's hours or days were edited."""
    same = (
        policy.pk == clock.policy_id
        and (policy.response_minutes, policy.resolution_minutes) == (clock.response_minutes, clock.resolution_minutes)
        and (policy.warn_fraction, policy.escalate_after_minutes) == (clock.warn_fraction, clock.escalate_after_minutes)
        and calendar.pk == clock.calendar_id
    )
    if same and not calendar_edited:
        return False
    old_calendar = business_calendar(clock.calendar) if not calendar_edited else None
    events, notify = fire_due(clock, ticket, now) if old_calendar is not None else ([], [])
    before = _times(clock)
    before["policy"] = f"{clock.policy.code} v{clock.policy.version}"
    if calendar.pk != clock.calendar_id and old_calendar is not None:
        _put(clock, clockmath.rebase(old_calendar, _state(clock), now))
    clock.calendar = calendar
    changed = _take_targets(clock, policy)
    new_calendar = business_calendar(calendar)
    _refresh(clock, new_calendar, now, changed)
    more, more_notify = fire_due(clock, ticket, now)
    after = _times(clock)
    after["policy"] = f"{policy.code} v{policy.version}"
    if calendar_edited and after == before and not more:
        return False  # the edit did not touch this clock's times
    if after != before or more:
        events.append(_event(clock, ticket, SlaEventKind.RECOMPUTED, now, reason=reason, before=before, after=after))
    _save(clock, ticket, events + more, notify + more_notify)
    return True


def _times(clock: TicketClock) -> dict[str, Any]:
    return {
        "calendar": clock.calendar_id,
        "response_minutes": clock.response_minutes,
        "resolution_minutes": clock.resolution_minutes,
        "due_response_at": _iso(clock.due_response_at),
        "due_resolution_at": _iso(clock.due_resolution_at),
    }


@transaction.atomic
def clock_set_policy(*, actor: Any, ticket: Ticket, policy: SlaPolicy) -> TicketClock:
    """A team lead puts a ticket under another policy; it stays there when priority or type change."""
    if not can(actor, Cap.TICKET_ASSIGN):
        raise PermissionDeniedError()
    if policy.status != PolicyStatus.EFFECTIVE:
        raise DomainError(_("Choose a policy that is in effect."), field="policy")
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    clock = _locked_clock(ticket)
    calendar = calendar_for(ticket, policy)
    if calendar is None:
        raise DomainError(_("No working calendar is defined."), field="policy")
    if clock is None:
        started = clock_start(ticket, actor=actor, at=timezone.now())
        if started is None:
            raise DomainError(_("This ticket has no SLA clock."), field="policy")
        clock = started
    clock.policy_pinned = True
    apply_change(clock, ticket, policy, calendar, reason="policy", now=timezone.now())
    TicketClock.objects.filter(pk=clock.pk).update(policy_pinned=True)
    audit_append(
        actor=actor, action="sla_policy", target=ticket, changes={"sla_policy": {"before": None, "after": policy.pk}}
    )
    return clock


def retime_calendar_clocks(calendar_id: int, *, batch_size: int = 200) -> int:
    """After a calendar edit, re-time the open clocks running on it (in batches); returns how many changed."""
    calendar = WorkCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return 0
    changed = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            clocks = list(
                TicketClock.objects.select_for_update(of=("self",))
                .select_related("ticket", "policy", "calendar")
                .filter(calendar_id=calendar_id, resolution_met_at__isnull=True, pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            for clock in clocks:
                clock.calendar = calendar
                changed += apply_change(
                    clock,
                    clock.ticket,
                    clock.policy,
                    calendar,
                    reason="calendar",
                    now=timezone.now(),
                    calendar_edited=True,
                )
        if len(clocks) < batch_size:
            return changed
        last_pk = clocks[-1].pk


def retime_team_clocks(team_id: int) -> int:
    """After a team's calendar changed, move its open tickets' clocks to the new calendar."""
    ids = list(
        TicketClock.objects.filter(ticket__team_id=team_id, resolution_met_at__isnull=True).values_list(
            "ticket_id", flat=True
        )
    )
    for ticket_id in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
            if ticket is not None:
                clock_recompute(ticket, reason="team_calendar")
    return len(ids)


# --- notifications ------------------------------------------------------------------------------------


def _recipients(kind: str, ticket: Ticket) -> list[User]:
    lead = ticket.team.lead if ticket.team_id and ticket.team and ticket.team.lead_id else None
    people: list[User | None]
    if kind == SlaEventKind.WARNED:
        people = [ticket.assignee or lead]
    elif kind == SlaEventKind.BREACHED:
        people = [lead, ticket.assignee] if lead else [ticket.assignee, *quality_managers()]
    else:
        people = list(quality_managers())
    seen: dict[int, User] = {}
    for person in people:
        if person is not None and person.is_active and person.pk not in seen:
            seen[person.pk] = person
    return list(seen.values())


def quality_managers() -> list[User]:
    return list(User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk"))


NOTIFICATION_TEXT = {
    SlaEventKind.WARNED: _("%(number)s %(subject)s: %(target)s is due at %(due)s (%(percent)d %% of the target used)."),
    SlaEventKind.BREACHED: _("%(number)s %(subject)s: %(target)s was due at %(due)s and is overdue."),
    SlaEventKind.ESCALATED: _("Escalation: %(number)s %(subject)s — %(target)s overdue since %(due)s and still open."),
}


def _text(event: SlaEvent, clock: TicketClock, ticket: Ticket, user: User) -> str:
    due = getattr(clock, FIELDS[event.target, SlaEventKind.BREACHED][0])
    with translation.override(user.language or settings.LANGUAGE_CODE):
        values = {
            "number": ticket.number,
            "subject": ticket.subject[:80],
            "target": str(SlaTarget(event.target).label),
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—",
            "percent": round(clock.warn_fraction * 100),
        }
        return str(NOTIFICATION_TEXT[SlaEventKind(event.kind)] % values)[:500]


def notify_events(events: list[SlaEvent], clock: TicketClock, ticket: Ticket) -> list[Notification]:
    """Record a notification per recipient of each event and mail them after commit."""
    rows = []
    for event in events:
        for user in _recipients(event.kind, ticket):
            rows.append(
                Notification(
                    user=user,
                    ticket_id=ticket.pk,
                    sla_event=event,
                    kind=f"sla_{event.kind}_{event.target}",
                    text=_text(event, clock, ticket, user),
                    created_at=timezone.now(),
                    email_status="pending" if user.email else "none",
                )
            )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.email_status == "pending"]
    if ids:
        from sqm.tickets.sla import tasks

        transaction.on_commit(lambda: tasks.queue_mail(ids))
    return created


@transaction.atomic
def notification_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of one's own notifications read."""
    if notification.user_id != getattr(actor, "pk", 0):
        raise PermissionDeniedError()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_create(*, users: Any, kind: str, text: str, link: str = "", ticket: Any = None) -> list[int]:
    """Notify staff of something outside an SLA clock (e.g. a quality alert): one inbox row each,
    mailed after commit like SLA notices. ``text`` is stored as given (already in the reader's
    language); ``link`` is the page the notice opens. Returns the new notification ids."""
    now = timezone.now()
    rows = [
        Notification(
            user=user,
            kind=kind,
            text=text[:500],
            link=link,
            ticket=ticket,
            created_at=now,
            email_status="pending" if user.email else "none",
        )
        for user in {u.pk: u for u in users if u is not None and u.is_active}.values()
    ]
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.email_status == "pending"]
    if ids:
        from sqm.tickets.sla import tasks

        transaction.on_commit(lambda: tasks.queue_mail(ids))
    return [n.pk for n in created]


@transaction.atomic
def notifications_read_all(*, actor: Any) -> int:
    return Notification.objects.filter(user_id=getattr(actor, "pk", 0), read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- policies --------------------------------------------------------------------------------------------


POLICY_FIELDS = (
    "code",
    "version",
    "name",
    "status",
    "effective_from",
    "ticket_type",
    "priority",
    "tier",
    "response_minutes",
    "resolution_minutes",
    "warn_fraction",
    "escalate_after_minutes",
    "calendar",
)


def _policy_snapshot(policy: SlaPolicy) -> dict[str, Any]:
    from sqm.audit.services import snapshot

    return snapshot(policy, POLICY_FIELDS)


def _check_policy(
    *,
    ticket_type: str,
    priority: str,
    response_minutes: int,
    resolution_minutes: int,
    warn_fraction: float,
    tier: str | None = None,
) -> None:
    if ticket_type and ticket_type not in TicketType.values:
        raise DomainError(_("Unknown ticket type."), field="ticket_type", code="invalid_choice")
    if priority and priority not in Priority.values:
        raise DomainError(_("Unknown priority."), field="priority", code="invalid_choice")
    if tier and tier not in CustomerTier.values:
        raise DomainError(
            _("Unknown customer tier “%(tier)s”; choose one of: %(choices)s.")
            % {"tier": tier, "choices": ", ".join(CustomerTier.values)},
            field="tier",
            code="invalid_choice",
        )
    if response_minutes < 1:
        raise DomainError(_("The response target must be at least one minute."), field="response_minutes")
    if resolution_minutes < response_minutes:
        raise DomainError(
            _("The resolution target cannot be shorter than the response target (%(minutes)d minutes).")
            % {"minutes": response_minutes},
            field="resolution_minutes",
        )
    if not 0 < warn_fraction < 1:
        raise DomainError(_("Warn at a fraction between 0 and 1, e.g. 0.75."), field="warn_fraction")


@transaction.atomic
def policy_draft_save(
    *,
    actor: Any,
    policy: SlaPolicy | None = None,
    code: str,
    name: str,
    effective_from: dt.date,
    response_minutes: int,
    resolution_minutes: int,
    ticket_type: str = "",
    priority: str = "",
    tier: str | None = None,
    warn_fraction: float = 0.75,
    escalate_after_minutes: int = 60,
    calendar: WorkCalendar | None = None,
) -> SlaPolicy:
    """Write a draft policy version (a new code, or the next version of an existing one).

    ``tier`` (a :class:`~sqm.org.models.CustomerTier` value, blank for any) limits the policy to
    the tickets of customers of that tier; a policy naming a tier beats one that does not, other
    criteria being equal. Effective versions are never edited in place: a change is a new draft, published later.
    """
    if not can(actor, Cap.PROCESS_MANAGE):
        raise PermissionDeniedError()
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise DomainError(_("Give a code of at most 40 characters."), field="code")
    if not (name or "").strip():
        raise DomainError(_("This field is required."), field="name", code="required")
    _check_policy(
        ticket_type=ticket_type,
        priority=priority,
        response_minutes=response_minutes,
        resolution_minutes=resolution_minutes,
        warn_fraction=warn_fraction,
        tier=tier,
    )
    if policy is not None and policy.status != PolicyStatus.DRAFT:
        raise DomainError(_("Only drafts can be edited; make a new version instead."), field="status")
    before = _policy_snapshot(policy) if policy is not None else None
    if policy is None:
        latest = SlaPolicy.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0
        policy = SlaPolicy(code=code, version=latest + 1, status=PolicyStatus.DRAFT)
    policy.name, policy.effective_from = name.strip()[:100], effective_from
    policy.ticket_type, policy.priority, policy.tier = ticket_type, priority, tier or None
    policy.response_minutes, policy.resolution_minutes = response_minutes, resolution_minutes
    policy.warn_fraction, policy.escalate_after_minutes, policy.calendar = (
        warn_fraction,
        escalate_after_minutes,
        calendar,
    )
    policy.save()
    audit_append(
        actor=actor,
        action="create" if before is None else "update",
        target=policy,
        changes=diff(before, _policy_snapshot(policy)),
    )
    return policy


@transaction.atomic
def policy_publish(*, actor: Any, policy: SlaPolicy) -> SlaPolicy:
    """Put a draft into effect from its date; earlier versions of its code in force are superseded."""
    if not can(actor, Cap.PROCESS_MANAGE):
        raise PermissionDeniedError()
    if policy.status != PolicyStatus.DRAFT:
        raise DomainError(_("Only a draft can be published."), field="status")
    policy.status = PolicyStatus.EFFECTIVE
    policy.save(update_fields=["status"])
    audit_append(
        actor=actor, action="publish", target=policy, changes={"status": {"before": "draft", "after": "effective"}}
    )
    policy_statuses_refresh()
    return policy


def policy_statuses_refresh(today: dt.date | None = None) -> int:
    """Mark versions superseded once a later version of their code is in force (daily housekeeping)."""
    today = today or timezone.localdate()
    in_force: dict[str, int] = {}
    for code, version in SlaPolicy.objects.filter(status=PolicyStatus.EFFECTIVE, effective_from__lte=today).values_list(
        "code", "version"
    ):
        in_force[code] = max(version, in_force.get(code, 0))
    done = 0
    for code, version in in_force.items():
        done += SlaPolicy.objects.filter(code=code, status=PolicyStatus.EFFECTIVE, version__lt=version).update(
            status=PolicyStatus.SUPERSEDED
        )
    return done
