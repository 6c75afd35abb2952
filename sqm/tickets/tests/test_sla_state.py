"""The clock state arithmetic (pure): pauses only push alarms later, changing calendar or target
keeps what was spent, and alarm times and spent time agree."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sqm.tickets.sla import clock as clockmath
from sqm.tickets.sla.calendar import BusinessCalendar, parse_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar(tz=SHANGHAI, weekly={d: parse_hours("09:00-12:00,13:00-18:00") for d in range(5)})
BERLIN_OFFICE = BusinessCalendar(tz=BERLIN, weekly={d: parse_hours("08:00-17:00") for d in range(6)})
ALWAYS = BusinessCalendar.always_open(SHANGHAI)
CALENDARS = st.sampled_from([OFFICE, BERLIN_OFFICE, ALWAYS])
BASE = dt.datetime(2026, 3, 23, 7, 0, tzinfo=dt.UTC)  # Berlin's DST change falls within the window
moments = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda m: BASE + dt.timedelta(minutes=m))
durations = st.integers(min_value=0, max_value=60 * 60).map(lambda m: dt.timedelta(minutes=m))


@settings(max_examples=200, deadline=None)
@given(CALENDARS, moments, durations, st.lists(st.tuples(durations, durations), max_size=4))
def test_pauses_only_push_alarms_later(calendar, start, target, pauses):
    state = clockmath.ClockState.started(start)
    previous = clockmath.alarm_at(calendar, state, target)
    moment = start
    for gap, length in pauses:
        moment = moment + gap
        state = clockmath.pause(state, moment)
        moment = moment + length
        state = clockmath.resume(calendar, state, moment)
        due = clockmath.alarm_at(calendar, state, target)
        assert due >= previous
        previous = due


@settings(max_examples=200, deadline=None)
@given(CALENDARS, moments, durations, durations, durations)
def test_alarm_and_spent_agree(calendar, start, target, gap, pause_length):
    """At the alarm time exactly ``target`` of active time is spent (pause before it included)."""
    state = clockmath.ClockState.started(start)
    state = clockmath.pause(state, start + gap)
    state = clockmath.resume(calendar, state, start + gap + pause_length)
    due = clockmath.alarm_at(calendar, state, target)
    if due >= start + gap + pause_length:  # alarms before the pause ended are not projected
        assert clockmath.spent(calendar, state, due) == target


@settings(max_examples=200, deadline=None)
@given(CALENDARS, CALENDARS, moments, durations, durations, durations)
def test_rebasing_to_another_calendar_keeps_spent_time(old, new, start, run, pause_length, later):
    state = clockmath.ClockState.started(start)
    state = clockmath.pause(state, start + run)
    state = clockmath.resume(old, state, start + run + pause_length)
    switch = start + run + pause_length + later
    spent_then = clockmath.spent(old, state, switch)
    moved = clockmath.rebase(old, state, switch)
    assert clockmath.spent(new, moved, switch) == spent_then
    # from the switch on, the new calendar counts
    week = switch + dt.timedelta(days=7)
    assert clockmath.spent(new, moved, week) == spent_then + new.elapsed(switch, week)


def test_a_paused_clock_is_rebased_at_the_start_of_its_pause_and_stays_paused():
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    state = clockmath.pause(clockmath.ClockState.started(start), start + dt.timedelta(minutes=30))
    moved = clockmath.rebase(OFFICE, state, start + dt.timedelta(hours=5))
    assert moved.paused_since == start + dt.timedelta(minutes=30) and moved.base_at == moved.paused_since
    assert moved.spent_before == dt.timedelta(minutes=30)
    resumed = clockmath.resume(ALWAYS, moved, start + dt.timedelta(hours=5))
    assert clockmath.spent(ALWAYS, resumed, start + dt.timedelta(hours=6)) == dt.timedelta(minutes=90)


def test_spent_is_frozen_while_paused():
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    state = clockmath.pause(clockmath.ClockState.started(start), start + dt.timedelta(minutes=20))
    assert clockmath.spent(OFFICE, state, start + dt.timedelta(days=3)) == dt.timedelta(minutes=20)
    assert clockmath.reached(OFFICE, state, dt.timedelta(minutes=20), start + dt.timedelta(days=3))
    assert not clockmath.reached(OFFICE, state, dt.timedelta(minutes=21), start + dt.timedelta(days=3))
