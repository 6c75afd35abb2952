"""Colour by threshold (a pure function) and the choice of the indicator that judges a slice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from sqm.kpis.selectors.dashboard import (
    GREEN,
    GREY,
    NO_TARGET,
    ORANGE,
    RED,
    WATCH,
    YELLOW,
    Targets,
    better,
    judge,
    judge_against,
    judging_day,
)
from sqm.kpis.values import kpi_value

HIGHER = {"direction": "higher", "target": D("90"), "yellow": D("88"), "orange": D("85"), "red": D("80")}
LOWER = {"direction": "lower", "target": D("30"), "yellow": D("35"), "orange": D("45"), "red": D("60")}


@pytest.mark.parametrize(
    ("value", "light"),
    [
        ("99", GREEN),
        ("90", GREEN),  # exactly on target
        ("89.9", WATCH),  # missed, no threshold reached
        ("88", YELLOW),  # reaching a threshold counts
        ("86", YELLOW),
        ("85", ORANGE),
        ("80.1", ORANGE),
        ("80", RED),
        ("0", RED),
    ],
)
def test_higher_is_better(value, light):
    assert judge(D(value), 100, **HIGHER) == light


@pytest.mark.parametrize(
    ("value", "light"),
    [
        ("0", GREEN),
        ("30", GREEN),
        ("30.5", WATCH),
        ("35", YELLOW),
        ("44.9", YELLOW),
        ("45", ORANGE),
        ("59", ORANGE),
        ("60", RED),
        ("600", RED),
    ],
)
def test_lower_is_better(value, light):
    assert judge(D(value), 100, **LOWER) == light


def test_too_few_cases_or_no_value_is_grey_whatever_the_value():
    assert judge(D("10"), 29, min_volume=30, **HIGHER) == GREY  # would be red
    assert judge(D("99"), 29, min_volume=30, **HIGHER) == GREY  # would be green
    assert judge(D("99"), 30, min_volume=30, **HIGHER) == GREEN  # the minimum itself is enough
    assert judge(None, 500, **HIGHER) == GREY


def test_judge_against_uses_the_indicator_and_its_minimum_volume(db):
    from sqm.kpis.tests.factories import in_force

    indicator = in_force(kpi="sla_resolution", target="95", yellow="92", orange="90", red="85", min_volume=10)
    assert judge_against(kpi_value("sla_resolution", 9, 10), indicator) == ORANGE  # 90 %
    assert judge_against(kpi_value("sla_resolution", 8, 9), indicator) == GREY  # 9 cases < 10
    assert judge_against(kpi_value("sla_resolution", 10, 10), None) == NO_TARGET


def test_better_follows_the_direction_of_the_kpi():
    assert better("csat", D("1.5")) is True
    assert better("csat", D("-1")) is False
    assert better("first_response_business", D("-3")) is True  # faster is better
    assert better("complaint_rate", D("0.4")) is False
    assert better("csat", D("0")) is None and better("csat", None) is None


def test_a_period_is_judged_by_its_last_day_or_today_while_it_runs():
    today = dt.date(2026, 11, 20)
    assert judging_day("month", dt.date(2026, 10, 1), today) == dt.date(2026, 10, 31)
    assert judging_day("month", dt.date(2026, 11, 1), today) == today
    assert judging_day("week", dt.date(2026, 11, 9), today) == dt.date(2026, 11, 15)
    assert judging_day("day", dt.date(2026, 11, 3), today) == dt.date(2026, 11, 3)


@pytest.mark.django_db
def test_a_slice_is_judged_by_its_own_scope_then_each_then_the_centre():
    from sqm.kpis.tests.factories import in_force, retire_starter_library

    retire_starter_library()
    centre = in_force(kpi="csat", target="90", yellow="88", orange="85", red="80")
    each_team = in_force(kpi="csat", target="85", yellow="80", orange="75", red="70", scope="team")
    team_a = in_force(kpi="csat", target="95", yellow="92", orange="90", red="85", scope="team", scope_key="A01")
    phone = in_force(kpi="csat", target="80", yellow="75", orange="70", red="60", scope="channel", scope_key="phone")
    targets = Targets.on(dt.date(2026, 11, 1))

    assert targets.for_slice("csat", "centre") == centre
    assert targets.for_slice("csat", "team", "7", team_code="A01") == team_a
    assert targets.for_slice("csat", "team", "8", team_code="B02") == each_team
    assert targets.for_slice("csat", "agent", "42", team_code="A01") == team_a  # judged like their team
    assert targets.for_slice("csat", "agent", "43") == centre  # no team
    assert targets.for_slice("csat", "channel", "phone") == phone
    assert targets.for_slice("csat", "channel", "web") == centre
    assert targets.for_slice("csat", "category", "5") == centre
    assert targets.for_slice("nps", "centre") is None


@pytest.mark.django_db
def test_the_standard_in_force_on_the_day_judges():
    from sqm.kpis.tests.factories import in_force, retire_starter_library

    retire_starter_library()
    in_force(kpi="fcr", target="70", yellow="65", orange="60", red="50", since=dt.date(2026, 6, 1))
    assert Targets.on(dt.date(2026, 5, 31)).for_slice("fcr", "centre") is None
    assert Targets.on(dt.date(2026, 6, 1)).for_slice("fcr", "centre").target == D("70")
