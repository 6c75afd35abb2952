"""The precomputed calendar view the demo uses (``BusinessIndex``) gives exactly the answers of the
calendar itself, and the in-memory policy match (``match_policy``) the answers of ``policy_for``."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqm.org.models import CustomerTier
from sqm.tickets.models import Priority, SlaPolicy, TicketType
from sqm.tickets.sla import china
from sqm.tickets.sla import services as sla
from sqm.tickets.sla.calendar import BusinessCalendar, BusinessIndex, parse_hours
from sqm.tickets.tests.sla_fixtures import install_defaults

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")  # has DST
ORIGIN = dt.datetime(2025, 11, 1, tzinfo=SHANGHAI)
SPAN = dt.timedelta(days=400)


def _china(hours: str) -> BusinessCalendar:
    holidays, makeup = china.schedule([2025, 2026])
    weekly = {d: parse_hours(hours) for d in range(5)}
    return BusinessCalendar(tz=SHANGHAI, weekly=weekly, holidays=frozenset(holidays), makeup_days=frozenset(makeup))


CALENDARS = [
    _china("09:00-18:00"),
    _china("08:30-12:00,13:30-17:30,19:00-21:00"),
    BusinessCalendar(tz=BERLIN, weekly={d: parse_hours("01:30-03:30,08:00-17:00") for d in range(6)}),
    BusinessCalendar(tz=BERLIN, weekly={d: parse_hours("22:00-24:00") for d in range(7)}),  # runs to midnight
    BusinessCalendar.always_open(BERLIN),
]
INDEXES = [(calendar, BusinessIndex(calendar, ORIGIN, SPAN)) for calendar in CALENDARS]
MOMENT = st.integers(min_value=0, max_value=int(SPAN.total_seconds()) + 40 * 86400)  # also past the span
BUSINESS = st.integers(min_value=0, max_value=20 * 86400)


def _at(seconds: int) -> dt.datetime:
    return ORIGIN + dt.timedelta(seconds=seconds)


@settings(max_examples=400, deadline=None)
@given(pair=st.sampled_from(INDEXES), start=MOMENT, business=BUSINESS)
def test_index_add_equals_the_calendar(pair, start, business):
    calendar, index = pair
    due = index.add(start, business)
    assert _at(due) == calendar.add(_at(start), dt.timedelta(seconds=business))


@settings(max_examples=400, deadline=None)
@given(pair=st.sampled_from(INDEXES), start=MOMENT, length=MOMENT)
def test_index_elapsed_equals_the_calendar(pair, start, length):
    calendar, index = pair
    end = start + length // 3
    assert index.elapsed(start, end) == calendar.elapsed(_at(start), _at(end)).total_seconds()


def test_index_exact_cases_around_national_day():
    calendar, index = INDEXES[0]
    eve = int((dt.datetime(2026, 9, 30, 17, 30, tzinfo=SHANGHAI) - ORIGIN).total_seconds())
    assert _at(index.add(eve, 3600)) == dt.datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI)
    assert _at(index.add(eve, 1800)) == dt.datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)  # ends at closing time
    assert index.add(eve, 0) == eve
    week = index.elapsed(eve, eve + 9 * 86400)
    # 17:30-18:00 on the eve, all of 8 October, 9 October until 17:30
    assert week == calendar.elapsed(_at(eve), _at(eve + 9 * 86400)).total_seconds() == (30 + 9 * 60 + 510) * 60
    with pytest.raises(ValueError):
        index.add(eve, -1)


@pytest.mark.django_db
def test_match_policy_equals_policy_for_for_every_combination(users_by_role):
    from sqm.core.roles import Role
    from sqm.tickets.tests.factories import TicketFactory

    install_defaults()
    manager = users_by_role[Role.QUALITY_MANAGER]
    later = sla.policy_draft_save(
        actor=manager,
        code="complaint",
        name="2026",
        ticket_type="complaint",
        effective_from=dt.date(2026, 6, 1),
        response_minutes=45,
        resolution_minutes=600,
    )
    sla.policy_publish(actor=manager, policy=later)
    sla.policy_draft_save(  # a draft never applies
        actor=manager,
        code="key",
        name="key",
        tier="key_account",
        effective_from=dt.date(2025, 1, 1),
        response_minutes=5,
        resolution_minutes=60,
    )
    policies = list(SlaPolicy.objects.all())
    ticket = TicketFactory()
    for kind, priority, tier, day in itertools.product(
        TicketType.values,
        Priority.values,
        [None, *CustomerTier.values],
        [dt.date(2025, 12, 1), dt.date(2026, 6, 1)],
    ):
        ticket.type, ticket.priority = kind, priority
        expected = sla.policy_for(ticket, day, tier=tier)
        found = sla.match_policy(policies, ticket_type=kind, priority=priority, tier=tier, on=day)
        assert found == expected, (kind, priority, tier, day)
