"""Incremental rollups always equal a recomputation from scratch.

Hypothesis plays random histories straight into the tables — tickets created, answered, waiting,
resolved, reopened, closed, transferred, reassigned and corrected; SLA clocks met and breached
(without touching the ticket, like the sweep); ratings given, changed, flagged and moved — with
back-dated (late-arriving, corrected) event times and changes that commit "late" (their
``updated_at`` behind the clock). In between, the rollups are refreshed: either only by the
every-minute change-stream refresh, or by refreshing the touched sources directly in random
batches and random order, some twice. At the end the whole rollup table (rows that are not 0/0)
and the facts must equal what ``rollups_rebuild()`` computes from scratch.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqm.core.roles import Role
from sqm.feedback.models import Rating
from sqm.kpis.models import KpiCursor, KpiFact, KpiRollup
from sqm.kpis.services.rollups import overlap, refresh_changed, rollups_rebuild, source_refresh
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import (
    SlaEvent,
    SlaPolicy,
    Ticket,
    TicketClock,
    TicketEvent,
    TicketMessage,
    WorkCalendar,
)
from sqm.tickets.tests.factories import CategoryFactory
from sqm.tickets.tests.sla_fixtures import install_defaults

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
WINDOW = dt.datetime(2026, 6, 1, tzinfo=SH)  # event times fall in June and early July
STATUSES = ("new", "open", "pending", "resolved", "closed")
TYPES = ("consultation", "complaint", "fault", "praise")
CHANNELS = ("web", "phone", "email", "chat")


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 7, 10, 9, 0, tzinfo=SH)


def rollup_cells() -> dict[tuple, tuple[int, int]]:
    return {
        (g, p, d, k, m): (n, e)
        for g, p, d, k, m, n, e in KpiRollup.objects.values_list(
            "grain", "period_start", "dimension", "key", "metric", "num", "den"
        )
        if n or e
    }


def fact_rows() -> list[tuple]:
    rows = KpiFact.objects.values_list(
        "source", "source_id", "metric", "day", "ticket_id", "team_id", "agent_id", "channel", "ticket_type",
        "category_id", "num", "den",
    )  # fmt: skip
    return sorted(rows, key=repr)


class History:
    """Random changes written straight into the tables, like services, the sweep and late commits would."""

    def __init__(self, draw, clock: Clock, cast: dict) -> None:
        self.draw, self.clock, self.cast = draw, clock, cast
        self.dirty_tickets: set[int] = set()
        self.dirty_ratings: set[int] = set()
        self.deleted = False

    # -- helpers --
    def pick(self, options):
        return self.draw(st.sampled_from(list(options)))

    def moment(self) -> dt.datetime:
        minutes = self.draw(st.integers(min_value=0, max_value=35 * 24 * 60))
        return WINDOW + dt.timedelta(minutes=minutes)

    def stamp(self) -> dt.datetime:
        """``updated_at`` of a change: now, or a little behind (a transaction that commits late)."""
        self.clock.now += dt.timedelta(seconds=self.draw(st.integers(min_value=1, max_value=200)))
        late = self.draw(st.sampled_from([0, 0, 0, 30, 90]))
        return self.clock.now - dt.timedelta(seconds=late)

    def ticket(self) -> Ticket | None:
        ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
        return Ticket.objects.get(pk=self.pick(ids)) if ids else None

    def touch(self, ticket: Ticket, **fields) -> None:
        fields["updated_at"] = self.stamp()
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        self.dirty_tickets.add(ticket.pk)

    def event(self, ticket: Ticket, kind: str, at: dt.datetime, **data) -> None:
        TicketEvent.objects.create(ticket=ticket, kind=kind, at=at, data=data)

    # -- changes --
    def create(self) -> None:
        created = self.moment()
        stamp = self.stamp()
        agent = self.pick([None, *self.cast["agents"]])
        ticket = Ticket.objects.create(
            type=self.pick(TYPES),
            channel=self.pick(CHANNELS),
            category=self.pick([None, *self.cast["categories"]]),
            team=agent.team if agent else self.pick([None, *self.cast["teams"]]),
            assignee=agent,
            subject="随机",
            customer=self.cast["customer"],
            created_by=self.cast["customer"],
            created_at=created,
            updated_at=stamp,
        )
        TicketMessage.objects.create(ticket=ticket, kind="customer", body="问", created_at=created)
        if agent is not None:
            self.event(ticket, "assigned", created, assignee=agent.pk)
        self.dirty_tickets.add(ticket.pk)

    def message(self) -> None:
        ticket = self.ticket()
        if ticket is None:
            return
        at = ticket.created_at + dt.timedelta(minutes=self.draw(st.integers(0, 9 * 24 * 60)))  # maybe back-dated
        if self.draw(st.booleans()):
            author = self.pick(self.cast["agents"])
            TicketMessage.objects.create(ticket=ticket, kind="reply", author=author, body="答", created_at=at)
            first = ticket.first_response_at
            self.touch(ticket, first_response_at=min(first, at) if first else at)
        else:
            TicketMessage.objects.create(ticket=ticket, kind="customer", body="问", created_at=at)
            self.touch(ticket)

    def status(self) -> None:
        ticket = self.ticket()
        if ticket is None:
            return
        after = self.pick(STATUSES)
        at = ticket.created_at + dt.timedelta(minutes=self.draw(st.integers(0, 12 * 24 * 60)))
        fields: dict = {"status": after}
        if after == "resolved":
            fields["resolved_at"] = at
        if after == "closed":
            fields["closed_at"] = at
            fields["resolved_at"] = ticket.resolved_at or at
        if ticket.status in ("resolved", "closed") and after in ("new", "open", "pending"):
            self.event(ticket, "reopened", at, before=ticket.status)
            fields.update(reopen_count=ticket.reopen_count + 1, resolved_at=None, closed_at=None)
        self.event(ticket, "status", at, before=ticket.status, after=after)
        self.touch(ticket, **fields)

    def transfer(self) -> None:
        ticket = self.ticket()
        if ticket is None:
            return
        team = self.pick(self.cast["teams"])
        at = ticket.created_at + dt.timedelta(minutes=self.draw(st.integers(0, 5 * 24 * 60)))
        self.event(ticket, "transferred", at, before=ticket.team_id, after=team.pk)
        if ticket.assignee_id and self.draw(st.booleans()):
            self.event(ticket, "unassigned", at, previous=ticket.assignee_id)
            self.touch(ticket, team=team, assignee=None)
        else:
            self.touch(ticket, team=team)

    def assign(self) -> None:
        ticket = self.ticket()
        if ticket is None:
            return
        agent = self.pick(self.cast["agents"])
        at = ticket.created_at + dt.timedelta(minutes=self.draw(st.integers(0, 5 * 24 * 60)))
        self.event(ticket, "assigned", at, assignee=agent.pk)
        self.touch(ticket, assignee=agent, team_id=ticket.team_id or agent.team_id)

    def correct(self) -> None:
        """A correction of the ticket itself: type, channel, category or creation time."""
        ticket = self.ticket()
        if ticket is None:
            return
        field = self.pick(["type", "channel", "category", "created_at"])
        value = {
            "type": lambda: self.pick(TYPES),
            "channel": lambda: self.pick(CHANNELS),
            "category": lambda: self.pick([None, *self.cast["categories"]]),
            "created_at": self.moment,
        }[field]()
        self.touch(ticket, **{field: value})

    def sla(self) -> None:
        """The clock meets or breaches a target; like the sweep, the ticket row is not touched."""
        ticket = self.ticket()
        if ticket is None:
            return
        clock = TicketClock.objects.filter(ticket=ticket).first()
        if clock is None:
            clock = TicketClock.objects.create(
                ticket=ticket, policy=self.cast["policy"], calendar=self.cast["calendar"], response_minutes=30,
                resolution_minutes=600, started_at=ticket.created_at, base_at=ticket.created_at,
                spent_before=dt.timedelta(0), paused_business=dt.timedelta(0), updated_at=self.clock.now,
            )  # fmt: skip
        target = self.pick(["response", "resolution"])
        kind = self.pick(["met", "breached", "unmet"])
        at = ticket.created_at + dt.timedelta(minutes=self.draw(st.integers(0, 3 * 24 * 60)))
        if kind == "unmet":  # a reopening un-meets the resolution target
            TicketClock.objects.filter(pk=clock.pk).update(**{f"{target}_met_at": None})
            SlaEvent.objects.create(ticket=ticket, kind="resumed", target=target, at=at, recorded_at=self.clock.now)
        elif kind == "met":
            on_time = self.draw(st.booleans())
            TicketClock.objects.filter(pk=clock.pk).update(**{f"{target}_met_at": at})
            SlaEvent.objects.create(
                ticket=ticket, kind="met", target=target, at=at, on_time=on_time, team_id=ticket.team_id,
                agent_id=ticket.assignee_id, recorded_at=self.clock.now,
            )  # fmt: skip
        else:
            TicketClock.objects.filter(pk=clock.pk).update(**{f"{target}_breached": True})
            SlaEvent.objects.create(
                ticket=ticket, kind="breached", target=target, at=at, team_id=ticket.team_id,
                agent_id=ticket.assignee_id, recorded_at=self.clock.now,
            )  # fmt: skip
        self.dirty_tickets.add(ticket.pk)

    def rate(self) -> None:
        """A rating given, changed (score, answer, flag, agent) or — rarely — given without a ticket."""
        ticket = self.ticket()
        existing = Rating.objects.filter(ticket=ticket).first() if ticket else None
        stamp = self.stamp()
        score = self.draw(st.integers(1, 5))
        recommend = self.draw(st.one_of(st.none(), st.integers(0, 10)))
        if existing is None:
            rating = Rating.objects.create(
                ticket=ticket if self.draw(st.integers(0, 4)) else None,
                agent=self.pick([None, *self.cast["agents"]]),
                team=self.pick([None, *self.cast["teams"]]),
                source=self.pick(["ticket_link", "qr", "portal"]),
                score=score, recommend=recommend, counted=self.draw(st.sampled_from([True, True, False])),
                created_at=self.moment(), updated_at=stamp,
            )  # fmt: skip
        else:
            Rating.objects.filter(pk=existing.pk).update(
                score=score,
                recommend=recommend,
                counted=self.draw(st.booleans()),
                agent=self.pick([None, *self.cast["agents"]]),
                updated_at=stamp,
            )
            rating = existing
        self.dirty_ratings.add(rating.pk)

    def delete(self) -> None:
        """A ticket deleted (with its rating): its facts must go (direct refresh only: no stream sees it)."""
        ticket = self.ticket()
        if ticket is None:
            return
        self.dirty_ratings.update(Rating.objects.filter(ticket=ticket).values_list("pk", flat=True))
        self.dirty_tickets.add(ticket.pk)
        ticket.delete()

    # -- refreshing --
    def refresh_direct(self, rng: random.Random, everything: bool = False) -> None:
        for source, dirty in (("ticket", self.dirty_tickets), ("rating", self.dirty_ratings)):
            ids = sorted(dirty)
            rng.shuffle(ids)
            chosen = ids if everything else ids[: rng.randint(0, len(ids))]
            for start in range(0, len(chosen), 3):
                batch = chosen[start : start + 3]
                source_refresh(source=source, source_ids=batch)
                if rng.random() < 0.2:
                    source_refresh(source=source, source_ids=batch)  # idempotent
            dirty.difference_update(chosen)


CHANGES = ("create", "create", "message", "message", "status", "status", "transfer", "assign", "correct", "sla", "rate")


@pytest.fixture
def cast(monkeypatch: pytest.MonkeyPatch) -> dict:
    install_defaults()
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    teams = [TeamFactory(), TeamFactory()]
    return {
        "clock": clock,
        "teams": teams,
        "agents": [UserFactory(role=Role.AGENT, team=teams[0]), UserFactory(role=Role.AGENT, team=teams[1])],
        "categories": [CategoryFactory(), CategoryFactory()],
        "customer": UserFactory(role=Role.CUSTOMER),
        "policy": SlaPolicy.objects.order_by("pk").first(),
        "calendar": WorkCalendar.objects.get(is_default=True),
    }


def _reset(cast: dict) -> None:
    Rating.objects.all().delete()
    Ticket.objects.all().delete()
    KpiFact.objects.all().delete()
    KpiRollup.objects.all().delete()
    KpiCursor.objects.all().delete()
    cast["clock"].now = dt.datetime(2026, 7, 10, 9, 0, tzinfo=SH)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), stream=st.booleans(), seed=st.integers(0, 2**16))
def test_incremental_rollups_equal_a_rebuild(cast, data, stream, seed):
    _reset(cast)
    rng = random.Random(seed)
    history = History(data.draw, cast["clock"], cast)
    for _ in range(data.draw(st.integers(1, 4), label="tickets at first")):
        history.create()
    steps = data.draw(st.lists(st.sampled_from(CHANGES), min_size=4, max_size=30), label="changes")
    if not stream and data.draw(st.booleans(), label="delete one"):
        steps.insert(rng.randrange(len(steps)), "delete")
    for step in steps:
        getattr(history, step)()
        if rng.random() < 0.4:  # the refresh runs between some changes, not after every one
            refresh_changed() if stream else history.refresh_direct(rng)
    cast["clock"].now += dt.timedelta(seconds=1)
    if stream:
        refresh_changed()
    else:
        history.refresh_direct(rng, everything=True)
    incremental, incremental_facts = rollup_cells(), fact_rows()
    assert incremental or not Ticket.objects.exists(), "the tickets are counted"
    rollups_rebuild()
    assert rollup_cells() == incremental
    assert fact_rows() == incremental_facts


def _ticket(cast: dict, **fields) -> Ticket:
    created = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH)
    ticket = Ticket.objects.create(
        type="consultation", channel="web", subject="宽带", customer=cast["customer"], created_by=cast["customer"],
        created_at=created, updated_at=cast["clock"].now, team=cast["teams"][0], **fields,
    )  # fmt: skip
    TicketMessage.objects.create(ticket=ticket, kind="customer", body="问", created_at=created)
    return ticket


def test_refresh_is_idempotent_and_a_second_stream_run_refreshes_nothing(cast):
    tickets = [_ticket(cast) for _ in range(3)]
    first = refresh_changed()
    assert first["tickets"]["refreshed"] == 3
    cells = rollup_cells()
    assert cells[("month", dt.date(2026, 6, 1), "centre", "", "volume")] == (3, 0)
    again = refresh_changed()
    assert again["tickets"]["refreshed"] == 0 and again["ratings"]["refreshed"] == 0
    assert source_refresh(source="ticket", source_ids=[t.pk for t in tickets]).changed == 0
    assert rollup_cells() == cells


def test_overlap_catches_a_change_that_commits_late(cast):
    """A change whose ``updated_at`` lies before the cursor (its transaction committed after the last
    run read the stream) is still refreshed, as long as it is within the overlap."""
    ticket = _ticket(cast)
    refresh_changed()
    cast["clock"].now += dt.timedelta(seconds=30)
    late = cast["clock"].now - overlap() + dt.timedelta(seconds=40)  # behind the cursor, inside the overlap
    Ticket.objects.filter(pk=ticket.pk).update(type="complaint", updated_at=late)
    result = refresh_changed()
    assert result["tickets"]["changed"] == 1
    assert KpiFact.objects.filter(source_id=ticket.pk, metric="complaints").count() == 1
