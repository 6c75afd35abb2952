"""SLA clocks of the demo's bulk tickets: the rows the services would have written, computed.

``sqm demo`` writes its year of tickets in bulk (:mod:`sqm.tickets.demo`), so the clock hooks
of the ticket services never run. This module replays what they would have done for each
ticket, from its timeline (created, first answer, waiting on the customer, resolved, reopened,
resolved again) up to the demo's "now":

* the policy is the one :func:`sqm.tickets.sla.services.match_policy` picks for the ticket's
  type, priority and customer tier on its day (the same rule as ``policy_for``), over the
  effective policies read once;
* the calendar is the policy's, else the ticket's team calendar, else the centre default; each
  is read once and turned into a :class:`~sqm.tickets.sla.calendar.BusinessIndex` (the real
  calendar arithmetic, precomputed over the demo's year: microseconds per due time);
* the clock is stepped through the ticket's transitions exactly as the hooks step it
  (:mod:`sqm.tickets.sla.services`): alarms fire at their stored times while the clock runs, a
  pause stops counting and its business time pushes the alarms still to fire later, resolving
  meets both targets and pauses, reopening resumes.

One difference from a live ticket: the clock starts on the calendar of the team the ticket ends
up with (a live clock starts on the centre calendar and moves when the team is assigned), so
no ``recomputed`` event is written. Everything here is plain computation on values (no
database), so it runs in the demo's generator process.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqm.tickets.sla.calendar import BusinessIndex

RESPONSE, RESOLUTION = "response", "resolution"
TARGETS = (RESPONSE, RESOLUTION)
WARNED, BREACHED, ESCALATED = "warned", "breached", "escalated"
ALARMS = (WARNED, BREACHED, ESCALATED)
WAITING, RESOLVED = "waiting_customer", "resolved"

CLOCK_COLUMNS = (
    "ticket", "policy", "calendar", "response_minutes", "resolution_minutes", "warn_fraction",
    "escalate_after_minutes", "started_at", "base_at", "spent_before", "paused_business", "paused_since",
    "pause_reason", "response_met_at", "resolution_met_at", "warn_response_at", "due_response_at",
    "escalate_response_at", "warn_resolution_at", "due_resolution_at", "escalate_resolution_at",
    "response_warned", "response_breached", "response_escalated", "resolution_warned", "resolution_breached",
    "resolution_escalated", "risk", "next_check_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "ticket", "kind", "target", "at", "on_time", "policy", "ticket_type", "priority", "team", "agent", "data",
    "recorded_at",
)  # fmt: skip


@dataclass(frozen=True)
class Terms:
    """What a clock copies from its policy, plus the calendar it runs on."""

    policy_id: int
    label: str  # "service v1"
    calendar_id: int
    calendar_json: str  # the calendar's name as a JSON string
    response_minutes: int
    resolution_minutes: int
    warn_fraction: float
    escalate_after_minutes: int

    @property
    def offsets(self) -> dict[tuple[str, str], int]:
        """Active business seconds at which each alarm falls (as ``services.offset``)."""
        offsets = {}
        for target, minutes in ((RESPONSE, self.response_minutes), (RESOLUTION, self.resolution_minutes)):
            offsets[target, WARNED] = round(minutes * 60 * self.warn_fraction)
            offsets[target, BREACHED] = minutes * 60
            offsets[target, ESCALATED] = (minutes + self.escalate_after_minutes) * 60
        return offsets


@dataclass
class Demand:
    """One ticket's facts and moments (seconds from the index origin) for its clock."""

    ticket_id: int
    ticket_type: str
    priority: str
    tier: str
    day: dt.date
    team_id: int | None
    agent_id: int | None
    assigned: int  # when the agent (and team) took it
    created: int
    first: int | None = None  # first answer (response met)
    waits: list[tuple[int, int | None]] = field(default_factory=list)  # waiting on the customer
    resolutions: list[int] = field(default_factory=list)  # resolved (met); a reopening follows all but the last
    reopens: list[int] = field(default_factory=list)


@dataclass
class DemoSla:
    """Policies and calendars read once from the database, as values."""

    policies: list[Any]
    indexes: dict[int, BusinessIndex]
    calendar_names: dict[int, str]
    default_calendar: int | None
    team_calendars: dict[int, int]
    tiers: dict[int, str]
    now: int  # the demo's "now" in seconds from the origin
    _terms: dict[tuple[Any, ...], Terms | None] = field(default_factory=dict)
    _offsets: dict[Terms, dict[tuple[str, str], int]] = field(default_factory=dict)
    _breaks: list[dt.date] = field(default_factory=list)  # the days the policy in force may change

    def __post_init__(self) -> None:
        self._breaks = sorted({p.effective_from for p in self.policies})

    def terms(self, ticket_type: str, priority: str, tier: str, day: dt.date, team_id: int | None) -> Terms | None:
        """The policy (as services.match_policy) and calendar for a ticket; cached per combination
        (policies change only on their effective dates, so a year has few)."""
        epoch = bisect.bisect_right(self._breaks, day)
        key = (ticket_type, priority, tier, epoch, team_id)
        found = self._terms.get(key, False)
        if found is not False:
            return found  # type: ignore[return-value]
        from sqm.tickets.sla.services import match_policy

        policy = match_policy(self.policies, ticket_type=ticket_type, priority=priority, tier=tier or None, on=day)
        result = None
        if policy is not None:
            calendar_id = policy.calendar_id or self.team_calendars.get(team_id or 0) or self.default_calendar
            if calendar_id is not None and calendar_id in self.indexes:
                result = Terms(
                    policy_id=policy.pk,
                    label=f"{policy.code} v{policy.version}",
                    calendar_id=calendar_id,
                    calendar_json=json.dumps(self.calendar_names[calendar_id], ensure_ascii=False),
                    response_minutes=policy.response_minutes,
                    resolution_minutes=policy.resolution_minutes,
                    warn_fraction=policy.warn_fraction,
                    escalate_after_minutes=policy.escalate_after_minutes,
                )
                self._offsets[result] = result.offsets
        self._terms[key] = result
        return result

    def targets(self, ticket_type: str, priority: str, tier: str, day: dt.date) -> tuple[int, int] | None:
        """(response, resolution) seconds of the policy a ticket would run under."""
        terms = self.terms(ticket_type, priority, tier, day, None)
        return (terms.response_minutes * 60, terms.resolution_minutes * 60) if terms else None


def load_sla(origin: dt.datetime, span: dt.timedelta, now: int) -> DemoSla | None:
    """Read the effective policies, the calendars they can use and the customers' tiers."""
    from sqm.org.models import User
    from sqm.tickets.models import PolicyStatus, SlaPolicy, TeamCalendar, WorkCalendar
    from sqm.tickets.sla.calendars import business_calendar

    policies = list(SlaPolicy.objects.filter(status=PolicyStatus.EFFECTIVE))
    calendars = {c.pk: c for c in WorkCalendar.objects.all()}
    default = next((pk for pk, c in calendars.items() if c.is_default), None)
    if not policies or default is None:
        return None
    team_calendars = dict(TeamCalendar.objects.values_list("team_id", "calendar_id"))
    used = {default, *team_calendars.values(), *(p.calendar_id for p in policies if p.calendar_id)}
    return DemoSla(
        policies=policies,
        indexes={pk: BusinessIndex(business_calendar(calendars[pk]), origin, span) for pk in used},
        calendar_names={pk: calendars[pk].name for pk in used},
        default_calendar=default,
        team_calendars=team_calendars,
        tiers=dict(User.objects.filter(role="customer").values_list("pk", "customer_tier")),
        now=now,
    )


class ClockRun:
    """One ticket's clock stepped through its transitions, as the service hooks step it.

    Times are seconds from the index origin. The stored alarm times of the targets not met yet
    are ``add(start, offset + paused)`` (``clock.alarm_at``); they change only when the paused
    business time does, so they are recomputed only then.
    """

    def __init__(
        self, sla: DemoSla, terms: Terms, demand: Demand, fmt: Callable[[int], str], iso: Callable[[int], str]
    ):
        self.terms, self.d, self.iso = terms, demand, iso
        self.offsets = sla._offsets[terms]
        self.index = index = sla.indexes[terms.calendar_id]
        self.now = sla.now
        self.start = demand.created
        self.base = index.business(self.start) if 0 <= self.start <= index.limit else None
        self.paused = 0  # business seconds spent paused (pauses that ended)
        self.timed_with = -1  # the paused time the alarm times were computed with
        self.paused_since: int | None = None
        self.pause_reason = ""
        self.met: dict[str, int | None] = {RESPONSE: None, RESOLUTION: None}
        self.at: dict[tuple[str, str], int] = {}
        self.fired: dict[tuple[str, str], bool] = dict.fromkeys(self.offsets, False)
        self.events: list[tuple[Any, ...]] = []
        self.updated = demand.created
        self.text = fmt

    # -- arithmetic (as sqm.tickets.sla.clock, in seconds) --

    def _alarm_at(self, offset: int) -> int:
        if self.base is not None:
            found = self.index.moment(self.base + offset + self.paused)
            if found is not None:
                return found
        return self.index.add(self.start, offset + self.paused)

    def _elapsed(self, begin: int, end: int) -> int:
        return self.index.elapsed(begin, end)

    def _refresh(self) -> None:
        if self.paused == self.timed_with:
            return  # nothing moved: the same times again
        self.timed_with = self.paused
        for key, offset in self.offsets.items():
            if self.met[key[0]] is None and not self.fired[key]:
                self.at[key] = self._alarm_at(offset)

    def _event(self, kind: str, moment: int, target: str = "", on_time: bool | None = None, data: str = "{}") -> None:
        d = self.d
        assigned = moment >= d.assigned
        stamp = self.text(moment)
        self.events.append((
            d.ticket_id, kind, target, stamp, on_time, self.terms.policy_id, d.ticket_type, d.priority,
            d.team_id if assigned else None, d.agent_id if assigned else None, data, stamp,
        ))  # fmt: skip
        if moment > self.updated:
            self.updated = moment

    def _fire_due(self, moment: int) -> None:
        """Fire every alarm whose stored time has come (the sweep would have, at that time)."""
        if self.paused_since is not None:
            return
        for target in TARGETS:
            if self.met[target] is not None:
                continue
            for kind in ALARMS:
                key = (target, kind)
                when = self.at[key]
                if self.fired[key] or when > moment:
                    continue
                if kind == ESCALATED and not self.fired[target, BREACHED]:
                    continue
                self.fired[key] = True
                self._event(kind, when, target, data=f'{{"fired_at": "{self.iso(when)}"}}')

    def _meet(self, target: str, moment: int) -> None:
        on_time = not self.fired[target, BREACHED]  # as services._meet: due alarms were fired first
        self.met[target] = moment
        due = self.at[target, BREACHED]
        self._event("met", moment, target, on_time, f'{{"due": "{self.iso(due)}"}}')

    def _resume(self, moment: int) -> None:
        if self.paused_since is not None:
            self.paused += self._elapsed(self.paused_since, moment)
            self.paused_since, self.pause_reason = None, ""

    # -- the transitions --

    def run(self) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], tuple[str, str]]:
        d, terms, now = self.d, self.terms, self.now
        self._refresh()
        self._event(
            "started",
            d.created,
            data=(
                f'{{"policy": "{terms.label}", "calendar": {terms.calendar_json}, '
                f'"due_response_at": "{self.iso(self.at[RESPONSE, BREACHED])}", '
                f'"due_resolution_at": "{self.iso(self.at[RESOLUTION, BREACHED])}"}}'
            ),
        )
        steps: list[tuple[int, int, str, Any]] = []
        if d.first is not None:
            steps.append((d.first, 0, "reply", None))
        for begin, end in d.waits:
            steps.append((begin, 1, "wait", None))
            if end is not None:
                steps.append((end, 2, "resume", begin))
        for moment in d.resolutions:
            steps.append((moment, 3, "resolve", None))
        for moment, since in zip(d.reopens, d.resolutions, strict=False):
            steps.append((moment, 4, "reopen", since))
        steps.sort()
        for moment, _order, action, since in steps:
            if moment > now:
                break
            self._fire_due(moment)
            if action == "reply":
                if self.met[RESPONSE] is None:
                    self._meet(RESPONSE, moment)
            elif action == "wait" and self.paused_since is None:
                self.paused_since, self.pause_reason = moment, WAITING
                self._event("paused", moment, data=f'{{"reason": "{WAITING}"}}')
            elif action == "resume" and self.pause_reason == WAITING:
                self._resume(moment)
                self._event("resumed", moment, data=f'{{"reason": "{WAITING}", "since": "{self.iso(since)}"}}')
            elif action == "resolve":
                if self.paused_since is not None:
                    self._resume(moment)
                    self._refresh()
                self._fire_due(moment)
                for target in TARGETS:
                    if self.met[target] is None:
                        self._meet(target, moment)
                self.paused_since, self.pause_reason = moment, RESOLVED
            elif action == "reopen":
                self._resume(moment)
                self.met[RESOLUTION] = None
                self._event(
                    "resumed",
                    moment,
                    RESOLUTION,
                    data=f'{{"reason": "reopened", "since": "{self.iso(since)}"}}',
                )
            self._refresh()
        self._fire_due(now)
        dues = (self.text(self.at[RESPONSE, BREACHED]), self.text(self.at[RESOLUTION, BREACHED]))
        return self._clock_row(), self.events, dues

    def _next_check(self) -> int | None:
        if self.paused_since is not None:
            return None
        pending = [when for key, when in self.at.items() if self.met[key[0]] is None and not self.fired[key]]
        return min(pending) if pending else None

    def _risk(self) -> str:
        open_targets = [t for t in TARGETS if self.met[t] is None]
        looked_at = open_targets or list(TARGETS)
        if any(self.fired[t, BREACHED] for t in looked_at):
            return "breached"
        if open_targets and any(self.fired[t, WARNED] for t in open_targets):
            return "warning"
        return "on_track"

    def _clock_row(self) -> tuple[Any, ...]:
        text, terms, at, fired, met = self.text, self.terms, self.at, self.fired, self.met
        next_check, paused_since = self._next_check(), self.paused_since
        response_met, resolution_met = met[RESPONSE], met[RESOLUTION]
        started = text(self.start)
        return (
            self.d.ticket_id, terms.policy_id, terms.calendar_id, terms.response_minutes, terms.resolution_minutes,
            terms.warn_fraction, terms.escalate_after_minutes, started, started, 0, self.paused,
            None if paused_since is None else text(paused_since), self.pause_reason,
            None if response_met is None else text(response_met),
            None if resolution_met is None else text(resolution_met),
            text(at[RESPONSE, WARNED]), text(at[RESPONSE, BREACHED]), text(at[RESPONSE, ESCALATED]),
            text(at[RESOLUTION, WARNED]), text(at[RESOLUTION, BREACHED]), text(at[RESOLUTION, ESCALATED]),
            fired[RESPONSE, WARNED], fired[RESPONSE, BREACHED], fired[RESPONSE, ESCALATED],
            fired[RESOLUTION, WARNED], fired[RESOLUTION, BREACHED], fired[RESOLUTION, ESCALATED],
            self._risk(), None if next_check is None else text(next_check), text(min(self.updated, self.now)),
        )  # fmt: skip


def clock_rows(
    sla: DemoSla, demand: Demand, fmt: Callable[[int], str], iso: Callable[[int], str]
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], tuple[str, str]] | None:
    """The clock row, its events and the (response, resolution) due times as database text;
    None if no policy applies. ``fmt`` gives the database's text for a moment, ``iso`` the
    ISO 8601 text the services put into event data."""
    terms = sla.terms(demand.ticket_type, demand.priority, demand.tier, demand.day, demand.team_id)
    if terms is None:
        return None
    return ClockRun(sla, terms, demand, fmt, iso).run()
