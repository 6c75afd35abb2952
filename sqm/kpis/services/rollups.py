"""KPI facts and rollups: incremental refresh from the change streams, and rebuild from scratch.

**Refresh** (:func:`source_refresh`): for a set of sources (tickets or ratings), recompute their
facts (:mod:`sqm.kpis.facts`), compare them with the stored facts, replace only what differs and
add the difference to every rollup cell it touches — day, ISO week and month × centre and the
five dimensions — with one atomic upsert-increment per cell::

    INSERT … ON CONFLICT (grain, period_start, dimension, key, metric)
    DO UPDATE SET num = num + excluded.num, den = den + excluded.den

A source is locked while it is refreshed (``SELECT … FOR UPDATE`` on its row, and on a ticket's
SLA clock, on PostgreSQL; SQLite's IMMEDIATE transactions let one writer in at a time), so two
workers refreshing the same ticket take turns and the second finds the facts the first wrote:
nothing is counted twice. Cells are upserted in one global order, so concurrent refreshes never
deadlock on them. Cells that fall back to 0/0 are left in place (readers skip them; a rebuild
drops them).

**Change streams** (:func:`refresh_changed`, every minute): tickets by ``(updated_at, id)``,
ratings by ``(updated_at, id)`` and SLA events by id — the SLA sweep records breaches without
touching the ticket row. Each stream is re-read with a safety overlap (``SQM_KPI_REFRESH_OVERLAP``
seconds, default 120) so a transaction that commits late is not missed; what was refreshed
inside the overlap is remembered in the cursor and not refreshed again.

**Rebuild** (:func:`rollups_rebuild`): every fact recomputed in chunks (bulk inserts), then the
rollups recomputed in SQL with ``INSERT … SELECT … GROUP BY`` — day cells from the facts, week and
month cells from the day cells.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.feedback.models import Rating
from sqm.kpis.facts import Fact, WorkTime, rating_facts, ticket_facts
from sqm.kpis.models import Dimension, FactSource, Grain, KpiCursor, KpiFact, KpiRollup
from sqm.kpis.periods import period_start
from sqm.tickets.models import SlaEvent, TeamCalendar, Ticket, TicketClock, TicketEvent, TicketMessage, WorkCalendar
from sqm.tickets.sla.calendars import business_calendar

GRAINS = (Grain.DAY.value, Grain.WEEK.value, Grain.MONTH.value)
BATCH = 200  # sources per refresh transaction
UPSERT_ROWS = 500  # rollup cells per upsert statement
REBUILD_CHUNK = 5_000  # sources per rebuild transaction
EVENT_KINDS = frozenset({"status", "reopened", "transferred", "assigned", "unassigned"})
SLA_KINDS = frozenset({"met", "breached"})
MESSAGE_KINDS = frozenset({"customer", "reply"})
STREAM_TICKETS, STREAM_RATINGS, STREAM_SLA = "tickets", "ratings", "sla_events"
FACT_COLUMNS = (
    "source",
    "source_id",
    "metric",
    "day",
    "ticket_id",
    "team_id",
    "agent_id",
    "channel",
    "ticket_type",
    "category_id",
    "num",
    "den",
)
# Fact field index → rollup dimension (the centre is every fact's first cell).
DIMENSION_OF_FIELD = (
    (3, Dimension.TEAM.value),
    (4, Dimension.AGENT.value),
    (5, Dimension.CHANNEL.value),
    (6, Dimension.TYPE.value),
    (7, Dimension.CATEGORY.value),
)
FACT_COLUMN_OF_DIMENSION = {
    Dimension.TEAM.value: "team_id",
    Dimension.AGENT.value: "agent_id",
    Dimension.CHANNEL.value: "channel",
    Dimension.TYPE.value: "ticket_type",
    Dimension.CATEGORY.value: "category_id",
}


def overlap() -> dt.timedelta:
    """How far back each change stream is re-read (late commits); ``SQM_KPI_REFRESH_OVERLAP`` seconds."""
    return dt.timedelta(seconds=int(getattr(settings, "SQM_KPI_REFRESH_OVERLAP", 120)))


def _batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


# --- reading sources ------------------------------------------------------------------------------


class TicketRow(NamedTuple):
    id: int
    type: str
    status: str
    channel: str
    category_id: int | None
    team_id: int | None
    assignee_id: int | None
    created_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int
    updated_at: dt.datetime


class MessageRow(NamedTuple):
    kind: str
    created_at: dt.datetime
    author_id: int | None


class EventRow(NamedTuple):
    kind: str
    at: dt.datetime
    data: dict[str, Any]


class ClockRow(NamedTuple):
    calendar_id: int
    response_met_at: dt.datetime | None
    resolution_met_at: dt.datetime | None
    response_breached: bool
    resolution_breached: bool
    due_response_at: dt.datetime | None
    due_resolution_at: dt.datetime | None


class SlaRow(NamedTuple):
    kind: str
    target: str
    at: dt.datetime
    on_time: bool | None
    team_id: int | None
    agent_id: int | None


class RatingRow(NamedTuple):
    id: int
    ticket_id: int | None
    score: int
    recommend: int | None
    counted: bool
    created_at: dt.datetime
    team_id: int | None
    agent_id: int | None
    source: str


class TicketDims(NamedTuple):
    team_id: int | None
    assignee_id: int | None
    channel: str
    type: str
    category_id: int | None


def _to_datetime() -> Callable[[Any], dt.datetime | None]:
    """Values of :func:`_dt` columns → aware datetimes. Reading the text and parsing it with
    ``datetime.fromisoformat`` is several times faster than the drivers' own conversion, which
    matters when a rebuild reads millions of timestamps."""
    parse = dt.datetime.fromisoformat
    if connection.vendor != "sqlite":
        return lambda value: None if value is None else parse(value)  # text with its offset, e.g. +00

    def from_text(value: Any) -> dt.datetime | None:
        if value is None:
            return None
        try:
            return parse(value + "+00:00")  # Django keeps UTC without an offset in SQLite
        except ValueError:
            moment = parse(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    return from_text


def _dt(column: str) -> str:
    """A datetime column as the raw cursor reads it: as text, parsed by :func:`_to_datetime`."""
    return f"CAST({column} AS TEXT)"


def _json_fields(column: str, *names: str) -> str:
    """Top-level fields of a JSON column, as separate columns."""
    if connection.vendor == "sqlite":
        return ", ".join(f"json_extract({column}, '$.{name}')" for name in names)
    return ", ".join(f"{column}->>'{name}'" for name in names)


def _id(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _where(column: str, ids: Sequence[int] | None, span: tuple[int, int | None] | None) -> tuple[str, list[Any]]:
    """``column IN (ids)`` or ``lo < column <= hi`` (hi None: no upper bound)."""
    if ids is not None:
        return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)
    assert span is not None
    lo, hi = span
    if hi is None:
        return f"{column} > %s", [lo]
    return f"{column} > %s AND {column} <= %s", [lo, hi]


class Calendars:
    """Which working calendar each ticket's business time is measured on: its SLA clock's, else
    its team's, else the centre default; no calendar at all means always open."""

    _cache: dict[tuple[int, int, str], WorkTime] = {}

    def __init__(self) -> None:
        self.calendars = {c.pk: c for c in WorkCalendar.objects.all()}
        self.team = dict(TeamCalendar.objects.values_list("team_id", "calendar_id"))
        self.default = next((pk for pk, c in self.calendars.items() if c.is_default), None)
        self._always = WorkTime(None)

    def worktime(self, team_id: int | None, clock_calendar_id: int | None) -> WorkTime:
        calendar_id = clock_calendar_id or (self.team.get(team_id) if team_id is not None else None) or self.default
        calendar = self.calendars.get(calendar_id) if calendar_id else None
        if calendar is None or calendar.is_24x7:
            return self._always
        key = (calendar.pk, calendar.version, calendar.updated_at.isoformat() if calendar.updated_at else "")
        work = self._cache.get(key)
        if work is None:
            if len(self._cache) > 64:
                self._cache.clear()
            work = self._cache[key] = WorkTime(business_calendar(calendar))
        return work


def _ticket_sources(
    *, ids: Sequence[int] | None = None, span: tuple[int, int | None] | None = None, calendars: Calendars
) -> dict[int, list[Fact]]:
    """The facts of the tickets with these ids (or in this id span), read in five queries."""
    conv = _to_datetime()
    new = tuple.__new__  # builds the row tuples at C speed (a NamedTuple's own __new__ is a Python call)
    tickets_table, messages_table = _quote(Ticket._meta.db_table), _quote(TicketMessage._meta.db_table)
    events_table, clocks_table = _quote(TicketEvent._meta.db_table), _quote(TicketClock._meta.db_table)
    sla_table = _quote(SlaEvent._meta.db_table)
    tickets: dict[int, TicketRow] = {}
    messages: dict[int, list[MessageRow]] = defaultdict(list)
    events: dict[int, list[EventRow]] = defaultdict(list)
    clocks: dict[int, ClockRow] = {}
    sla: dict[int, list[SlaRow]] = defaultdict(list)
    with connection.cursor() as cursor:
        where, params = _where("id", ids, span)
        cursor.execute(
            f"SELECT id, type, status, channel, category_id, team_id, assignee_id, {_dt('created_at')}, "
            f"{_dt('first_response_at')}, {_dt('resolved_at')}, {_dt('closed_at')}, reopen_count, "
            f"{_dt('updated_at')} FROM {tickets_table} WHERE {where}",
            params,
        )
        for r in cursor.fetchall():
            created, updated = conv(r[7]), conv(r[12])
            assert created is not None and updated is not None  # NOT NULL columns
            tickets[r[0]] = TicketRow(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], created, conv(r[8]), conv(r[9]), conv(r[10]), r[11], updated
            )  # fmt: skip
        if not tickets:
            return {}
        # Kinds are filtered here, not in SQL: a ``kind IN (…)`` lets the planner pick the kind
        # index and read every event of those kinds instead of the chunk's tickets' rows.
        where, params = _where("ticket_id", ids, span)
        cursor.execute(
            f"SELECT ticket_id, kind, {_dt('created_at')}, author_id FROM {messages_table} "
            f"WHERE {where} ORDER BY ticket_id, created_at, id",
            params,
        )
        for ticket_id, kind, created_at, author_id in cursor.fetchall():
            if kind in MESSAGE_KINDS:
                messages[ticket_id].append(new(MessageRow, (kind, conv(created_at), author_id)))
        cursor.execute(
            f"SELECT ticket_id, kind, {_dt('at')}, {_json_fields('data', 'before', 'after', 'assignee')} "
            f"FROM {events_table} WHERE {where} ORDER BY ticket_id, at, id",
            params,
        )
        for ticket_id, kind, at, before, after, assignee in cursor.fetchall():
            if kind not in EVENT_KINDS:
                continue
            if kind == "status":
                data: dict[str, Any] = {"before": before, "after": after}
            elif kind == "transferred":
                data = {"before": _id(before), "after": _id(after)}
            elif kind == "assigned":
                data = {"assignee": _id(assignee)}
            else:
                data = {}
            events[ticket_id].append(new(EventRow, (kind, conv(at), data)))
        cursor.execute(
            f"SELECT ticket_id, calendar_id, {_dt('response_met_at')}, {_dt('resolution_met_at')}, response_breached, "
            f"resolution_breached, {_dt('due_response_at')}, {_dt('due_resolution_at')} FROM {clocks_table} "
            f"WHERE {where}",
            params,
        )
        for r in cursor.fetchall():
            clocks[r[0]] = ClockRow(r[1], conv(r[2]), conv(r[3]), bool(r[4]), bool(r[5]), conv(r[6]), conv(r[7]))
        if clocks:
            cursor.execute(
                f"SELECT ticket_id, kind, target, {_dt('at')}, on_time, team_id, agent_id FROM {sla_table} "
                f"WHERE {where} ORDER BY ticket_id, at, id",
                params,
            )
            for ticket_id, kind, target, at, on_time, team_id, agent_id in cursor.fetchall():
                if kind not in SLA_KINDS:
                    continue
                flag = None if on_time is None else bool(on_time)
                sla[ticket_id].append(new(SlaRow, (kind, target, conv(at), flag, team_id, agent_id)))
    out: dict[int, list[Fact]] = {}
    for ticket_id, ticket in tickets.items():
        clock = clocks.get(ticket_id)
        out[ticket_id] = ticket_facts(
            ticket,
            messages=messages.get(ticket_id, ()),
            events=events.get(ticket_id, ()),
            worktime=calendars.worktime(ticket.team_id, clock.calendar_id if clock else None),
            clock=clock,
            sla_events=sla.get(ticket_id, ()),
        )
    return out


def _rating_sources(
    *, ids: Sequence[int] | None = None, span: tuple[int, int | None] | None = None
) -> dict[int, list[Fact]]:
    """The facts of the ratings with these ids (or in this id span), with their tickets' dimensions."""
    conv = _to_datetime()
    ratings_table, tickets_table = _quote(Rating._meta.db_table), _quote(Ticket._meta.db_table)
    where, params = _where("r.id", ids, span)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.ticket_id, r.score, r.recommend, r.counted, {_dt('r.created_at')}, r.team_id, r.agent_id, "
            "r.source, t.team_id, t.assignee_id, t.channel, t.type, t.category_id "
            f"FROM {ratings_table} r LEFT JOIN {tickets_table} t ON t.id = r.ticket_id WHERE {where}",
            params,
        )
        rows = cursor.fetchall()
    out: dict[int, list[Fact]] = {}
    for r in rows:
        rating = RatingRow(r[0], r[1], r[2], r[3], bool(r[4]), conv(r[5]), r[6], r[7], r[8])  # type: ignore[arg-type]
        ticket = TicketDims(r[9], r[10], r[11] or "", r[12] or "", r[13]) if r[1] is not None and r[11] else None
        out[rating.id] = rating_facts(rating, ticket)
    return out


# --- applying facts -------------------------------------------------------------------------------


def _cells(facts: Iterable[Fact], sign: int, into: dict[tuple[Any, ...], list[int]]) -> None:
    """Add ``sign`` × each fact to every rollup cell it counts in."""
    starts: dict[dt.date, tuple[dt.date, ...]] = {}
    for fact in facts:
        day = fact.day
        periods = starts.get(day)
        if periods is None:
            periods = starts[day] = tuple(period_start(day, grain) for grain in GRAINS)
        keys = [(Dimension.CENTRE.value, "")]
        for index, dimension in DIMENSION_OF_FIELD:
            value = fact[index]
            if value is not None and value != "":
                keys.append((dimension, str(value)))
        num, den = sign * fact.num, sign * fact.den
        for grain, start in zip(GRAINS, periods, strict=True):
            for dimension, key in keys:
                cell = into.get((grain, start, dimension, key, fact.metric))
                if cell is None:
                    into[(grain, start, dimension, key, fact.metric)] = [num, den]
                else:
                    cell[0] += num
                    cell[1] += den


def _upsert(delta: dict[tuple[Any, ...], list[int]]) -> int:
    """Add each cell's (num, den) to the rollups in one global order (no deadlocks); returns cells written."""
    rows = sorted((k, v) for k, v in delta.items() if v[0] or v[1])
    if not rows:
        return 0
    table = _quote(KpiRollup._meta.db_table)
    columns = ", ".join(_quote(c) for c in ("grain", "period_start", "dimension", "key", "metric", "num", "den"))
    conflict = ", ".join(_quote(c) for c in ("grain", "period_start", "dimension", "key", "metric"))
    num, den = _quote("num"), _quote("den")
    update = (
        f"ON CONFLICT ({conflict}) DO UPDATE SET "
        f"{num} = {table}.{num} + excluded.{num}, {den} = {table}.{den} + excluded.{den}"
    )
    if connection.vendor == "postgresql":
        # Seven arrays instead of thousands of parameters: PostgreSQL plans a long VALUES list slowly.
        with connection.cursor() as cursor:
            for batch in _batched(rows, 5 * UPSERT_ROWS):
                columns_of = list(zip(*[(*key, *value) for key, value in batch], strict=True))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT * FROM unnest(%s::varchar[], %s::date[], "
                    f"%s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[], %s::bigint[]) {update}",
                    [list(column) for column in columns_of],
                )
        return len(rows)
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for batch in _batched(rows, UPSERT_ROWS):
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params: list[Any] = []
            for (grain, start, dimension, key, metric), (n, d) in batch:
                params += [grain, adapt(start), dimension, key, metric, n, d]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} {update}", params)
    return len(rows)


@dataclass
class RefreshResult:
    """What a refresh did: sources looked at, sources whose facts changed, facts and cells written,
    and the ratings refreshed along with their tickets."""

    sources: int = 0
    changed: int = 0
    facts_added: int = 0
    facts_removed: int = 0
    cells: int = 0
    ratings: int = 0

    def add(self, other: RefreshResult) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


def _replace(source: str, ids: Sequence[int], new: dict[int, list[Fact]]) -> RefreshResult:
    """Make the stored facts of these sources equal ``new`` and move the rollups by the difference."""
    stored: dict[tuple[int, Fact], list[int]] = defaultdict(list)
    rows = KpiFact.objects.filter(source=source, source_id__in=ids).values_list(
        "id", "source_id", "metric", "day", "ticket_id", "team_id", "agent_id", "channel", "ticket_type",
        "category_id", "num", "den",
    )  # fmt: skip
    for row in rows:
        stored[(row[1], Fact(*row[2:]))].append(row[0])
    wanted = Counter((source_id, fact) for source_id, facts in new.items() for fact in facts)
    removed: list[Fact] = []
    added: list[tuple[int, Fact]] = []
    drop: list[int] = []
    for key, pks in stored.items():
        extra = len(pks) - wanted.get(key, 0)
        if extra > 0:
            drop.extend(pks[-extra:])
            removed.extend([key[1]] * extra)
    for key, count in wanted.items():
        missing = count - len(stored.get(key, ()))
        if missing > 0:
            added.extend([key] * missing)
    result = RefreshResult(sources=len(ids), facts_added=len(added), facts_removed=len(drop))
    result.changed = len({sid for sid, _ in added} | _sources_of(stored, wanted))
    if drop:
        for batch in _batched(drop, 500):
            KpiFact.objects.filter(pk__in=batch).delete()
    if added:
        day_of = connection.ops.adapt_datefield_value
        _write_facts([(source, sid, fact.metric, day_of(fact.day), *fact[2:]) for sid, fact in added])
    delta: dict[tuple[Any, ...], list[int]] = {}
    _cells((fact for _sid, fact in added), 1, delta)
    _cells(removed, -1, delta)
    result.cells = _upsert(delta)
    return result


def _sources_of(stored: dict[tuple[int, Fact], list[int]], wanted: Counter[tuple[int, Fact]]) -> set[int]:
    """Sources that lose a stored fact."""
    return {sid for (sid, fact), pks in stored.items() if len(pks) > wanted.get((sid, fact), 0)}


def _lock(model: Any, ids: Sequence[int], column: str = "pk") -> None:
    """Lock these rows until commit, in id order (PostgreSQL; SQLite lets one writer in at a time)."""
    if connection.vendor == "postgresql" and ids:
        list(
            model.objects.select_for_update(of=("self",))
            .filter(**{f"{column}__in": ids})
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def source_refresh(*, source: str, source_ids: Iterable[int], with_ratings: bool = True) -> RefreshResult:
    """Recompute the facts of these tickets or ratings and apply the difference to the rollups.

    Idempotent, and safe to run from several workers at once (each source is locked while it is
    refreshed). Sources that no longer exist lose their facts. Refreshing a ticket also
    refreshes its rating (which is counted under the ticket's channel, type and category) unless
    ``with_ratings`` is False.
    """
    if source not in FactSource.values:
        raise ValueError(f"unknown KPI fact source {source!r}")
    ids = sorted({int(i) for i in source_ids})
    result = RefreshResult()
    calendars = Calendars() if source == FactSource.TICKET and ids else None
    for batch in _batched(ids, BATCH):
        with transaction.atomic():
            if source == FactSource.TICKET:
                assert calendars is not None
                _lock(Ticket, batch)
                _lock(TicketClock, batch, "ticket_id")
                new = _ticket_sources(ids=batch, calendars=calendars)
            else:
                _lock(Rating, batch)
                new = _rating_sources(ids=batch)
            result.add(_replace(source, batch, new))
    if source == FactSource.TICKET and with_ratings and ids:
        rating_ids: list[int] = []
        for batch in _batched(ids, 500):
            rating_ids += Rating.objects.filter(ticket_id__in=batch).values_list("pk", flat=True)
        if rating_ids:
            ratings = source_refresh(source=FactSource.RATING, source_ids=rating_ids)
            result.ratings += ratings.sources
            result.facts_added += ratings.facts_added
            result.facts_removed += ratings.facts_removed
            result.cells += ratings.cells
    return result


# --- change streams ---------------------------------------------------------------------------------


def _cursor(name: str) -> KpiCursor:
    return KpiCursor.objects.get_or_create(name=name)[0]


def _time_stream(name: str, model: Any, limit: int, refresh: Callable[[list[int]], RefreshResult]) -> dict[str, int]:
    """Refresh rows changed since the cursor, by ``(updated_at, id)``, re-reading the overlap."""
    cursor = _cursor(name)
    window = overlap()
    seen = {(int(pk), stamp) for pk, stamp in (cursor.recent or {}).get("seen", [])}
    position = cursor.position
    lo = (position - window) if position is not None else None
    after: tuple[dt.datetime, int] | None = (lo, 0) if lo is not None else None
    todo: list[tuple[int, dt.datetime]] = []
    read = 0
    while len(todo) < limit:
        rows = model.objects.order_by("updated_at", "pk")
        if after is not None:
            rows = rows.filter(Q(updated_at__gt=after[0]) | Q(updated_at=after[0], pk__gt=after[1]))
        page = list(rows.values_list("pk", "updated_at")[:1000])
        if not page:
            break
        read += len(page)
        for pk, stamp in page:
            if (pk, stamp.isoformat()) not in seen:
                todo.append((pk, stamp))
        after = (page[-1][1], page[-1][0])
    todo = todo[:limit]
    result = RefreshResult()
    for batch in _batched(todo, BATCH):
        result.add(refresh([pk for pk, _ in batch]))
        for pk, stamp in batch:
            seen.add((pk, stamp.isoformat()))
            position = stamp if position is None or stamp > position else position
        assert position is not None
        floor = (position - window).isoformat()
        cursor.position = position
        cursor.recent = {"seen": sorted([pk, s] for pk, s in seen if s >= floor)}
        cursor.updated_at = timezone.now()
        cursor.save(update_fields=["position", "recent", "updated_at"])
    return {"read": read, "refreshed": result.sources, "changed": result.changed}


def _id_stream(name: str, limit: int) -> dict[str, int]:
    """Refresh the tickets of SLA events recorded since the cursor (by id; the sweep does not touch tickets).

    Ids are handed out at insert and become visible at commit, possibly out of order. So the
    cursor keeps a floor (every id at or below it was read or will never appear), the ids read
    above it, and marks ``(time, highest id read)``: a mark older than the overlap proves every
    id up to its highest was visible to the current read, and lifts the floor there.
    """
    cursor = _cursor(name)
    window = overlap()
    state = cursor.recent or {}
    floor = int(cursor.last_id)
    seen = {int(i) for i in state.get("seen", [])}
    marks = [(dt.datetime.fromisoformat(t), int(m)) for t, m in state.get("marks", [])]
    read_at = timezone.now()
    todo: list[int] = []
    tickets: list[int] = []
    highest = floor
    exhausted = False
    after = floor
    read = 0
    while len(todo) < limit:
        page = list(SlaEvent.objects.filter(pk__gt=after).order_by("pk").values_list("pk", "ticket_id")[:1000])
        if not page:
            exhausted = True
            break
        read += len(page)
        full = False
        for pk, ticket_id in page:
            if pk not in seen:
                if len(todo) >= limit:
                    full = True
                    break
                todo.append(pk)
                tickets.append(ticket_id)
            highest = pk  # every id up to here was read (ids come in order)
        if full:
            break
        after = page[-1][0]
    result = source_refresh(source=FactSource.TICKET, source_ids=tickets, with_ratings=False) if tickets else None
    seen.update(todo)
    marks.append((read_at, highest))
    settled = [m for t, m in marks if t <= read_at - window and (exhausted or m <= highest)]
    if settled:
        floor = max(floor, max(settled))
    marks = [(t, m) for t, m in marks if m > floor]
    cursor.last_id = floor
    cursor.recent = {"seen": sorted(i for i in seen if i > floor), "marks": [[t.isoformat(), m] for t, m in marks]}
    cursor.updated_at = timezone.now()
    cursor.save(update_fields=["last_id", "recent", "updated_at"])
    return {
        "read": read,
        "refreshed": result.sources if result else 0,
        "changed": result.changed if result else 0,
    }


def refresh_changed(*, limit: int = 5_000) -> dict[str, dict[str, int]]:
    """Refresh every ticket and rating that changed since the last run (at most ``limit`` per stream).

    Idempotent: running it twice refreshes nothing the second time (beyond what changed in
    between). Tickets come by ``(updated_at, id)``, ratings likewise, and tickets whose SLA
    clock fired a breach (which does not touch the ticket row) through the SLA events.
    """
    return {
        STREAM_TICKETS: _time_stream(
            STREAM_TICKETS, Ticket, limit, lambda ids: source_refresh(source=FactSource.TICKET, source_ids=ids)
        ),
        STREAM_RATINGS: _time_stream(
            STREAM_RATINGS, Rating, limit,
            lambda ids: source_refresh(source=FactSource.RATING, source_ids=ids),
        ),
        STREAM_SLA: _id_stream(STREAM_SLA, limit),
    }  # fmt: skip


LEASE = "refresh-lease"  # a KpiCursor row whose position is the end of the running refresh's lease


def refresh_lease_take(seconds: int = 600) -> bool:
    """Take the lease of the periodic refresh (True), unless a run holds one that has not expired.

    Runs at the same time would be safe (each source is locked while refreshed), only wasted
    work; a worker killed mid-run leaves a lease that simply expires."""
    now = timezone.now()
    KpiCursor.objects.get_or_create(name=LEASE)
    taken = (
        KpiCursor.objects.filter(name=LEASE)
        .filter(Q(position__isnull=True) | Q(position__lt=now))
        .update(position=now + dt.timedelta(seconds=seconds), updated_at=now)
    )
    return taken == 1


def refresh_lease_release() -> None:
    KpiCursor.objects.filter(name=LEASE).update(position=None)


def _init_cursors(started: dt.datetime) -> None:
    """Cursors that do not exist yet start at the rebuild (its facts cover everything before)."""
    for name in (STREAM_TICKETS, STREAM_RATINGS):
        KpiCursor.objects.get_or_create(name=name, defaults={"position": started, "updated_at": started})
    if not KpiCursor.objects.filter(name=STREAM_SLA).exists():
        recent = SlaEvent.objects.filter(recorded_at__gte=started - 2 * overlap()).aggregate(low=Min("pk"))["low"]
        floor = (recent - 1) if recent else (SlaEvent.objects.aggregate(high=Max("pk"))["high"] or 0)
        KpiCursor.objects.get_or_create(name=STREAM_SLA, defaults={"last_id": floor, "updated_at": started})


# --- rebuild ----------------------------------------------------------------------------------------


@dataclass
class RebuildResult:
    tickets: int = 0
    ratings: int = 0
    facts: int = 0
    cells: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _write_facts(rows: list[tuple[Any, ...]]) -> None:
    """Bulk-insert fact rows (tuples in :data:`FACT_COLUMNS` order): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    table = _quote(KpiFact._meta.db_table)
    columns = ", ".join(_quote(c) for c in FACT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(FACT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _rebuild_source(
    source: str,
    model: Any,
    compute: Callable[[tuple[int, int | None]], dict[int, list[Fact]]],
    chunk: int,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[int, int]:
    """Recompute every fact of one source, chunk by chunk (one transaction each); returns (sources, facts)."""
    total = model.objects.count()
    done = facts = 0
    lo = -1
    table = _quote(KpiFact._meta.db_table)
    day_of = (lambda d: d.isoformat()) if connection.vendor == "sqlite" else (lambda d: d)
    days: dict[dt.date, Any] = {}
    while True:
        with transaction.atomic():
            ids = model.objects.filter(pk__gt=lo).order_by("pk")
            if connection.vendor == "postgresql":
                ids = ids.select_for_update(of=("self",))
            batch = list(ids.values_list("pk", flat=True)[:chunk])
            if not batch:
                return done, facts
            # Only the locked ids: a ticket created meanwhile (beyond them) is the refresh's.
            span = (lo, batch[-1])
            new = compute(span)
            with connection.cursor() as cursor:
                where, params = _where("source_id", None, span)
                cursor.execute(f"DELETE FROM {table} WHERE source = %s AND {where}", [source, *params])
            rows = []
            for sid, found in new.items():
                for f in found:
                    day = days.get(f.day)
                    if day is None:
                        day = days[f.day] = day_of(f.day)
                    rows.append((source, sid, f.metric, day, *f[2:]))
            _write_facts(rows)
        done += len(batch)
        facts += len(rows)
        if progress is not None:
            progress(source, done, total)
        if len(batch) < chunk:
            return done, facts
        lo = batch[-1]


def _period_sql(grain: str) -> str:
    """SQL turning a day rollup's ``period_start`` into its week's Monday or its month's first day."""
    column = _quote("period_start")
    if connection.vendor == "postgresql":
        unit = "week" if grain == Grain.WEEK else "month"
        return f"CAST(date_trunc('{unit}', {column}) AS date)"
    if grain == Grain.WEEK:
        return f"date({column}, 'weekday 0', '-6 days')"
    return f"date({column}, 'start of month')"


def _rebuild_rollups() -> int:
    """Every rollup cell from the facts, in SQL: day cells per dimension, then weeks and months from days."""
    rollups, facts = _quote(KpiRollup._meta.db_table), _quote(KpiFact._meta.db_table)
    if connection.vendor == "sqlite":
        facts += " NOT INDEXED"  # one sequential scan per dimension beats walking the (metric, day) index
    q = _quote
    columns = ", ".join(q(c) for c in ("grain", "period_start", "dimension", "key", "metric", "num", "den"))
    nonzero = f"HAVING SUM({q('num')}) <> 0 OR SUM({q('den')}) <> 0"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Refreshes wait (their upserts) until the new cells are in; they then add their delta.
            cursor.execute(f"LOCK TABLE {rollups} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {rollups}")
        cursor.execute(
            f"INSERT INTO {rollups} ({columns}) SELECT 'day', {q('day')}, 'centre', '', {q('metric')}, "
            f"SUM({q('num')}), SUM({q('den')}) FROM {facts} GROUP BY {q('day')}, {q('metric')} {nonzero}"
        )
        for dimension, column in FACT_COLUMN_OF_DIMENSION.items():
            col = q(column)
            present = f"{col} <> ''" if column in ("channel", "ticket_type") else f"{col} IS NOT NULL"
            cursor.execute(
                f"INSERT INTO {rollups} ({columns}) SELECT 'day', {q('day')}, '{dimension}', "
                f"CAST({col} AS VARCHAR(40)), {q('metric')}, SUM({q('num')}), SUM({q('den')}) FROM {facts} "
                f"WHERE {present} GROUP BY {q('day')}, {col}, {q('metric')} {nonzero}"
            )
        for grain in (Grain.WEEK, Grain.MONTH):
            start = _period_sql(grain)
            cursor.execute(
                f"INSERT INTO {rollups} ({columns}) SELECT '{grain.value}', {start}, {q('dimension')}, {q('key')}, "
                f"{q('metric')}, SUM({q('num')}), SUM({q('den')}) FROM {rollups} WHERE {q('grain')} = 'day' "
                f"GROUP BY {start}, {q('dimension')}, {q('key')}, {q('metric')} {nonzero}"
            )
        cursor.execute(f"SELECT COUNT(*) FROM {rollups}")
        return int(cursor.fetchone()[0])


DAY_INDEX = "kpifact_metric_day_idx"  # KpiFact.Meta.indexes: drill-down by metric and day


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Without the cycle collector while millions of short-lived rows and facts are made (they
    are freed by reference counting; the collector's passes over them took half the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _sqlite_tuned() -> Iterator[None]:
    """SQLite only, for the rebuild's big writes and sorts: a 256 MB page cache and a second sorting
    thread (index build and ``GROUP BY``), back to the defaults afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")
        cursor.execute("PRAGMA threads = 2")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")
            cursor.execute("PRAGMA threads = 0")


@contextlib.contextmanager
def _bulk_load(result: RebuildResult) -> Iterator[None]:
    """While all facts are rewritten: the old ones removed at once (rather than chunk by chunk),
    and without the (metric, day) index, whose random inserts cost more than building it once
    afterwards. The index is restored however the rebuild ends (and at the next rebuild, should
    this process die meanwhile).

    Until the rebuild's chunks reach them, tickets have no facts: a drill-down meanwhile lists
    fewer tickets, and a refresh meanwhile adds their whole facts to the old rollups — which the
    rebuild's last step replaces."""
    table, index = _quote(KpiFact._meta.db_table), _quote(DAY_INDEX)
    columns = f"({_quote('metric')}, {_quote('day')})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {index}")
        # PostgreSQL: TRUNCATE; SQLite empties a table on a DELETE without WHERE at once.
        cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")
    try:
        yield
    finally:
        lap = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} {columns}")
        result.seconds["index"] = round(time.perf_counter() - lap, 2)


def rollups_rebuild(
    *,
    actor: Any = None,
    chunk: int = REBUILD_CHUNK,
    progress: Callable[[str, int, int], None] | None = None,
) -> RebuildResult:
    """Recompute every fact and every rollup from the tickets and ratings (``sqm kpis rebuild``).

    Facts are rebuilt chunk by chunk (each chunk's tickets locked while read), then all rollups
    in one transaction. Refreshes may run meanwhile: a chunk never writes stale facts over
    theirs, and a refresh that lands during the rollup step adds its difference on top of the
    new cells. ``actor`` (optional) must be allowed to rebuild; the rebuild is audited.
    ``progress(phase, done, total)`` is called after each chunk.
    """
    if actor is not None and not can(actor, Cap.KPI_REBUILD):
        raise PermissionDeniedError()
    started = timezone.now()
    clock = time.perf_counter()
    result = RebuildResult()
    with transaction.atomic():
        _init_cursors(started)
    calendars = Calendars()
    with _sqlite_tuned(), _bulk_load(result), _no_cyclic_gc():
        result.tickets, ticket_facts_count = _rebuild_source(
            FactSource.TICKET, Ticket, lambda span: _ticket_sources(span=span, calendars=calendars), chunk, progress
        )
        result.seconds["tickets"] = round(time.perf_counter() - clock, 2)
        lap = time.perf_counter()
        result.ratings, rating_facts_count = _rebuild_source(
            FactSource.RATING, Rating, lambda span: _rating_sources(span=span), chunk, progress
        )
        result.facts = ticket_facts_count + rating_facts_count
        result.seconds["ratings"] = round(time.perf_counter() - lap, 2)
    lap = time.perf_counter()
    with _sqlite_tuned(), transaction.atomic():
        result.cells = _rebuild_rollups()
    if progress is not None:
        progress("rollups", result.cells, result.cells)
    result.seconds["rollups"] = round(time.perf_counter() - lap, 2)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_quote(KpiFact._meta.db_table)}")
            cursor.execute(f"ANALYZE {_quote(KpiRollup._meta.db_table)}")
    from sqm.audit.services import audit_append

    with transaction.atomic():
        audit_append(
            actor=actor,
            action="rebuild",
            object_type="kpis.kpirollup",
            object_id="all",
            object_repr="KPI facts and rollups",
            changes={
                "tickets": result.tickets,
                "ratings": result.ratings,
                "facts": result.facts,
                "cells": result.cells,
            },
        )
    result.seconds["total"] = round(time.perf_counter() - clock, 2)
    return result
