"""The state of an SLA clock and its arithmetic: pure functions, no database.

A clock counts *active* business time: business time on its calendar since it started, minus
the business time it spent paused (waiting on the customer, or resolved). The state is kept so
that it survives a change of target or of calendar without losing what was spent:

    spent(m) = spent_before + calendar.elapsed(base_at, m) - paused_business

``spent_before`` is what was spent before ``base_at`` (in earlier calendars); ``base_at``
moves only when the calendar changes (:func:`rebase`). An alarm at ``offset`` of active time
(a warning, a due time, an escalation) therefore falls at

    calendar.add(base_at, offset - spent_before + paused_business)

which is exact for every alarm not yet reached, and only ever moves later when a pause ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqm.tickets.sla.calendar import BusinessCalendar

ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class ClockState:
    base_at: dt.datetime
    spent_before: dt.timedelta = ZERO
    paused_business: dt.timedelta = ZERO
    paused_since: dt.datetime | None = None

    @classmethod
    def started(cls, at: dt.datetime) -> ClockState:
        return cls(base_at=at)


def spent(calendar: BusinessCalendar, state: ClockState, at: dt.datetime) -> dt.timedelta:
    """Active business time spent up to ``at`` (frozen while paused)."""
    end = at if state.paused_since is None else min(at, state.paused_since)
    return max(ZERO, state.spent_before + calendar.elapsed(state.base_at, end) - state.paused_business)


def alarm_at(calendar: BusinessCalendar, state: ClockState, offset: dt.timedelta) -> dt.datetime:
    """When active time reaches ``offset``, assuming no further pause.

    For a paused clock this is the projection as if the pause had ended as soon as it began
    (a lower bound; it moves later on resume). An offset already spent before ``base_at``
    gives ``base_at`` itself (a moment in the past).
    """
    remaining = offset - state.spent_before + state.paused_business
    return calendar.add(state.base_at, max(ZERO, remaining))


def pause(state: ClockState, at: dt.datetime) -> ClockState:
    """Stop counting from ``at`` on (no-op when already paused)."""
    if state.paused_since is not None:
        return state
    return replace(state, paused_since=max(at, state.base_at))


def resume(calendar: BusinessCalendar, state: ClockState, at: dt.datetime) -> ClockState:
    """Count again from ``at``; the business time of the pause is added to ``paused_business``."""
    if state.paused_since is None:
        return state
    waited = calendar.elapsed(state.paused_since, at)
    return replace(state, paused_business=state.paused_business + waited, paused_since=None)


def rebase(old: BusinessCalendar, state: ClockState, at: dt.datetime) -> ClockState:
    """Carry the clock over to another calendar at ``at`` without losing spent or paused time.

    What was spent so far (counted in ``old``) becomes ``spent_before``; from the new base on,
    the new calendar counts. A paused clock is rebased at the start of its pause and stays paused.
    """
    moment = state.paused_since if state.paused_since is not None else at
    return ClockState(
        base_at=moment, spent_before=spent(old, state, moment), paused_business=ZERO, paused_since=state.paused_since
    )


def reached(calendar: BusinessCalendar, state: ClockState, offset: dt.timedelta, at: dt.datetime) -> bool:
    """Whether active time had reached ``offset`` by ``at``."""
    return spent(calendar, state, at) >= offset
