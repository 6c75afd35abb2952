"""What one ticket or one rating contributes to each KPI: its **facts** (pure functions, no database).

A fact is ``(metric, local day, dimensions, num, den)`` with integer ``num``/``den`` (counts,
whole seconds, points). Rollups are sums of facts; a KPI's value is ``Σnum / Σden × scale``
(see :mod:`sqm.kpis.values`). The exact definition of every KPI lives here and, word for word,
in ``docs/kpis.md``; keep the two in step.

The inputs are plain objects with the attributes named below — model instances work, and so do
the light tuples the bulk loader of :mod:`sqm.kpis.services.rollups` builds:

* ticket: ``id type status channel category_id team_id assignee_id created_at first_response_at
  resolved_at closed_at reopen_count updated_at``
* messages (customer messages and replies; notes and system messages are ignored), oldest first:
  ``kind created_at author_id``
* events (``TicketEvent``), oldest first: ``kind at data``
* SLA clock (``TicketClock`` or None): ``response_met_at resolution_met_at response_breached
  resolution_breached due_response_at due_resolution_at``
* SLA events (``SlaEvent``), oldest first: ``kind target at on_time team_id agent_id``
* rating: ``id ticket_id score recommend counted created_at team_id agent_id source``

Times are aware datetimes; a fact's day is the local date in the centre's time zone
(``settings.TIME_ZONE``). Durations are whole seconds (microseconds dropped), business time
measured on the ticket's working calendar with :class:`WorkTime`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.utils import timezone

from sqm.standards.catalogue import KpiCode
from sqm.tickets.sla.calendar import BusinessCalendar

ACTIVE = frozenset({"new", "open", "pending"})
COMPLAINT = "complaint"
PROMOTER_FROM = 9  # NPS: 9–10 promote
DETRACTOR_UPTO = 6  # NPS: 0–6 detract
SATISFIED_FROM = 4  # CSAT: top two boxes of five
# A rating without a ticket is counted under the channel it came by.
RATING_SOURCE_CHANNEL = {"qr": "qr", "phone": "phone", "portal": "web"}

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_US = dt.timedelta(microseconds=1)
US_PER_SECOND = 1_000_000


class Fact(NamedTuple):
    """One contribution to one KPI on one day. ``team_id``/``agent_id``/``category_id`` None and
    ``channel``/``ticket_type`` '' mean "not counted under that dimension"."""

    metric: str
    day: dt.date
    ticket_id: int | None
    team_id: int | None
    agent_id: int | None
    channel: str
    ticket_type: str
    category_id: int | None
    num: int
    den: int


def compact(facts: Iterable[Fact]) -> list[Fact]:
    """Facts with the same key summed into one, facts that sum to 0/0 dropped (the canonical form)."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    for fact in facts:
        cell = sums.get(fact[:8])
        if cell is None:
            sums[fact[:8]] = [fact.num, fact.den]
        else:
            cell[0] += fact.num
            cell[1] += fact.den
    return [Fact._make((*key, num, den)) for key, (num, den) in sums.items() if num or den]


def _us(moment: dt.datetime) -> int:
    return (moment - EPOCH) // ONE_US


class WorkTime:
    """Business time on one working calendar, exact to the microsecond and O(1) per question.

    Equal to :meth:`BusinessCalendar.elapsed` (a property test checks it) but answered from
    prefix sums of each local day's open time, built lazily, so a rebuild over a million tickets
    does not walk the calendar day by day for every duration. ``None``: always open (business
    time is calendar time).
    """

    BACK = 400  # days kept before the first date asked about

    def __init__(self, calendar: BusinessCalendar | None) -> None:
        self.calendar = calendar
        self._origin = dt.date.min
        self._cum: list[int] = []  # open µs before each day, from the origin
        self._periods: list[tuple[tuple[int, int], ...]] = []

    def _index(self, day: dt.date) -> int:
        if not self._cum or day < self._origin:
            self._origin = day - dt.timedelta(days=self.BACK)
            self._cum, self._periods = [0], []
        index = (day - self._origin).days
        calendar = self.calendar
        assert calendar is not None
        while len(self._periods) <= index:
            current = self._origin + dt.timedelta(days=len(self._periods))
            spans = tuple(sorted((_us(begin), _us(end)) for begin, end in calendar.periods_on(current)))
            self._periods.append(spans)
            self._cum.append(self._cum[-1] + sum(end - begin for begin, end in spans))
        return index

    def _open_before(self, moment: dt.datetime, index: int) -> int:
        us = _us(moment)
        total = self._cum[index]
        for begin, end in self._periods[index]:
            if us <= begin:
                break
            total += (us if us < end else end) - begin
        return total

    def elapsed_us(self, start: dt.datetime, end: dt.datetime) -> int:
        """Open microseconds between two moments (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0
        if self.calendar is None:
            return _us(end) - _us(start)
        tz = self.calendar.tz
        first_day = start.astimezone(tz).date()
        self._index(first_day)  # may move the origin back; the end's day only extends forward
        last = self._index(end.astimezone(tz).date())
        first = (first_day - self._origin).days
        return self._open_before(end, last) - self._open_before(start, first)

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return dt.timedelta(microseconds=self.elapsed_us(start, end))


# --- helpers --------------------------------------------------------------------------------------


def _seconds(us: int) -> int:
    return max(0, us) // US_PER_SECOND


def _calendar_us(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, _us(end) - _us(start))


class _Timeline:
    """A ticket's history as the facts need it: when it was active, and its team and agent over time.

    Built from the ticket's events: ``status`` (data ``before``/``after``), ``transferred``
    (``before``/``after`` team), ``assigned`` (``assignee``) and ``unassigned``. Where the
    events are missing (rows written without them), the ticket row's current values stand for
    its whole life, and a final status the events do not explain is taken from the row
    (leaving at ``resolved_at``/``closed_at``, coming back at the last reopening).
    """

    def __init__(self, ticket: Any, events: Sequence[Any]) -> None:
        transfers = [e for e in events if e.kind == "transferred"]
        assigns = [e for e in events if e.kind in ("assigned", "unassigned")]
        team = _data(transfers[0]).get("before") if transfers else ticket.team_id
        agent = None if assigns else ticket.assignee_id
        active = True
        # (moment, active, team, agent) after each change, starting at creation
        states: list[tuple[dt.datetime, bool, Any, Any]] = [(ticket.created_at, active, team, agent)]
        last_reopen: dt.datetime | None = None
        for event in events:
            kind = event.kind
            if kind == "status":
                after = _data(event).get("after")
                now_active = after in ACTIVE
                if now_active == active:
                    continue
                active = now_active
            elif kind == "transferred":
                team = _data(event).get("after")
            elif kind == "assigned":
                agent = _data(event).get("assignee")
            elif kind == "unassigned":
                agent = None
            else:
                if kind == "reopened":
                    last_reopen = event.at
                continue
            states.append((max(event.at, ticket.created_at), active, team, agent))
        row_active = ticket.status in ACTIVE
        if active and not row_active:
            moment = ticket.resolved_at or ticket.closed_at or ticket.updated_at
            states.append((max(moment, ticket.created_at), False, team, agent))
        elif not active and row_active:
            moment = last_reopen or ticket.updated_at
            states.append((max(moment, states[-1][0]), True, team, agent))
        self.states = states

    def _at(self, moment: dt.datetime) -> tuple[dt.datetime, bool, Any, Any]:
        found = self.states[0]
        for state in self.states:
            if state[0] > moment:
                break
            found = state
        return found

    def team_at(self, moment: dt.datetime) -> int | None:
        return _int(self._at(moment)[2])

    def agent_at(self, moment: dt.datetime) -> int | None:
        return _int(self._at(moment)[3])

    def active_spans(self) -> list[tuple[dt.datetime, dt.datetime | None, int | None, int | None]]:
        """Maximal stretches with the ticket active and its team and agent unchanged: (start, end or None, team, agent)."""
        spans: list[tuple[dt.datetime, dt.datetime | None, int | None, int | None]] = []
        for n, (moment, active, team, agent) in enumerate(self.states):
            end = self.states[n + 1][0] if n + 1 < len(self.states) else None
            if active:
                spans.append((moment, end, _int(team), _int(agent)))
        return spans

    def gaps_before(self, until: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Stretches before ``until`` when the ticket was resolved or closed and later came back."""
        gaps = []
        for n, (moment, active, _team, _agent) in enumerate(self.states):
            if active or n + 1 >= len(self.states):
                continue
            back = self.states[n + 1][0]
            if back <= until:
                gaps.append((moment, back))
        return gaps


def _data(event: Any) -> dict[str, Any]:
    data = event.data
    return data if isinstance(data, dict) else {}


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


# --- tickets --------------------------------------------------------------------------------------


# The codes as plain strings, the type the facts read back from the database have.
VOLUME, COMPLAINTS, COMPLAINT_RATE = KpiCode.VOLUME.value, KpiCode.COMPLAINTS.value, KpiCode.COMPLAINT_RATE.value
RESOLUTION_RATE, BACKLOG, FCR, REOPEN_RATE = (
    KpiCode.RESOLUTION_RATE.value,
    KpiCode.BACKLOG.value,
    KpiCode.FCR.value,
    KpiCode.REOPEN_RATE.value,
)
FRT_CALENDAR, FRT_BUSINESS = KpiCode.FIRST_RESPONSE_CALENDAR.value, KpiCode.FIRST_RESPONSE_BUSINESS.value
AVG_RESPONSE = KpiCode.AVG_RESPONSE.value
RESOLUTION_CALENDAR, RESOLUTION_BUSINESS = (
    KpiCode.RESOLUTION_TIME_CALENDAR.value,
    KpiCode.RESOLUTION_TIME_BUSINESS.value,
)
SLA_METRIC = {"response": KpiCode.SLA_RESPONSE.value, "resolution": KpiCode.SLA_RESOLUTION.value}


def ticket_facts(
    ticket: Any,
    *,
    messages: Sequence[Any],
    events: Sequence[Any],
    worktime: WorkTime,
    clock: Any = None,
    sla_events: Sequence[Any] = (),
) -> list[Fact]:
    """Every fact of one ticket (definitions in docs/kpis.md), in canonical form (see :func:`compact`)."""
    tz = timezone.get_default_timezone()
    ticket_id, channel, kind, category = ticket.id, ticket.channel or "", ticket.type or "", ticket.category_id
    team_now, agent_now = ticket.team_id, ticket.assignee_id
    sums: dict[tuple[str, dt.date, int | None, int | None], list[int]] = {}
    days: dict[dt.datetime, dt.date] = {}

    def add(metric: str, moment: dt.datetime, team: int | None, agent: int | None, num: int, den: int) -> None:
        day = days.get(moment)
        if day is None:
            day = days[moment] = moment.astimezone(tz).date()
        key = (metric, day, team, agent)
        cell = sums.get(key)
        if cell is None:
            sums[key] = [num, den]
        else:
            cell[0] += num
            cell[1] += den

    created = ticket.created_at
    timeline = _Timeline(ticket, events)
    is_complaint = kind == COMPLAINT
    finished_at = None
    if ticket.status not in ACTIVE:
        finished_at = ticket.resolved_at or ticket.closed_at

    # Intake: volume, complaints, complaint rate, resolution rate (cohort of the creation day).
    add(VOLUME, created, team_now, agent_now, 1, 0)
    add(COMPLAINT_RATE, created, team_now, agent_now, int(is_complaint), 1)
    if is_complaint:
        add(COMPLAINTS, created, team_now, agent_now, 1, 0)
    add(RESOLUTION_RATE, created, team_now, agent_now, int(finished_at is not None), 1)

    # Backlog: +1 when a stretch of activity (with one team and agent) starts, -1 when it ends.
    for start, end, team, agent in timeline.active_spans():
        add(BACKLOG, start, team, agent, 1, 0)
        if end is not None:
            add(BACKLOG, end, team, agent, -1, 0)

    replies = [m for m in messages if m.kind == "reply"]

    # First response: creation → first reply to the customer, on the day of that reply.
    first = ticket.first_response_at
    if first is not None:
        responder = replies[0].author_id if replies and replies[0].author_id else timeline.agent_at(first)
        team = timeline.team_at(first)
        add(FRT_CALENDAR, first, team, responder, _seconds(_calendar_us(created, first)), 1)
        add(FRT_BUSINESS, first, team, responder, _seconds(worktime.elapsed_us(created, first)), 1)

    # Average response: each reply that answers a waiting customer, from the earliest unanswered
    # customer message (the ticket's creation counts as the first), in business time.
    waiting: dt.datetime | None = created
    for message in messages:
        if message.kind == "customer":
            if waiting is None:
                waiting = message.created_at
        elif message.kind == "reply" and waiting is not None:
            at = message.created_at
            agent = message.author_id or timeline.agent_at(at)
            add(AVG_RESPONSE, at, timeline.team_at(at), agent, _seconds(worktime.elapsed_us(waiting, at)), 1)
            waiting = None

    # Resolution KPIs: tickets resolved (or closed) now, on the day of their final resolution.
    if finished_at is not None:
        gaps = timeline.gaps_before(finished_at)
        calendar_us = _calendar_us(created, finished_at) - sum(_calendar_us(a, b) for a, b in gaps)
        business_us = worktime.elapsed_us(created, finished_at) - sum(worktime.elapsed_us(a, b) for a, b in gaps)
        add(RESOLUTION_CALENDAR, finished_at, team_now, agent_now, _seconds(calendar_us), 1)
        add(RESOLUTION_BUSINESS, finished_at, team_now, agent_now, _seconds(business_us), 1)
        reopened = max(int(ticket.reopen_count or 0), sum(1 for e in events if e.kind == "reopened")) > 0
        transferred = any(
            _data(e).get("before") is not None and _data(e).get("before") != _data(e).get("after")
            for e in events
            if e.kind == "transferred"
        )
        first_contact = not reopened and not transferred and len(replies) <= 1
        add(FCR, finished_at, team_now, agent_now, int(first_contact), 1)
        add(REOPEN_RATE, finished_at, team_now, agent_now, int(reopened), 1)

    # SLA compliance, per target, from the clock's verdict.
    if clock is not None:
        for target, metric in SLA_METRIC.items():
            verdict = _sla_verdict(target, clock, sla_events, team_now, agent_now)
            if verdict is not None:
                moment, team, agent, on_time = verdict
                add(metric, moment, team, agent, int(on_time), 1)

    new = tuple.__new__  # a Fact at C speed (NamedTuple's own __new__ is a Python call)
    return [
        new(Fact, (metric, day, ticket_id, team, agent, channel, kind, category, num, den))
        for (metric, day, team, agent), (num, den) in sums.items()
        if num or den
    ]


def _sla_verdict(
    target: str, clock: Any, sla_events: Sequence[Any], team_now: int | None, agent_now: int | None
) -> tuple[dt.datetime, int | None, int | None, bool] | None:
    """(moment, team, agent, met on time) of one target, or None while it is still running.

    Met on time: the last ``met`` event (its time, team and agent). Breached (met late, or not
    met and past due): the last ``breached`` event of the target (its time, team and agent).
    """
    met_at = getattr(clock, f"{target}_met_at")
    breached_flag = bool(getattr(clock, f"{target}_breached"))
    last_met = last_breach = None
    for event in sla_events:
        if event.target != target:
            continue
        if event.kind == "met":
            last_met = event
        elif event.kind == "breached":
            last_breach = event
    if met_at is not None and last_met is not None and last_met.on_time:
        return last_met.at, _int(last_met.team_id), _int(last_met.agent_id), True
    if (met_at is not None and last_met is not None) or breached_flag:
        if last_breach is not None:
            return last_breach.at, _int(last_breach.team_id), _int(last_breach.agent_id), False
        if met_at is not None and last_met is not None:
            return last_met.at, _int(last_met.team_id), _int(last_met.agent_id), False
        due = getattr(clock, f"due_{target}_at")
        if due is not None:
            return due, team_now, agent_now, False
    return None


# --- ratings --------------------------------------------------------------------------------------


def rating_facts(rating: Any, ticket: Any = None) -> list[Fact]:
    """The facts of one rating: CSAT, average rating and (with a 0–10 answer) NPS, on the day it was
    first given, under the rated agent and team (else the ticket's) and the ticket's channel,
    type and category. Ratings flagged as not counted contribute nothing."""
    if not rating.counted:
        return []
    tz = timezone.get_default_timezone()
    day = rating.created_at.astimezone(tz).date()
    team = rating.team_id if rating.team_id is not None else getattr(ticket, "team_id", None)
    agent = rating.agent_id if rating.agent_id is not None else getattr(ticket, "assignee_id", None)
    if ticket is not None:
        channel, kind, category = ticket.channel or "", ticket.type or "", ticket.category_id
    else:
        channel, kind, category = RATING_SOURCE_CHANNEL.get(rating.source, ""), "", None
    ticket_id = rating.ticket_id

    def fact(metric: KpiCode, num: int) -> Fact:
        return Fact(metric.value, day, ticket_id, team, agent, channel, kind, category, num, 1)

    score = int(rating.score)
    out = [fact(KpiCode.CSAT, int(score >= SATISFIED_FROM)), fact(KpiCode.AVG_RATING, score)]
    if rating.recommend is not None:
        answer = int(rating.recommend)
        out.append(fact(KpiCode.NPS, 1 if answer >= PROMOTER_FROM else -1 if answer <= DETRACTOR_UPTO else 0))
    return compact(out)


RATING_METRICS = frozenset({KpiCode.CSAT.value, KpiCode.AVG_RATING.value, KpiCode.NPS.value})
TICKET_METRICS = frozenset(code.value for code in KpiCode) - RATING_METRICS
