"""A hand-computed fixture: 24 tickets and 11 ratings, worked through the real ticket services with
a frozen clock, on the shipped centre calendar (Mon–Fri 09:00–18:00, China's 2026 holidays: the
Dragon Boat Festival closes Friday 19 June) and the shipped SLA policies (service: respond in 30,
resolve in 27 business hours; complaint: 60 minutes and 24 business hours).

Every KPI is checked to its exact value — per centre for both weeks and the month, and per team,
agent, channel, type and category for some — first as the every-minute incremental refresh left
the rollups, then after a rebuild from scratch (which must give the same table).

The cast (all June 2026, centre time):

* Q1–Q6  consultations, web, category X. Mon 15th 10:00, agent a1 (team A) answers at 10:20 and
  resolves at 11:00. Q5 and Q6 are closed on Tue 16th. Rated Mon 12:00: 5/10, 5/9, 4/8, 3/6, 5/–, 1/0.
* C2     complaint, web, X. Mon 09:30 a1 answers 09:45; at 10:00 the lead transfers it to team B,
  b1 takes it, writes at 11:00 and resolves at 15:00 (transferred: not first-contact).
* R1     consultation, web, X. Mon 14:00, a2 (team A) answers 14:20, resolves 15:00; the customer
  reopens Tue 10:00, a2 answers 11:00 and resolves 12:00. Rated Tue 13:00 2/3, changed Wed to 4/9.
* C3     complaint, web, X. Tue 09:00, never answered: the SLA sweep (Tue 23rd 12:00) records the
  response breached at Tue 10:00 and the resolution breached at Thu 18th 15:00. Still open.
* QR     a QR-code rating for team B without a ticket, Wed 09:00: 4/–.
* S1, S2 faults, web, category Y. Wed 16:00, a2. S1 answered 17:30, S2 Thu 09:30 (both past the
  30-minute response target: breached Wed 16:30). Both resolved Mon 22nd 10:00 (Friday is a
  holiday: 12 business hours). S1 rated Mon 22nd 12:00: 3/7.
* P1     fault, web, Y. Thu 10:00, b1 answers 10:10 and waits on the customer (the clock pauses),
  the customer answers Mon 22nd 09:30, b1 replies 10:00 and resolves 11:00. Rated Mon 12:00 5/10.
* C1     complaint logged by phone by b1 Thu 17:00, Y; answered 17:10, resolved 17:50. Rated
  1/2 but the rating is flagged as not counted.
* N1–N10 consultations logged by phone by b1 Mon 22nd 14:00, no category; answered 14:05,
  resolved 14:10.
* O1     praise, web, Tue 23rd 11:00, unanswered; the sweep at 12:00 finds its response breached at 11:30.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sqm.core.roles import Role
from sqm.feedback.models import Rating
from sqm.kpis.models import KpiRollup
from sqm.kpis.selectors import facts_behind, rollup_breakdown, rollup_series, rollup_value
from sqm.kpis.services.rollups import refresh_changed, rollups_rebuild
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets import services
from sqm.tickets.models import ProcessStep, Status, Ticket
from sqm.tickets.sla.sweep import sweep
from sqm.tickets.tests.factories import CategoryFactory, on_shift_agent
from sqm.tickets.tests.sla_fixtures import FrozenTime, at, install_defaults

pytestmark = pytest.mark.django_db

JUNE, WEEK1, WEEK2 = dt.date(2026, 6, 1), dt.date(2026, 6, 15), dt.date(2026, 6, 22)


class World:
    """The centre of the fixture and a log of everything the test did, in time order."""

    def __init__(self, frozen: FrozenTime) -> None:
        self.frozen = frozen
        self.team_a, self.team_b = TeamFactory(), TeamFactory()
        self.a1 = on_shift_agent(team=self.team_a)
        self.a2 = on_shift_agent(team=self.team_a)
        self.b1 = on_shift_agent(team=self.team_b, skills=(("channel", "phone"),))
        self.lead = UserFactory(role=Role.TEAM_LEAD, team=self.team_b)
        self.customer = UserFactory(role=Role.CUSTOMER, email="kehu@example.com")
        self.x, self.y = CategoryFactory(), CategoryFactory()

    def at(self, when: str) -> None:
        """Let the every-minute refresh see what happened so far, then move the clock on."""
        refresh_changed()
        self.frozen.set(when)

    def web(self, kind: str, category=None) -> Ticket:
        ticket, _ = services.ticket_create(
            actor=self.customer, customer=self.customer, type=kind, subject="宽带", channel="web", category=category
        )
        return ticket

    def phone(self, kind: str, agent, category=None) -> Ticket:
        ticket, _ = services.ticket_create(
            actor=agent, customer=self.customer, type=kind, subject="来电", channel="phone", category=category
        )
        return ticket

    def assign(self, ticket: Ticket, agent) -> None:
        services.assign_to(actor=self.lead, ticket=ticket, agent=agent)

    def reply(self, ticket: Ticket, agent, wait: bool = False) -> None:
        services.ticket_reply(actor=agent, ticket=ticket, body="您好，已为您处理。", wait_for_customer=wait)

    def resolve(self, ticket: Ticket, agent) -> None:
        services.ticket_transition(actor=agent, ticket=ticket, status=Status.RESOLVED)

    def rate(self, ticket: Ticket | None, score: int, recommend: int | None, agent=None, team=None, **kw) -> Rating:
        now = self.frozen.now
        return Rating.objects.create(
            ticket=ticket,
            customer=self.customer,
            agent=agent,
            team=team,
            source=kw.pop("source", "ticket_link"),
            score=score,
            recommend=recommend,
            created_at=now,
            updated_at=now,
            **kw,
        )


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    install_defaults()
    ProcessStep.objects.update(is_active=False)  # the fixture is about KPIs, not process steps
    return World(FrozenTime(monkeypatch, at("2026-06-15T09:30")))


def play(w: World) -> dict[str, object]:
    """Work the month through the services, the refresh running between steps. Returns the cast."""
    a1, a2, b1 = w.a1, w.a2, w.b1
    # Monday 15 June
    c2 = w.web("complaint", w.x)
    w.assign(c2, a1)
    w.at("2026-06-15T09:45")
    w.reply(c2, a1)
    w.at("2026-06-15T10:00")
    services.ticket_transfer(actor=w.lead, ticket=c2, team=w.team_b)
    w.assign(c2, b1)
    quick = [w.web("consultation", w.x) for _ in range(6)]
    for ticket in quick:
        w.assign(ticket, a1)
    w.at("2026-06-15T10:20")
    for ticket in quick:
        w.reply(ticket, a1)
    w.at("2026-06-15T11:00")
    for ticket in quick:
        w.resolve(ticket, a1)
    w.reply(c2, b1)  # nobody was waiting: not a response
    w.at("2026-06-15T12:00")
    for ticket, (score, recommend) in zip(quick, [(5, 10), (5, 9), (4, 8), (3, 6), (5, None), (1, 0)], strict=True):
        w.rate(ticket, score, recommend, a1, w.team_a)
    w.at("2026-06-15T14:00")
    r1 = w.web("consultation", w.x)
    w.assign(r1, a2)
    w.at("2026-06-15T14:20")
    w.reply(r1, a2)
    w.at("2026-06-15T15:00")
    w.resolve(r1, a2)
    w.resolve(c2, b1)
    # Tuesday 16 June
    w.at("2026-06-16T09:00")
    c3 = w.web("complaint", w.x)
    for ticket in quick[4:]:
        services.ticket_transition(actor=a1, ticket=ticket, status=Status.CLOSED)
    w.at("2026-06-16T10:00")
    services.ticket_reopen(actor=w.customer, ticket=r1, reason="还是上不了网")
    w.at("2026-06-16T11:00")
    w.reply(r1, a2)
    w.at("2026-06-16T12:00")
    w.resolve(r1, a2)
    w.at("2026-06-16T13:00")
    r1_rating = w.rate(r1, 2, 3, a2, w.team_a)
    # Wednesday 17 June
    w.at("2026-06-17T09:00")
    w.rate(None, 4, None, team=w.team_b, source="qr")
    w.at("2026-06-17T10:00")
    before_change = {m: rollup_value(m, "month", JUNE).value for m in ("csat", "nps", "avg_rating")}
    Rating.objects.filter(pk=r1_rating.pk).update(score=4, recommend=9, updated_at=w.frozen.now)
    w.at("2026-06-17T16:00")
    s1, s2 = w.web("fault", w.y), w.web("fault", w.y)
    w.assign(s1, a2)
    w.assign(s2, a2)
    w.at("2026-06-17T17:30")
    w.reply(s1, a2)
    # Thursday 18 June
    w.at("2026-06-18T09:30")
    w.reply(s2, a2)
    w.at("2026-06-18T10:00")
    p1 = w.web("fault", w.y)
    w.assign(p1, b1)
    w.at("2026-06-18T10:10")
    w.reply(p1, b1, wait=True)
    w.at("2026-06-18T17:00")
    c1 = w.phone("complaint", b1, w.y)
    w.at("2026-06-18T17:10")
    w.reply(c1, b1)
    w.at("2026-06-18T17:50")
    w.resolve(c1, b1)
    w.at("2026-06-18T18:00")
    w.rate(c1, 1, 2, b1, w.team_b, counted=False)
    # Monday 22 June (Friday 19 was the Dragon Boat Festival)
    w.at("2026-06-22T09:30")
    services.ticket_customer_reply(actor=w.customer, ticket=p1, body="资料已补充")
    w.at("2026-06-22T10:00")
    w.reply(p1, b1)
    w.resolve(s1, a2)
    w.resolve(s2, a2)
    w.at("2026-06-22T11:00")
    w.resolve(p1, b1)
    w.at("2026-06-22T12:00")
    w.rate(p1, 5, 10, b1, w.team_b)
    w.rate(s1, 3, 7, a2, w.team_a)
    w.at("2026-06-22T14:00")
    calls = [w.phone("consultation", b1) for _ in range(10)]
    w.at("2026-06-22T14:05")
    for ticket in calls:
        w.reply(ticket, b1)
    w.at("2026-06-22T14:10")
    for ticket in calls:
        w.resolve(ticket, b1)
    # Tuesday 23 June
    w.at("2026-06-23T11:00")
    o1 = w.web("praise")
    w.at("2026-06-23T12:00")
    sweep(now=w.frozen.now)
    refresh_changed()
    return {"c3": c3, "s1": s1, "s2": s2, "o1": o1, "before_change": before_change}


def value(metric: str, grain: str, start: dt.date, dimension: str = "centre", key: object = "") -> Decimal | None:
    return rollup_value(metric, grain, start, dimension, str(key)).value


D = Decimal

# metric: (June, week of 15th, week of 22nd), centre. Derivations in the comments (seconds, counts).
CENTRE = {
    "volume": (D(24), D(13), D(11)),
    "complaints": (D(3), D(3), D(0)),
    # 3 complaints per 24 tickets ×1000; 3/13; 0/11
    "complaint_rate": (D("125.00"), D("230.77"), D("0.00")),
    # created and resolved by now: 22/24, 12/13 (C3 open), 10/11 (O1 open)
    "resolution_rate": (D("91.7"), D("92.3"), D("90.9")),
    # open at the end of the period: June C3+O1; week 1 C3, S1, S2, P1; week 2 C3+O1
    "backlog": (D(2), D(4), D(2)),
    # Q 6×1200 + S1 5400 + S2 63000 (overnight) + C1 600 + C2 900 + R1 1200 + P1 600 + N 10×300
    # = 81900 s / 22; week 1 78900 s / 12; week 2 3000 s / 10
    "first_response_calendar": (D("62.0"), D("109.6"), D("5.0")),
    # the same with S2 as 2.5 business hours (9000 s): 27900 s / 22; week 1 24900 s / 12
    "first_response_business": (D("21.1"), D("34.6"), D("5.0")),
    # 24 answers: 6×1200 + 5400 + 9000 + 600 + 900 + R1 1200+3600 + P1 600+1800 + 10×300 = 33300 s
    "avg_response": (D("23.1"), D("36.5"), D("7.3")),
    # 6×3600 + S 2×410400 + 3000 + 19800 + R1 10800 (without the resolved day) + P1 349200 + 10×600
    "resolution_time_calendar": (D("15.55"), D("1.70"), D("25.13")),
    # the same in business hours: S 2×43200 (Friday a holiday), P1 36000 (waiting included)
    "resolution_time_business": (D("2.32"), D("1.70"), D("2.74")),
    # first-contact: all but C2 (transferred), R1 (reopened), P1 (two answers): 19/22; 7/9; 12/13
    "fcr": (D("86.4"), D("77.8"), D("92.3")),
    "reopen_rate": (D("4.5"), D("11.1"), D("0.0")),
    # response misses: S1, S2 (Wed 16:30), C3 (Tue 10:00), O1 (23rd 11:30): 20/24; 10/13; 10/11
    "sla_response": (D("83.3"), D("76.9"), D("90.9")),
    # resolution miss: C3 (Thu 15:00); O1 still running: 22/23; 9/10; 13/13
    "sla_resolution": (D("95.7"), D("90.0"), D("100.0")),
    # counted ratings: Q 5,5,4,3,5,1; R1 4 (changed from 2); QR 4; P1 5; S1 3 → 7 of 10 are 4–5
    "csat": (D("70.0"), D("75.0"), D("50.0")),
    "avg_rating": (D("3.90"), D("3.88"), D("4.00")),
    # answers 10,9,8,6,0 (Q), 9 (R1), 10 (P1), 7 (S1): 4 promoters − 2 detractors of 8
    "nps": (D("25.0"), D("16.7"), D("50.0")),
}


def check(w: World, cast: dict[str, object]) -> None:
    from sqm.standards.catalogue import KpiCode

    assert set(CENTRE) == {code.value for code in KpiCode}, "the fixture checks every KPI"
    for metric, (june, week1, week2) in CENTRE.items():
        got = (value(metric, "month", JUNE), value(metric, "week", WEEK1), value(metric, "week", WEEK2))
        assert got == (june, week1, week2), metric

    a, b, a1, a2, b1 = w.team_a.pk, w.team_b.pk, w.a1.pk, w.a2.pk, w.b1.pk
    # Days.
    assert value("first_response_calendar", "day", dt.date(2026, 6, 18)) == D("356.7")  # (63000+600+600)/3 s
    assert [value("backlog", "day", dt.date(2026, 6, d)) for d in (15, 16, 17, 18, 19, 21, 22, 23)] == [
        D(0), D(1), D(3), D(4), D(4), D(4), D(1), D(2)
    ]  # fmt: skip
    assert value("volume", "day", dt.date(2026, 6, 15)) == D(8)
    # Series and breakdowns (the dashboard's reads) agree with the single values.
    series = rollup_series("backlog", "day", dt.date(2026, 6, 15), dt.date(2026, 6, 18))
    assert [v.value for _start, v in series] == [D(0), D(1), D(3), D(4)]
    assert [v.value for _start, v in rollup_series("backlog", "week", WEEK1, WEEK2)] == [D(4), D(2)]
    assert [v.value for _start, v in rollup_series("csat", "week", WEEK1, WEEK2)] == [D("75.0"), D("50.0")]
    backlog = rollup_breakdown("backlog", "week", WEEK1, "team")
    assert {k: v.value for k, v in backlog.items()} == {str(w.team_a.pk): D(2), str(w.team_b.pk): D(1)}
    volume = rollup_breakdown("volume", "month", JUNE, "channel")
    assert {k: v.value for k, v in volume.items()} == {"web": D(13), "phone": D(11)}
    # Teams (month).
    assert (value("volume", "month", JUNE, "team", a), value("volume", "month", JUNE, "team", b)) == (D(9), D(13))
    assert value("first_response_business", "month", JUNE, "team", a) == D("39.5")  # 23700 s / 10
    assert value("first_response_business", "month", JUNE, "team", b) == D("5.8")  # 4200 s / 12
    assert value("resolution_time_calendar", "month", JUNE, "team", a) == D("26.33")  # 853200 s / 9
    assert value("resolution_time_calendar", "month", JUNE, "team", b) == D("8.08")  # 378000 s / 13
    assert value("complaint_rate", "month", JUNE, "team", b) == D("153.85")  # C1, C2 of 13
    assert value("sla_response", "month", JUNE, "team", a) == D("80.0")  # S1, S2 missed of 10
    assert value("sla_response", "month", JUNE, "team", b) == D("100.0")
    assert value("csat", "month", JUNE, "team", a) == D("62.5")  # 4 of Q + R1, not S1: 5/8
    assert value("csat", "month", JUNE, "team", b) == D("100.0")  # P1 and QR (C1 not counted)
    assert value("backlog", "week", WEEK1, "team", a) == D(2)  # S1, S2
    assert value("backlog", "month", JUNE, "team", a) == D(0)
    # Agents (month).
    assert value("volume", "month", JUNE, "agent", a1) == D(6)
    assert value("first_response_business", "month", JUNE, "agent", a1) == D("19.3")  # Q and C2: 8100 s / 7
    assert value("first_response_business", "month", JUNE, "agent", a2) == D("86.7")  # 15600 s / 3
    assert value("fcr", "month", JUNE, "agent", a1) == D("100.0")
    assert value("csat", "month", JUNE, "agent", a1) == D("66.7")
    assert value("resolution_time_business", "month", JUNE, "agent", a2) == D("9.00")  # 97200 s / 3
    assert value("sla_resolution", "month", JUNE, "agent", b1) == D("100.0")
    assert value("volume", "month", JUNE, "agent", b1) == D(13)
    assert value("backlog", "day", dt.date(2026, 6, 18), "agent", b1) == D(1)  # P1 waiting on the customer
    # Channels, types, categories.
    assert value("volume", "month", JUNE, "channel", "phone") == D(11)
    assert value("fcr", "month", JUNE, "channel", "phone") == D("100.0")
    assert value("csat", "month", JUNE, "channel", "qr") == D("100.0")
    assert value("complaint_rate", "month", JUNE, "type", "complaint") == D("1000.00")
    assert value("volume", "month", JUNE, "type", "fault") == D(3)
    assert value("volume", "month", JUNE, "type", "praise") == D(1)
    assert value("volume", "month", JUNE, "category", w.x.pk) == D(9)
    assert value("volume", "month", JUNE, "category", w.y.pk) == D(4)
    # Drill-down: the tickets behind the missed response targets of week 1.
    missed = facts_behind("sla_response", "week", WEEK1).filter(num=0).values_list("ticket_id", flat=True)
    assert sorted(missed) == sorted([cast["c3"].pk, cast["s1"].pk, cast["s2"].pk])


def cells() -> dict[tuple, tuple[int, int]]:
    return {
        (r.grain, r.period_start, r.dimension, r.key, r.metric): (r.num, r.den)
        for r in KpiRollup.objects.all()
        if r.num or r.den
    }


def test_every_kpi_to_the_exact_value_incrementally_and_after_a_rebuild(world):
    cast = play(world)
    # Before the change (Q1–Q6, R1 as 2/3, QR): CSAT 5/8, NPS (2−3)/6, average 29/8.
    assert cast["before_change"] == {"csat": D("62.5"), "nps": D("-16.7"), "avg_rating": D("3.63")}
    check(world, cast)
    incremental = cells()
    rollups_rebuild()
    assert cells() == incremental, "a rebuild from scratch gives the rollups the refreshes kept"
    check(world, cast)
