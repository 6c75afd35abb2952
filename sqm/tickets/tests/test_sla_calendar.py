"""Business-time arithmetic: exact cases for China's 2026 schedule and properties for any calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from sqm.tickets.sla import china
from sqm.tickets.sla.calendar import BusinessCalendar, CalendarError, check_intervals, parse_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")  # has DST
NINE_TO_SIX = parse_hours("09:00-18:00")
SPLIT = parse_hours("08:30-12:00,13:30-17:30,19:00-21:00")


def _china_2026(hours=NINE_TO_SIX) -> BusinessCalendar:
    holidays, makeup = china.schedule([2025, 2026, 2027] if 2027 in china.known_years() else [2025, 2026])
    return BusinessCalendar(
        tz=SHANGHAI, weekly={d: hours for d in range(5)}, holidays=frozenset(holidays), makeup_days=frozenset(makeup)
    )


def at(text: str, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


# --- exact cases -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2026-09-30T17:30", 60, "2026-10-08T09:30"),  # the National Day week is closed
        ("2026-10-09T17:00", 120, "2026-10-10T10:00"),  # Saturday 10 October is a make-up working day
        ("2026-10-10T17:30", 60, "2026-10-12T09:30"),  # …and Sunday 11 October is not
        ("2026-02-13T17:00", 120, "2026-02-14T10:00"),  # Saturday 14 February: make-up day before Spring Festival
        ("2026-02-14T17:00", 120, "2026-02-24T10:00"),  # Spring Festival holiday 15-23 February
        ("2026-06-19T08:00", 60, "2026-06-22T10:00"),  # Dragon Boat Festival (Friday 19 June)
        ("2026-11-23T12:00", 0, "2026-11-23T12:00"),
        ("2026-11-22T12:00", 0, "2026-11-22T12:00"),  # zero from a closed moment stays put
        ("2026-11-21T12:00", 1, "2026-11-23T09:01"),
        ("2026-11-23T09:00", 540, "2026-11-23T18:00"),  # ends exactly at closing time
        ("2026-11-23T09:00", 541, "2026-11-24T09:01"),
    ],
)
def test_china_2026_due_times(start, minutes, due):
    assert _china_2026().add(at(start), dt.timedelta(minutes=minutes)) == at(due)


def test_split_shifts_and_lunch_break():
    calendar = BusinessCalendar(tz=SHANGHAI, weekly={d: SPLIT for d in range(7)})
    assert calendar.add(at("2026-11-23T11:30"), dt.timedelta(minutes=60)) == at("2026-11-23T14:00")
    assert calendar.add(at("2026-11-23T17:00"), dt.timedelta(minutes=60)) == at("2026-11-23T19:30")
    assert calendar.elapsed(at("2026-11-23T08:00"), at("2026-11-24T08:00")) == dt.timedelta(hours=9.5)


def test_elapsed_over_the_national_day_week():
    calendar = _china_2026()
    assert calendar.elapsed(at("2026-09-30T17:30"), at("2026-10-08T09:30")) == dt.timedelta(minutes=60)
    assert calendar.elapsed(at("2026-10-01T00:00"), at("2026-10-07T23:59")) == dt.timedelta(0)


def test_24x7_equals_plain_arithmetic_across_dst():
    calendar = BusinessCalendar.always_open(BERLIN)
    start = at("2026-03-28T22:00", BERLIN)  # DST starts 29 March at 02:00
    assert calendar.add(start, dt.timedelta(hours=6)) == (start.astimezone(dt.UTC) + dt.timedelta(hours=6))
    assert calendar.elapsed(start, at("2026-03-29T06:00", BERLIN)) == dt.timedelta(hours=7)


def test_a_calendar_with_no_open_time_is_an_error():
    with pytest.raises(CalendarError):
        BusinessCalendar(tz=SHANGHAI, weekly={}).add(at("2026-01-01T00:00"), dt.timedelta(minutes=1))


@pytest.mark.parametrize("text", ["18:00-09:00", "09:00-12:00,11:00-13:00", "nine-to-five", "09:00"])
def test_bad_working_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_hours(text)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        _china_2026().elapsed(at("2026-11-23T09:00"), dt.datetime(2026, 11, 24))


# --- properties --------------------------------------------------------------------------------

START = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 1))
DURATION = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda m: dt.timedelta(minutes=m))
CALENDARS = st.sampled_from(
    [
        _china_2026(),
        _china_2026(SPLIT),
        BusinessCalendar(tz=BERLIN, weekly={d: parse_hours("01:30-03:30,08:00-17:00") for d in range(6)}),
        BusinessCalendar.always_open(BERLIN),
    ]
)


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, start=START, business=DURATION)
def test_add_and_elapsed_are_inverse(calendar, start, business):
    start = start.replace(tzinfo=calendar.tz)
    due = calendar.add(start, business)
    assert calendar.elapsed(start, due) == business
    assert due >= start


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, start=START, business=DURATION.filter(bool))
def test_due_times_never_fall_in_closed_time(calendar, start, business):
    start = start.replace(tzinfo=calendar.tz)
    due = calendar.add(start, business)
    just_before = due - dt.timedelta(microseconds=1)
    assert calendar.is_open(just_before), due


@settings(max_examples=200, deadline=None)
@given(calendar=CALENDARS, start=START, business=DURATION, pause=DURATION)
def test_pauses_only_push_due_times_later(calendar, start, business, pause):
    start = start.replace(tzinfo=calendar.tz)
    assert calendar.add(start, business + pause) >= calendar.add(start, business)


@settings(max_examples=200, deadline=None)
@given(calendar=CALENDARS, start=START, first=DURATION, second=DURATION)
def test_adding_in_two_steps_equals_adding_once(calendar, start, first, second):
    start = start.replace(tzinfo=calendar.tz)
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


def test_intervals_are_sorted_and_checked():
    assert check_intervals([(dt.time(13), dt.time(17)), (dt.time(9), dt.time(12))])[0][0] == dt.time(9)


# --- the command ---------------------------------------------------------------------------------


def test_sla_due_command_prints_the_issue_example(capsys):
    call_command("sla", "due", "--start", "2026-09-30T17:30+08:00", "--minutes", "60", "--holidays", "CN")
    assert capsys.readouterr().out.strip() == "2026-10-08T09:30:00+08:00"


def test_sla_due_command_with_24h_calendar(capsys):
    call_command(
        "sla", "due", "--start", "2026-09-30T17:30+08:00", "--minutes", "60", "--hours", "24h", "--days", "mon-sun"
    )
    assert capsys.readouterr().out.strip() == "2026-09-30T18:30:00+08:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "yesterday", "--minutes", "5"], "--start"),
        (["--start", "2026-01-01T00:00+08:00", "--minutes", "5", "--hours", "18:00-09:00"], "ends before"),
        (["--start", "2026-01-01T00:00+08:00", "--minutes", "5", "--days", "funday"], "unknown day"),
        (["--start", "2026-01-01T00:00+08:00", "--minutes", "5", "--tz", "Mars/Olympus"], "--tz"),
    ],
)
def test_sla_due_command_names_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("sla", "due", *args)
