"""The exact KPI definitions of sqm.kpis.facts, case by case, on plain objects (no database), and
the fast business-time arithmetic against the calendar it stands in for."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as NS
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqm.kpis.facts import Fact, WorkTime, compact, rating_facts, ticket_facts
from sqm.tickets.sla import china
from sqm.tickets.sla.calendar import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")
NINE_SIX = ((dt.time(9), dt.time(18)),)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def china_calendar() -> BusinessCalendar:
    holidays, makeup = china.schedule(list(china.known_years()))
    return BusinessCalendar(
        tz=SH, weekly={d: NINE_SIX for d in range(5)}, holidays=frozenset(holidays), makeup_days=frozenset(makeup)
    )


WORK = WorkTime(china_calendar())
ALWAYS = WorkTime(None)


def ticket(**kw: object) -> NS:
    base = dict(
        id=7, type="consultation", status="open", channel="web", category_id=3, team_id=10, assignee_id=100,
        created_at=at("2026-06-15T10:00"), first_response_at=None, resolved_at=None, closed_at=None,
        reopen_count=0, updated_at=at("2026-06-15T10:00"),
    )  # fmt: skip
    base.update(kw)
    return NS(**base)


def msg(kind: str, when: str, author: int | None = None) -> NS:
    return NS(kind=kind, created_at=at(when), author_id=author)


def ev(kind: str, when: str, **data: object) -> NS:
    return NS(kind=kind, at=at(when), data=data)


def by_metric(facts: list[Fact]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for f in facts:
        out.setdefault(f.metric, []).append((f.day, f.team_id, f.agent_id, f.num, f.den))
    for rows in out.values():
        rows.sort(key=lambda r: (r[0], r[1] or 0, r[2] or 0, r[3]))
    return out


def test_worktime_known_values():
    # Wed 2026-06-17 17:00 → Mon 06-22 10:00: 1 h Wed, 9 h Thu, Fri 06-19 Dragon Boat holiday, weekend, 1 h Mon.
    assert WORK.elapsed(at("2026-06-17T17:00"), at("2026-06-22T10:00")) == dt.timedelta(hours=11)
    # Sat 2026-02-14 is a make-up working day (09:00–18:00 like a Monday).
    assert WORK.elapsed(at("2026-02-14T08:00"), at("2026-02-14T12:30")) == dt.timedelta(hours=3, minutes=30)
    assert WORK.elapsed(at("2026-06-18T12:00"), at("2026-06-18T11:00")) == dt.timedelta(0)
    assert ALWAYS.elapsed(at("2026-06-18T12:00"), at("2026-06-19T13:30")) == dt.timedelta(hours=25, minutes=30)


moments = st.integers(min_value=0, max_value=2 * 365 * 86400 * 1000).map(
    lambda ms: dt.datetime(2025, 1, 1, tzinfo=SH) + dt.timedelta(milliseconds=ms)
)


@settings(max_examples=300, deadline=None)
@given(moments, st.integers(min_value=0, max_value=40 * 86400 * 1000))
def test_worktime_equals_business_calendar(start, span_ms):
    calendar = china_calendar()
    end = start + dt.timedelta(milliseconds=span_ms)
    assert WorkTime(calendar).elapsed(start, end) == calendar.elapsed(start, end)
    assert WORK.elapsed(start, end) == calendar.elapsed(start, end)  # a shared instance, any order of questions


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(min_value=0, max_value=10 * 86400 * 1000))
def test_worktime_split_shifts_and_daylight_saving(start, span_ms):
    berlin = ZoneInfo("Europe/Berlin")  # DST changes on 2025-03-30, 2025-10-26, 2026-03-29, 2026-10-25
    hours = ((dt.time(0), dt.time(2, 30)), (dt.time(8), dt.time(12)), (dt.time(13), dt.time.max))
    calendar = BusinessCalendar(tz=berlin, weekly={d: hours for d in range(6)})
    start = start.astimezone(berlin)
    end = start + dt.timedelta(milliseconds=span_ms)
    assert WorkTime(calendar).elapsed(start, end) == calendar.elapsed(start, end)


def test_compact_sums_same_key_and_drops_zero():
    d = day("2026-06-15")
    facts = [
        Fact("backlog", d, 1, 10, 100, "web", "fault", 3, 1, 0),
        Fact("backlog", d, 1, 10, 100, "web", "fault", 3, -1, 0),
        Fact("avg_response", d, 1, 10, 100, "web", "fault", 3, 60, 1),
        Fact("avg_response", d, 1, 10, 100, "web", "fault", 3, 30, 1),
    ]
    assert compact(facts) == [Fact("avg_response", d, 1, 10, 100, "web", "fault", 3, 90, 2)]


def test_open_ticket_counts_volume_backlog_and_resolution_rate_cohort():
    facts = by_metric(ticket_facts(ticket(), messages=[msg("customer", "2026-06-15T10:00")], events=[], worktime=WORK))
    assert facts == {
        "volume": [(day("2026-06-15"), 10, 100, 1, 0)],
        "complaint_rate": [(day("2026-06-15"), 10, 100, 0, 1)],
        "resolution_rate": [(day("2026-06-15"), 10, 100, 0, 1)],
        "backlog": [(day("2026-06-15"), 10, 100, 1, 0)],
    }


def test_answered_and_resolved_ticket():
    t = ticket(
        status="closed",
        first_response_at=at("2026-06-15T10:30"),
        resolved_at=at("2026-06-16T11:00"),
        closed_at=at("2026-06-20T09:00"),
        type="complaint",
    )
    messages = [
        msg("customer", "2026-06-15T10:00", 500),
        msg("reply", "2026-06-15T10:30", 101),  # another agent answered first
        msg("customer", "2026-06-15T17:30", 500),
        msg("customer", "2026-06-16T08:00", 500),  # still the 17:30 message that waits
        msg("reply", "2026-06-16T09:15", 100),
        msg("reply", "2026-06-16T09:20", 100),  # a follow-up: nobody was waiting
    ]
    events = [
        ev("assigned", "2026-06-15T10:05", assignee=100),
        ev("status", "2026-06-15T10:30", before="new", after="open"),
        ev("status", "2026-06-16T11:00", before="open", after="resolved"),
        ev("status", "2026-06-20T09:00", before="resolved", after="closed"),
    ]
    facts = by_metric(ticket_facts(t, messages=messages, events=events, worktime=WORK))
    d15, d16 = day("2026-06-15"), day("2026-06-16")
    assert facts["volume"] == [(d15, 10, 100, 1, 0)]
    assert facts["complaints"] == [(d15, 10, 100, 1, 0)]
    assert facts["complaint_rate"] == [(d15, 10, 100, 1, 1)]
    assert facts["resolution_rate"] == [(d15, 10, 100, 1, 1)]
    assert facts["first_response_calendar"] == [(d15, 10, 101, 1800, 1)]
    assert facts["first_response_business"] == [(d15, 10, 101, 1800, 1)]
    # 10:00 → 10:30 = 30 min; 17:30 Mon → 09:15 Tue = 30 + 15 business minutes.
    assert facts["avg_response"] == [(d15, 10, 101, 1800, 1), (d16, 10, 100, 2700, 1)]
    # Created Mon 10:00, resolved Tue 11:00: 25 h calendar, 8 + 2 = 10 business hours.
    assert facts["resolution_time_calendar"] == [(d16, 10, 100, 25 * 3600, 1)]
    assert facts["resolution_time_business"] == [(d16, 10, 100, 10 * 3600, 1)]
    assert facts["fcr"] == [(d16, 10, 100, 0, 1)]  # three replies
    assert facts["reopen_rate"] == [(d16, 10, 100, 0, 1)]
    # Unassigned 10:00–10:05 (+1/-1 the same day cancel out), then agent 100 until resolution.
    assert facts["backlog"] == [(d15, 10, 100, 1, 0), (d16, 10, 100, -1, 0)]
    assert "sla_response" not in facts  # no SLA clock


def test_reopened_ticket_counts_final_resolution_without_the_gap():
    t = ticket(
        status="resolved",
        first_response_at=at("2026-06-15T11:00"),
        resolved_at=at("2026-06-23T10:00"),
        reopen_count=1,
    )
    events = [
        ev("status", "2026-06-15T12:00", before="open", after="resolved"),
        ev("reopened", "2026-06-22T09:00", before="resolved"),
        ev("status", "2026-06-22T09:00", before="resolved", after="open"),
        ev("status", "2026-06-23T10:00", before="open", after="resolved"),
    ]
    messages = [msg("customer", "2026-06-15T10:00"), msg("reply", "2026-06-15T11:00", 100)]
    facts = by_metric(ticket_facts(t, messages=messages, events=events, worktime=WORK))
    d23 = day("2026-06-23")
    # Active 10:00–12:00 on the 15th (2 h) and 09:00 22nd → 10:00 23rd (25 h calendar, 9 + 1 business).
    assert facts["resolution_time_calendar"] == [(d23, 10, 100, 27 * 3600, 1)]
    assert facts["resolution_time_business"] == [(d23, 10, 100, 12 * 3600, 1)]
    assert facts["reopen_rate"] == [(d23, 10, 100, 1, 1)]
    assert facts["fcr"] == [(d23, 10, 100, 0, 1)]
    # The 15th's +1 and -1 cancel out; back in the backlog from the reopening until the 23rd.
    assert facts["backlog"] == [(day("2026-06-22"), 10, 100, 1, 0), (d23, 10, 100, -1, 0)]


def test_reopened_and_still_open_ticket_has_no_resolution_facts():
    t = ticket(status="open", resolved_at=None, reopen_count=1)
    events = [
        ev("status", "2026-06-15T12:00", before="open", after="resolved"),
        ev("reopened", "2026-06-16T09:00", before="resolved"),
        ev("status", "2026-06-16T09:00", before="resolved", after="open"),
    ]
    facts = by_metric(ticket_facts(t, messages=[], events=events, worktime=WORK))
    assert not {"resolution_time_business", "fcr", "reopen_rate"} & facts.keys()
    assert facts["resolution_rate"] == [(day("2026-06-15"), 10, 100, 0, 1)]
    assert facts["backlog"] == [(day("2026-06-16"), 10, 100, 1, 0)]


def test_transferred_ticket_is_not_first_contact_and_moves_team_backlog():
    t = ticket(status="resolved", team_id=20, assignee_id=200, resolved_at=at("2026-06-16T10:00"))
    events = [
        ev("assigned", "2026-06-15T10:00", assignee=100),
        ev("transferred", "2026-06-15T15:00", before=10, after=20),
        ev("unassigned", "2026-06-15T15:00", previous=100),
        ev("assigned", "2026-06-16T09:00", assignee=200),
        ev("status", "2026-06-16T10:00", before="open", after="resolved"),
    ]
    messages = [msg("customer", "2026-06-15T10:00"), msg("reply", "2026-06-16T09:30", 200)]
    t.first_response_at = at("2026-06-16T09:30")
    facts = by_metric(ticket_facts(t, messages=messages, events=events, worktime=WORK))
    d15, d16 = day("2026-06-15"), day("2026-06-16")
    assert facts["fcr"] == [(d16, 20, 200, 0, 1)]  # one reply, but transferred
    # Mon 10:00 → Tue 09:30: 8 h + 30 min of business time; team 20 by then.
    assert facts["first_response_business"] == [(d16, 20, 200, 8 * 3600 + 1800, 1)]
    # With team 10 (and agent 100) only within the 15th: what is left is team 20 waiting for an agent
    # overnight; agent 200's stretch starts and ends on the 16th.
    assert facts["backlog"] == [(d15, 20, None, 1, 0), (d16, 20, None, -1, 0)]


def test_first_contact_resolution():
    t = ticket(status="resolved", first_response_at=at("2026-06-15T10:10"), resolved_at=at("2026-06-15T10:20"))
    messages = [msg("customer", "2026-06-15T10:00"), msg("reply", "2026-06-15T10:10", 100)]
    events = [ev("status", "2026-06-15T10:20", before="open", after="resolved")]
    facts = by_metric(ticket_facts(t, messages=messages, events=events, worktime=WORK))
    assert facts["fcr"] == [(day("2026-06-15"), 10, 100, 1, 1)]
    assert "backlog" not in facts  # opened and resolved the same day


def test_day_is_the_centres_local_date():
    t = ticket(created_at=dt.datetime(2026, 6, 15, 17, 30, tzinfo=dt.UTC))  # 01:30 on the 16th in Shanghai
    facts = ticket_facts(t, messages=[], events=[], worktime=WORK)
    assert {f.day for f in facts} == {day("2026-06-16")}


def clock(**kw: object) -> NS:
    base = dict(
        response_met_at=None, resolution_met_at=None, response_breached=False, resolution_breached=False,
        due_response_at=None, due_resolution_at=None,
    )  # fmt: skip
    base.update(kw)
    return NS(**base)


def sla(kind: str, target: str, when: str, on_time: bool | None = None, team: int = 10, agent: int | None = 100):
    return NS(kind=kind, target=target, at=at(when), on_time=on_time, team_id=team, agent_id=agent)


def test_sla_verdicts():
    t = ticket(status="resolved", resolved_at=at("2026-06-17T10:00"))
    events = [ev("status", "2026-06-17T10:00", before="open", after="resolved")]
    c = clock(
        response_met_at=at("2026-06-15T10:20"), resolution_met_at=at("2026-06-17T10:00"), resolution_breached=True
    )
    sla_events = [
        sla("met", "response", "2026-06-15T10:20", True, agent=101),
        sla("breached", "resolution", "2026-06-16T16:00", agent=None),
        sla("met", "resolution", "2026-06-17T10:00", False),
    ]
    facts = by_metric(ticket_facts(t, messages=[], events=events, worktime=WORK, clock=c, sla_events=sla_events))
    assert facts["sla_response"] == [(day("2026-06-15"), 10, 101, 1, 1)]
    # Late: attributed to the breach (its day, team and — nobody — agent).
    assert facts["sla_resolution"] == [(day("2026-06-16"), 10, None, 0, 1)]


def test_sla_breached_and_still_running_counts_as_missed():
    t = ticket()
    c = clock(response_breached=True)
    sla_events = [sla("warned", "response", "2026-06-15T10:22"), sla("breached", "response", "2026-06-15T10:30")]
    facts = by_metric(ticket_facts(t, messages=[], events=[], worktime=WORK, clock=c, sla_events=sla_events))
    assert facts["sla_response"] == [(day("2026-06-15"), 10, 100, 0, 1)]
    assert "sla_resolution" not in facts  # still running, not yet due


def test_sla_reopened_after_on_time_resolution_waits_for_the_next():
    t = ticket(status="open", reopen_count=1)
    c = clock(response_met_at=at("2026-06-15T10:20"))  # resolution un-met by the reopening
    sla_events = [sla("met", "response", "2026-06-15T10:20", True), sla("met", "resolution", "2026-06-15T12:00", True)]
    facts = by_metric(ticket_facts(t, messages=[], events=[], worktime=WORK, clock=c, sla_events=sla_events))
    assert "sla_resolution" not in facts
    assert facts["sla_response"] == [(day("2026-06-15"), 10, 100, 1, 1)]


def test_sla_rearmed_breach_then_met_on_time_counts_as_met():
    t = ticket(status="resolved", resolved_at=at("2026-06-16T10:00"))
    c = clock(response_met_at=at("2026-06-15T10:50"), resolution_met_at=at("2026-06-16T10:00"))
    sla_events = [
        sla("breached", "response", "2026-06-15T10:30"),  # then the priority fell and the target grew
        sla("met", "response", "2026-06-15T10:50", True),
    ]
    facts = by_metric(ticket_facts(t, messages=[], events=[], worktime=WORK, clock=c, sla_events=sla_events))
    assert facts["sla_response"] == [(day("2026-06-15"), 10, 100, 1, 1)]
    assert "sla_resolution" not in facts  # met, but no met event recorded: no verdict to read


def rating(**kw: object) -> NS:
    base = dict(
        id=1, ticket_id=7, score=4, recommend=None, counted=True, created_at=at("2026-06-16T20:00"), team_id=None,
        agent_id=None, source="ticket_link",
    )  # fmt: skip
    base.update(kw)
    return NS(**base)


@pytest.mark.parametrize(
    ("score", "recommend", "expected"),
    [
        (5, 10, {"csat": (1, 1), "avg_rating": (5, 1), "nps": (1, 1)}),
        (4, 9, {"csat": (1, 1), "avg_rating": (4, 1), "nps": (1, 1)}),
        (3, 8, {"csat": (0, 1), "avg_rating": (3, 1), "nps": (0, 1)}),
        (2, 7, {"csat": (0, 1), "avg_rating": (2, 1), "nps": (0, 1)}),
        (1, 6, {"csat": (0, 1), "avg_rating": (1, 1), "nps": (-1, 1)}),
        (5, 0, {"csat": (1, 1), "avg_rating": (5, 1), "nps": (-1, 1)}),
        (5, None, {"csat": (1, 1), "avg_rating": (5, 1)}),
    ],
)
def test_rating_facts(score, recommend, expected):
    facts = rating_facts(rating(score=score, recommend=recommend, agent_id=300, team_id=30), ticket())
    assert {f.metric: (f.num, f.den) for f in facts} == expected
    assert {(f.day, f.team_id, f.agent_id, f.channel, f.ticket_type, f.category_id, f.ticket_id) for f in facts} == {
        (day("2026-06-16"), 30, 300, "web", "consultation", 3, 7)
    }


def test_rating_falls_back_to_ticket_people_and_qr_channel():
    facts = rating_facts(rating(), ticket())
    assert {(f.team_id, f.agent_id) for f in facts} == {(10, 100)}
    qr = rating_facts(rating(ticket_id=None, source="qr", team_id=30))
    assert {(f.team_id, f.agent_id, f.channel, f.ticket_type, f.category_id) for f in qr} == {
        (30, None, "qr", "", None)
    }
    assert rating_facts(rating(counted=False), ticket()) == []
