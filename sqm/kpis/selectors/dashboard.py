"""Reads of the live KPI dashboard (DESIGN.md §2.4): KPI values of a period against the standard
in force, trends, breakdowns, drill-down and the live queue.

Every KPI figure comes from rollup rows, a few queries per section whatever the number of
tickets behind them: a period's tiles are one query (plus one for running totals such as the
backlog), a trend one or two, a breakdown one or two. The live queue counts active tickets with
one conditional ``COUNT`` (bounded by the size of the queue through the status indexes), the only
read of tickets outside the drill-down. Drill-down reads the facts behind one rollup cell, a page
at a time.

Colour by threshold is :func:`judge`, a pure function of the value, its volume and the
indicator's target, thresholds and direction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.kpis.models import Dimension, Grain, KpiFact, KpiRollup
from sqm.kpis.periods import next_period, period_start, periods, previous_period
from sqm.kpis.selectors.rollups import facts_behind
from sqm.kpis.values import KpiValue, kpi_value
from sqm.org.models import Team, User
from sqm.standards.catalogue import CATALOGUE, Aggregate, Direction, KpiCode
from sqm.standards.models import Indicator, ScopeDimension
from sqm.standards.selectors import indicators_in_force
from sqm.tickets.models import ACTIVE_STATUSES, Category, Channel, Status, Ticket, TicketType
from sqm.tickets.sla.models import Risk

ALL_METRICS: tuple[str, ...] = tuple(code.value for code in CATALOGUE)
STOCK_METRICS = frozenset(code.value for code, spec in CATALOGUE.items() if spec.aggregate == Aggregate.STOCK)

# --- colour by threshold ------------------------------------------------------------------------

GREEN = "green"  # on target
WATCH = "watch"  # target missed, no threshold crossed yet
YELLOW = "yellow"
ORANGE = "orange"
RED = "red"
GREY = "grey"  # too few cases to judge (below the indicator's minimum volume) or no value
NO_TARGET = "none"  # no indicator in force for this KPI and scope
LIGHTS = (GREEN, WATCH, YELLOW, ORANGE, RED, GREY, NO_TARGET)


def judge(
    value: Decimal | None,
    volume: int,
    *,
    direction: str,
    target: Decimal,
    yellow: Decimal,
    orange: Decimal,
    red: Decimal,
    min_volume: int = 0,
) -> str:
    """The light of a KPI value against an indicator.

    Green when the value meets the target (at or beyond it in the better direction); red, orange
    or yellow when it reaches that threshold (at or beyond it in the worse direction), the worst
    one reached wins; ``watch`` when the target is missed but no threshold is reached; grey when
    there is no value or fewer cases than ``min_volume`` (too few to judge).
    """
    if value is None or volume < min_volume:
        return GREY
    sign = 1 if direction == Direction.HIGHER else -1

    def worse_or_equal(limit: Decimal) -> bool:
        return sign * (value - limit) <= 0

    if sign * (value - target) >= 0:
        return GREEN
    for light, limit in ((RED, red), (ORANGE, orange), (YELLOW, yellow)):
        if worse_or_equal(limit):
            return light
    return WATCH


def judge_against(kv: KpiValue, indicator: Indicator | None) -> str:
    """:func:`judge` with an indicator's settings; ``none`` without an indicator."""
    if indicator is None:
        return NO_TARGET
    return judge(
        kv.value,
        kv.volume,
        direction=indicator.direction,
        target=indicator.target,
        yellow=indicator.yellow,
        orange=indicator.orange,
        red=indicator.red,
        min_volume=indicator.min_volume,
    )


def better(metric: str, delta: Decimal | None) -> bool | None:
    """Whether a change of ``delta`` in ``metric`` is an improvement (None: no change or unknown)."""
    if delta is None or delta == 0:
        return None
    higher = CATALOGUE[KpiCode(metric)].direction == Direction.HIGHER
    return (delta > 0) == higher


# --- targets of the standards in force ------------------------------------------------------------

_SCOPE_OF = {
    Dimension.TEAM: ScopeDimension.TEAM,
    Dimension.CHANNEL: ScopeDimension.CHANNEL,
    Dimension.TYPE: ScopeDimension.TYPE,
}


class Targets:
    """The indicators in force on a day, looked up by KPI and slice.

    A slice is judged by the indicator of its own scope (team by team code, channel, ticket type),
    else the one of that scope with a blank value ("each team"), else the centre's. An agent is
    judged like their team, a category like the centre: standards name no agent or category
    scope. Several indicators for one KPI in one scope: the first by standard code wins.
    """

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        self._index: dict[tuple[str, str, str], Indicator] = {}
        for indicator in indicators:
            self._index.setdefault((indicator.kpi, indicator.scope, indicator.scope_key), indicator)

    @classmethod
    def on(cls, day: dt.date) -> Targets:
        return cls(indicators_in_force(day))

    def for_slice(self, metric: str, dimension: str, key: str = "", *, team_code: str = "") -> Indicator | None:
        scope: str | None = _SCOPE_OF.get(Dimension(dimension)) if dimension != Dimension.CENTRE else None
        scope_key = team_code if dimension == Dimension.TEAM else key
        if dimension == Dimension.AGENT and team_code:
            scope, scope_key = ScopeDimension.TEAM, team_code
        candidates = []
        if scope is not None:
            candidates += [(metric, scope, scope_key), (metric, scope, "")]
        candidates.append((metric, ScopeDimension.CENTRE, ""))
        for candidate in candidates:
            found = self._index.get(candidate)
            if found is not None:
                return found
        return None


def judging_day(grain: str, start: dt.date, today: dt.date) -> dt.date:
    """The day whose standards judge a period: its last day, or today while it is running."""
    return min(next_period(period_start(start, grain), grain) - dt.timedelta(days=1), today)


# --- KPI values from rollups ----------------------------------------------------------------------


def _flow(metrics: Iterable[str]) -> list[str]:
    return [m for m in metrics if m not in STOCK_METRICS]


def _stock(metrics: Iterable[str]) -> list[str]:
    return [m for m in metrics if m in STOCK_METRICS]


# A running total (the backlog) at the end of a period is the sum of all its cells up to then.
# Days, ISO weeks and months each partition time, so the cells of the period's own grain give the
# same sum as the day cells: a month view sums 12 rows a year per slice instead of 365.


def period_values(
    *,
    grain: str,
    start: dt.date,
    dimension: str = Dimension.CENTRE,
    key: str = "",
    metrics: Sequence[str] = ALL_METRICS,
) -> dict[str, tuple[KpiValue, KpiValue]]:
    """Each KPI of one slice in the period holding ``start`` and in the period before:
    ``{metric: (this period, previous period)}``. One query, two with running totals."""
    start = period_start(start, grain)
    before = previous_period(start, grain)
    found: dict[tuple[dt.date, str], tuple[int, int]] = {}
    flow = _flow(metrics)
    if flow:
        rows = KpiRollup.objects.filter(
            grain=grain, period_start__in=[start, before], dimension=dimension, key=key, metric__in=flow
        ).values_list("period_start", "metric", "num", "den")
        found = {(day, metric): (num, den) for day, metric, num, den in rows}
    totals: dict[str, tuple[int, int]] = {}
    stock = _stock(metrics)
    if stock:
        rows2 = (
            KpiRollup.objects.filter(
                grain=grain,
                dimension=dimension,
                key=key,
                metric__in=stock,
                period_start__lt=next_period(start, grain),
            )
            .values("metric")
            .annotate(now=Sum("num"), then=Sum("num", filter=Q(period_start__lt=start)))
            .values_list("metric", "now", "then")
        )
        totals = {metric: (int(now or 0), int(then or 0)) for metric, now, then in rows2}
    out = {}
    for metric in metrics:
        if metric in STOCK_METRICS:
            now, then = totals.get(metric, (0, 0))
            out[metric] = (kpi_value(metric, now, 0), kpi_value(metric, then, 0))
        else:
            out[metric] = (
                kpi_value(metric, *found.get((start, metric), (0, 0))),
                kpi_value(metric, *found.get((before, metric), (0, 0))),
            )
    return out


def series_values(
    *, metric: str, grain: str, first: dt.date, last: dt.date, dimension: str = Dimension.CENTRE, key: str = ""
) -> list[tuple[dt.date, KpiValue]]:
    """One KPI of one slice per period from ``first`` to ``last``, oldest first, empty periods
    included. One query; two for running totals (the total before the range, the days in it)."""
    starts = periods(first, last, grain)
    if not starts:
        return []
    until = next_period(starts[-1], grain)
    if metric not in STOCK_METRICS:
        rows = KpiRollup.objects.filter(
            grain=grain,
            dimension=dimension,
            key=key,
            metric=metric,
            period_start__gte=starts[0],
            period_start__lte=starts[-1],
        ).values_list("period_start", "num", "den")
        found = {day: (num, den) for day, num, den in rows}
        return [(s, kpi_value(metric, *found.get(s, (0, 0)))) for s in starts]
    cells = KpiRollup.objects.filter(grain=grain, dimension=dimension, key=key, metric=metric)
    running = int(cells.filter(period_start__lt=starts[0]).aggregate(total=Sum("num"))["total"] or 0)
    per_period = dict(
        cells.filter(period_start__gte=starts[0], period_start__lt=until).values_list("period_start", "num")
    )
    out = []
    for s in starts:
        running += per_period.get(s, 0)
        out.append((s, kpi_value(metric, running, 0)))
    return out


def breakdown_values(
    *, grain: str, start: dt.date, dimension: str, metrics: Sequence[str] = ALL_METRICS
) -> dict[str, dict[str, KpiValue]]:
    """KPIs per key of ``dimension`` (e.g. per team) in one period: ``{key: {metric: value}}``,
    keys with data only. One query, two with running totals."""
    start = period_start(start, grain)
    out: dict[str, dict[str, KpiValue]] = {}
    flow = _flow(metrics)
    if flow:
        rows = KpiRollup.objects.filter(
            grain=grain, period_start=start, dimension=dimension, metric__in=flow
        ).values_list("key", "metric", "num", "den")
        for key, metric, num, den in rows:
            out.setdefault(key, {})[metric] = kpi_value(metric, num, den)
    stock = _stock(metrics)
    if stock:
        totals = (
            KpiRollup.objects.filter(
                grain=grain, dimension=dimension, metric__in=stock, period_start__lt=next_period(start, grain)
            )
            .values("key", "metric")
            .annotate(total=Sum("num"))
            .values_list("key", "metric", "total")
        )
        for key, metric, total in totals:
            if total:
                out.setdefault(key, {})[metric] = kpi_value(metric, int(total), 0)
    for values in out.values():
        for metric in metrics:
            if metric not in values:
                values[metric] = kpi_value(metric, 0, 0)
    return out


# --- drill-down ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillRow:
    """One fact behind a rollup cell (a ticket's contribution), or for running totals one ticket
    still counted at the period's end; ``ticket`` is None when the fact has no ticket."""

    ticket_id: int | None
    ticket: Ticket | None
    day: dt.date | None
    value: KpiValue


def drill_page(
    *,
    metric: str,
    grain: str,
    start: dt.date,
    dimension: str = Dimension.CENTRE,
    key: str = "",
    page: int = 1,
    per_page: int = 50,
) -> tuple[Page[Any], list[DrillRow]]:
    """A page of what makes up one rollup cell, with the tickets loaded (three queries: count,
    page, tickets). For a running total (the backlog) the tickets still counted at the period's
    end: those whose facts up to then do not sum to zero."""
    if metric in STOCK_METRICS:
        return _stock_drill_page(metric, grain, start, dimension, key, page, per_page)
    facts = facts_behind(metric, grain, start, dimension, key).only("id", "ticket_id", "day", "num", "den")
    paged = Paginator(facts, per_page).get_page(page)
    items = list(paged.object_list)
    tickets = tickets_by_id(f.ticket_id for f in items if f.ticket_id is not None)
    rows = [
        DrillRow(f.ticket_id, tickets.get(f.ticket_id) if f.ticket_id else None, f.day, kpi_value(metric, f.num, f.den))
        for f in items
    ]
    return paged, rows


def _stock_drill_page(
    metric: str, grain: str, start: dt.date, dimension: str, key: str, page: int, per_page: int
) -> tuple[Page[Any], list[DrillRow]]:
    qs = _stock_facts(metric, grain, period_start(start, grain), dimension, key)
    grouped = qs.values("ticket_id").annotate(total=Sum("num")).exclude(total=0).order_by("ticket_id")
    paged = Paginator(grouped, per_page).get_page(page)
    items = list(paged.object_list)
    tickets = tickets_by_id(item["ticket_id"] for item in items)
    rows = [
        DrillRow(item["ticket_id"], tickets.get(item["ticket_id"]), None, kpi_value(metric, int(item["total"]), 0))
        for item in items
    ]
    return paged, rows


_FACT_FIELD = {
    Dimension.TEAM: "team_id",
    Dimension.AGENT: "agent_id",
    Dimension.CHANNEL: "channel",
    Dimension.TYPE: "ticket_type",
    Dimension.CATEGORY: "category_id",
}


def _stock_facts(metric: str, grain: str, start: dt.date, dimension: str, key: str) -> QuerySet[KpiFact]:
    """Facts of a running total up to the end of the period holding ``start``, with a ticket."""
    qs = KpiFact.objects.filter(metric=metric, day__lt=next_period(start, grain), ticket_id__isnull=False)
    if dimension != Dimension.CENTRE:
        qs = qs.filter(**{_FACT_FIELD[Dimension(dimension)]: key or None})
    return qs


def tickets_by_id(ids: Iterable[int]) -> dict[int, Ticket]:
    """Tickets by id with team, assignee and category loaded (one query per 900 ids)."""
    wanted = sorted(set(ids))
    found: dict[int, Ticket] = {}
    for i in range(0, len(wanted), 900):
        chunk = wanted[i : i + 900]
        found.update(
            (t.pk, t) for t in Ticket.objects.select_related("team", "assignee", "category").filter(pk__in=chunk)
        )
    return found


# --- the live queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Live:
    """Active tickets of a slice right now, by SLA risk (tickets without a clock count as on
    track, as in the queues), how many nobody holds, and the oldest one."""

    total: int
    on_track: int
    warning: int
    breached: int
    unassigned: int
    pending: int
    oldest_id: int | None
    oldest_at: dt.datetime | None


_TICKET_FIELD = {
    Dimension.TEAM: "team_id",
    Dimension.AGENT: "assignee_id",
    Dimension.CHANNEL: "channel",
    Dimension.TYPE: "type",
    Dimension.CATEGORY: "category_id",
}


def live_counts(*, dimension: str = Dimension.CENTRE, key: str = "") -> Live:
    """Two queries over the active tickets of the slice (the status/team/assignee indexes bound
    them to the queue, never the history)."""
    qs = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    if dimension != Dimension.CENTRE:
        qs = qs.filter(**{_TICKET_FIELD[Dimension(dimension)]: key or None})
    counts = qs.aggregate(
        total=Count("id"),
        warning=Count("id", filter=Q(sla_clock__risk=Risk.WARNING)),
        breached=Count("id", filter=Q(sla_clock__risk=Risk.BREACHED)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        oldest_at=Min("created_at"),
    )
    # Not ORDER BY created_at LIMIT 1: the planner may walk the created_at index from the oldest
    # ticket of all history (the active ones are the newest) — an equality lookup cannot stray.
    oldest_at = counts["oldest_at"]
    oldest_id = (
        qs.filter(created_at=oldest_at).order_by("id").values_list("id", flat=True).first() if oldest_at else None
    )
    total, warning, breached = counts["total"] or 0, counts["warning"] or 0, counts["breached"] or 0
    return Live(
        total=total,
        on_track=total - warning - breached,
        warning=warning,
        breached=breached,
        unassigned=counts["unassigned"] or 0,
        pending=counts["pending"] or 0,
        oldest_id=oldest_id,
        oldest_at=oldest_at,
    )


# --- who is who ---------------------------------------------------------------------------------


def teams() -> list[Team]:
    """Every team (for the scope picker, labels and team codes), by code."""
    return list(Team.objects.only("id", "code", "name", "lead_id", "is_active").order_by("code"))


def led_team_id(user: Any) -> int | None:
    """The team a lead leads (the first by code), else the team they belong to."""
    led = Team.objects.filter(lead_id=user.pk).order_by("code").values_list("id", flat=True).first()
    return led if led is not None else getattr(user, "team_id", None)


def people(ids: Iterable[int]) -> dict[int, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.pk: u for u in User.objects.only("id", "username", "display_name", "team_id").filter(pk__in=wanted)}


def categories(ids: Iterable[int]) -> dict[int, Category]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {c.pk: c for c in Category.objects.only("id", "code", "name_zh", "name_en").filter(pk__in=wanted)}


def team_member_ids(team_id: int) -> set[int]:
    return set(User.objects.filter(team_id=team_id).values_list("id", flat=True))


# --- scopes: whose figures, and who may see them -----------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The slice a dashboard shows: the centre, or one team, agent, channel, type or category.
    Written ``centre`` or ``<dimension>:<key>`` in URLs (``team:3``, ``channel:phone``)."""

    dimension: str = Dimension.CENTRE
    key: str = ""

    @property
    def token(self) -> str:
        return "centre" if self.dimension == Dimension.CENTRE else f"{self.dimension}:{self.key}"

    @classmethod
    def of(cls, dimension: str, key: str = "", *, field: str = "scope") -> Scope:
        """A checked scope: a known dimension and, except for the centre, a well-formed key."""
        if dimension not in Dimension.values:
            raise DomainError(_("“%(value)s” is not one of the allowed choices.") % {"value": dimension}, field=field)
        if dimension == Dimension.CENTRE:
            return cls()
        key = (key or "").strip()
        valid = {
            Dimension.CHANNEL: key in Channel.values,
            Dimension.TYPE: key in TicketType.values,
        }.get(Dimension(dimension), key.isdigit() and len(key) < 19)
        if not valid:
            raise DomainError(
                _("“%(value)s” is not a valid %(dimension)s.")
                % {"value": key, "dimension": Dimension(dimension).label},
                field=field,
            )
        return cls(dimension, key)

    @classmethod
    def parse(cls, token: str) -> Scope:
        dimension, _sep, key = (token or "").partition(":")
        return cls.of(dimension, key)


def sees_everyone(user: Any) -> bool:
    """Whether ``user`` may see every team's and agent's figures (else only their own)."""
    return can(user, Cap.KPI_VIEW_CENTRE)


def default_scope(user: Any) -> Scope:
    """Agents: their own figures; team leads: the team they lead (or belong to); everyone else
    who may see the centre: the centre."""
    if not sees_everyone(user):
        return Scope(Dimension.AGENT, str(user.pk))
    if user.role == Role.TEAM_LEAD:
        team_id = led_team_id(user)
        if team_id is not None:
            return Scope(Dimension.TEAM, str(team_id))
    return Scope()


def check_scope(user: Any, scope: Scope) -> None:
    """Raise :class:`PermissionDeniedError` unless ``user`` may see ``scope``: without
    ``Cap.KPI_VIEW_CENTRE`` only their own agent figures."""
    if not can(user, Cap.KPI_VIEW):
        raise PermissionDeniedError()
    if sees_everyone(user):
        return
    if scope != Scope(Dimension.AGENT, str(user.pk)):
        raise PermissionDeniedError(_("You may see only your own figures."))


@dataclass(frozen=True)
class ScopeInfo:
    """How to show a scope: its name, and the team code its targets are looked up by."""

    scope: Scope
    label: str
    team_code: str = ""
    team_id: int | None = None


def describe_scope(scope: Scope, team_list: Sequence[Team]) -> ScopeInfo:
    """A scope's label (one query for an agent or a category; none otherwise)."""
    dimension, key = scope.dimension, scope.key
    if dimension == Dimension.CENTRE:
        return ScopeInfo(scope, str(_("Whole centre")))
    if dimension == Dimension.TEAM:
        team = next((t for t in team_list if str(t.pk) == key), None)
        return ScopeInfo(scope, team.name if team else key, team.code if team else "", team.pk if team else None)
    if dimension == Dimension.AGENT:
        person = people([int(key)]).get(int(key))
        team = next((t for t in team_list if person is not None and t.pk == person.team_id), None)
        label = str(person) if person is not None else key
        return ScopeInfo(scope, label, team.code if team else "", team.pk if team else None)
    if dimension == Dimension.CATEGORY:
        category = categories([int(key)]).get(int(key))
        return ScopeInfo(scope, category.name if category else key)
    choices: Any = Channel if dimension == Dimension.CHANNEL else TicketType
    return ScopeInfo(scope, str(choices(key).label))


# --- periods ------------------------------------------------------------------------------------


EARLIEST = dt.date(2000, 1, 1)


def check_start(day: dt.date, today: dt.date, field: str = "start") -> dt.date:
    """``day`` if it lies between 2000-01-01 and today (periods after today have no figures)."""
    if not EARLIEST <= day <= today:
        raise DomainError(_("Choose a day between %(first)s and today.") % {"first": EARLIEST.isoformat()}, field=field)
    return day


def period_label(grain: str, start: dt.date) -> str:
    """How a period reads: a month (``2026年11月``), an ISO week with its dates, or a day."""
    start = period_start(start, grain)
    if grain == Grain.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    if grain == Grain.WEEK:
        year, week, _weekday = start.isocalendar()
        last = start + dt.timedelta(days=6)
        return (
            f"{year}-W{week:02d} ({date_format(start, 'MONTH_DAY_FORMAT')} – {date_format(last, 'MONTH_DAY_FORMAT')})"
        )
    return date_format(start, "DATE_FORMAT")


def period_slug(grain: str, start: dt.date) -> str:
    """The period in file names: ``2026-11``, ``2026-W47`` or ``2026-11-23``."""
    start = period_start(start, grain)
    if grain == Grain.MONTH:
        return start.strftime("%Y-%m")
    if grain == Grain.WEEK:
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()


def short_period_label(grain: str, start: dt.date) -> str:
    """A period on a chart axis: ``2026-11``, ``W47`` or ``11-23``."""
    if grain == Grain.MONTH:
        return start.strftime("%Y-%m")
    if grain == Grain.WEEK:
        return f"W{start.isocalendar()[1]:02d} {start.strftime('%m-%d')}"
    return start.strftime("%m-%d")


# --- view models --------------------------------------------------------------------------------


def metric_label(metric: str) -> str:
    return str(KpiCode(metric).label)


def metric_unit(metric: str) -> str:
    return str(CATALOGUE[KpiCode(metric)].unit)


@dataclass(frozen=True)
class Tile:
    """One KPI of a period against its target: value, volume, the previous period and the light."""

    metric: str
    value: KpiValue
    previous: KpiValue
    indicator: Indicator | None
    light: str

    @property
    def label(self) -> str:
        return metric_label(self.metric)

    @property
    def unit(self) -> str:
        return metric_unit(self.metric)

    @property
    def delta(self) -> Decimal | None:
        if self.value.value is None or self.previous.value is None:
            return None
        return self.value.value - self.previous.value

    @property
    def improved(self) -> bool | None:
        return better(self.metric, self.delta)


def tiles(
    *,
    grain: str,
    start: dt.date,
    info: ScopeInfo,
    targets: Targets,
    metrics: Sequence[str] = ALL_METRICS,
) -> list[Tile]:
    """The KPI tiles of a scope for one period (one or two queries; targets are given)."""
    scope = info.scope
    values = period_values(grain=grain, start=start, dimension=scope.dimension, key=scope.key, metrics=metrics)
    out = []
    for metric in metrics:
        now, before = values[metric]
        indicator = targets.for_slice(metric, scope.dimension, scope.key, team_code=info.team_code)
        out.append(Tile(metric, now, before, indicator, judge_against(now, indicator)))
    return out


@dataclass(frozen=True)
class BreakdownRow:
    """One key of a breakdown (a team, an agent, a channel…) with its KPIs and their lights."""

    scope: Scope
    label: str
    values: dict[str, KpiValue]
    lights: dict[str, str]


BREAKDOWN_DIMENSIONS = (Dimension.TEAM, Dimension.AGENT, Dimension.CHANNEL, Dimension.TYPE, Dimension.CATEGORY)


def breakdown(
    *,
    grain: str,
    start: dt.date,
    by: str,
    metrics: Sequence[str],
    targets: Targets,
    team_list: Sequence[Team],
    within_team: int | None = None,
) -> list[BreakdownRow]:
    """KPIs per team/agent/channel/type/category in one period, by label. ``within_team`` keeps
    only that team's members (for a breakdown by agent). Two or three queries: rollups (plus
    running totals) and the labels of agents or categories."""
    values = breakdown_values(grain=grain, start=start, dimension=by, metrics=metrics)
    team_by_id = {str(t.pk): t for t in team_list}
    team_code_by_pk = {t.pk: t.code for t in team_list}
    labels: dict[str, str] = {}
    codes: dict[str, str] = {}
    keys = [k for k in values if k]
    if by == Dimension.TEAM:
        labels = {k: team_by_id[k].name if k in team_by_id else k for k in keys}
        codes = {k: team_by_id[k].code for k in keys if k in team_by_id}
    elif by == Dimension.AGENT:
        found = people(int(k) for k in keys if k.isdigit())
        if within_team is not None:
            keys = [k for k in keys if k.isdigit() and int(k) in found and found[int(k)].team_id == within_team]
        labels = {k: str(found[int(k)]) if k.isdigit() and int(k) in found else k for k in keys}
        codes = {
            k: team_code_by_pk.get(found[int(k)].team_id or 0, "") for k in keys if k.isdigit() and int(k) in found
        }
    elif by == Dimension.CATEGORY:
        found_c = categories(int(k) for k in keys if k.isdigit())
        labels = {k: found_c[int(k)].name if k.isdigit() and int(k) in found_c else k for k in keys}
    else:
        choices: Any = Channel if by == Dimension.CHANNEL else TicketType
        labels = {k: str(choices(k).label) if k in choices.values else k for k in keys}
    rows = []
    for k in keys:
        lights = {
            m: judge_against(values[k][m], targets.for_slice(m, by, k, team_code=codes.get(k, ""))) for m in metrics
        }
        rows.append(BreakdownRow(Scope(by, k), labels[k], values[k], lights))
    rows.sort(key=lambda r: (r.label, r.scope.key))
    return rows
