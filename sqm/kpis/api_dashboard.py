"""REST endpoints of the KPI dashboard (``/api/kpis/dashboard``): KPI values of a period, series,
breakdowns, the tickets behind a figure and the live queue.

The same rules as the pages: ``Cap.KPI_VIEW`` for everything, checked before anything else
(403); without ``Cap.KPI_VIEW_CENTRE`` (agents) only the caller's own agent figures — another
scope is 403, breakdowns are 403. Without ``dimension`` the caller's default scope is used
(agent: own; team lead: the team they lead; others: the centre). Values are exact decimals
(strings in JSON), ``null`` when there is nothing to divide by.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.kpis.models import Dimension
from sqm.kpis.periods import period_start, previous_period
from sqm.kpis.selectors import dashboard as sel
from sqm.kpis.selectors.dashboard import Scope
from sqm.org.schemas import InputSchema
from sqm.standards.catalogue import KpiCode

router = Router()

GrainIn = Literal["day", "week", "month"]
DimensionIn = Literal["centre", "team", "agent", "channel", "type", "category"]
ByIn = Literal["team", "agent", "channel", "type", "category"]


class ScopeQuery(InputSchema):
    grain: GrainIn = Field(default="month", description="day, week (ISO, Monday first) or month.")
    start: dt.date | None = Field(default=None, description="Any day of the period; default today.")
    dimension: DimensionIn | None = Field(default=None, description="Default: the caller's own default scope.")
    key: str = Field(default="", max_length=40, description="Team/agent/category id, channel or type code.")


class SeriesQuery(ScopeQuery):
    metric: KpiCode = KpiCode.SLA_RESOLUTION
    periods: int = Field(default=12, ge=1, le=120, description="How many periods, ending with the one of start.")


class BreakdownQuery(InputSchema):
    grain: GrainIn = "month"
    start: dt.date | None = None
    by: ByIn = "team"
    metric: KpiCode | None = Field(default=None, description="One KPI; default every KPI.")


class DrillQuery(ScopeQuery):
    metric: KpiCode = KpiCode.SLA_RESOLUTION
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=1000)


class LiveQuery(InputSchema):
    dimension: DimensionIn | None = None
    key: str = Field(default="", max_length=40)


class ScopeOut(Schema):
    dimension: str
    key: str
    label: str


class IndicatorOut(Schema):
    standard: str
    code: str
    name: str
    target: Decimal
    yellow: Decimal
    orange: Decimal
    red: Decimal
    direction: str
    min_volume: int


class KpiOut(Schema):
    metric: str
    label: str
    unit: str
    value: Decimal | None
    num: int
    den: int
    volume: int
    previous: Decimal | None
    delta: Decimal | None
    light: str = Field(description="green, watch (target missed), yellow, orange, red, grey (too few cases), none")
    indicator: IndicatorOut | None


class ValuesOut(Schema):
    grain: str
    period_start: dt.date
    scope: ScopeOut
    kpis: list[KpiOut]


class PointOut(Schema):
    period_start: dt.date
    value: Decimal | None
    num: int
    den: int
    volume: int
    light: str


class SeriesOut(Schema):
    metric: str
    grain: str
    scope: ScopeOut
    points: list[PointOut]


class CellOut(Schema):
    metric: str
    value: Decimal | None
    volume: int
    light: str


class BreakdownRowOut(Schema):
    key: str
    label: str
    kpis: list[CellOut]


class BreakdownOut(Schema):
    grain: str
    period_start: dt.date
    by: str
    rows: list[BreakdownRowOut]


class DrillOut(Schema):
    metric: str
    grain: str
    period_start: dt.date
    scope: ScopeOut
    count: int
    page: int
    pages: int
    ticket_ids: list[int | None]


class LiveOut(Schema):
    scope: ScopeOut
    total: int
    on_track: int
    warning: int
    breached: int
    unassigned: int
    pending: int
    oldest_id: int | None
    oldest_at: dt.datetime | None


def _actor(request: HttpRequest) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    if not can(actor, Cap.KPI_VIEW):
        raise PermissionDeniedError()
    return actor


def _scope(actor: Any, dimension: str | None, key: str) -> Scope:
    scope = sel.default_scope(actor) if dimension is None else Scope.of(dimension, key, field="key")
    sel.check_scope(actor, scope)
    return scope


def _scope_out(scope: Scope, info: sel.ScopeInfo) -> dict[str, str]:
    return {"dimension": scope.dimension, "key": scope.key, "label": info.label}


def _info(scope: Scope) -> sel.ScopeInfo:
    team_list = sel.teams() if scope.dimension in (Dimension.TEAM, Dimension.AGENT) else []
    return sel.describe_scope(scope, team_list)


def _start(grain: str, start: dt.date | None) -> dt.date:
    today = timezone.localdate()
    return period_start(sel.check_start(start or today, today), grain)


def _targets(grain: str, start: dt.date) -> sel.Targets:
    return sel.Targets.on(sel.judging_day(grain, start, timezone.localdate()))


def _indicator(indicator: Any) -> dict[str, Any] | None:
    if indicator is None:
        return None
    return {
        "standard": indicator.version.standard.code,
        "code": indicator.code,
        "name": indicator.name,
        "target": indicator.target,
        "yellow": indicator.yellow,
        "orange": indicator.orange,
        "red": indicator.red,
        "direction": indicator.direction,
        "min_volume": indicator.min_volume,
    }


@router.get("/values", response=ValuesOut, summary="KPI values of a period against their targets")
def dashboard_values(request: HttpRequest, query: Query[ScopeQuery]) -> Any:
    """Every KPI of one scope in one period, with the previous period, the change, the indicator
    of the standard in force and the light (colour by threshold)."""
    actor = _actor(request)
    scope = _scope(actor, query.dimension, query.key)
    start = _start(query.grain, query.start)
    info = _info(scope)
    found = sel.tiles(grain=query.grain, start=start, info=info, targets=_targets(query.grain, start))
    return {
        "grain": query.grain,
        "period_start": start,
        "scope": _scope_out(scope, info),
        "kpis": [
            {
                "metric": t.metric,
                "label": t.label,
                "unit": t.unit,
                "value": t.value.value,
                "num": t.value.num,
                "den": t.value.den,
                "volume": t.value.volume,
                "previous": t.previous.value,
                "delta": t.delta,
                "light": t.light,
                "indicator": _indicator(t.indicator),
            }
            for t in found
        ],
    }


@router.get("/series", response=SeriesOut, summary="One KPI over consecutive periods")
def dashboard_series(request: HttpRequest, query: Query[SeriesQuery]) -> Any:
    actor = _actor(request)
    scope = _scope(actor, query.dimension, query.key)
    last = _start(query.grain, query.start)
    first = last
    for _i in range(query.periods - 1):
        first = previous_period(first, query.grain)
    info = _info(scope)
    metric = str(KpiCode(query.metric).value)
    indicator = _targets(query.grain, last).for_slice(metric, scope.dimension, scope.key, team_code=info.team_code)
    series = sel.series_values(
        metric=metric, grain=query.grain, first=first, last=last, dimension=scope.dimension, key=scope.key
    )
    return {
        "metric": metric,
        "grain": query.grain,
        "scope": _scope_out(scope, info),
        "points": [
            {
                "period_start": s,
                "value": kv.value,
                "num": kv.num,
                "den": kv.den,
                "volume": kv.volume,
                "light": sel.judge_against(kv, indicator),
            }
            for s, kv in series
        ],
    }


@router.get("/breakdown", response=BreakdownOut, summary="KPIs per team, agent, channel, type or category")
def dashboard_breakdown(request: HttpRequest, query: Query[BreakdownQuery]) -> Any:
    """Needs ``Cap.KPI_VIEW_CENTRE``: a breakdown shows other people's figures."""
    actor = request.auth  # type: ignore[attr-defined]
    if not can(actor, Cap.KPI_VIEW_CENTRE):
        raise PermissionDeniedError()
    start = _start(query.grain, query.start)
    metrics = [str(KpiCode(query.metric).value)] if query.metric else list(sel.ALL_METRICS)
    rows = sel.breakdown(
        grain=query.grain,
        start=start,
        by=query.by,
        metrics=metrics,
        targets=_targets(query.grain, start),
        team_list=sel.teams(),
    )
    return {
        "grain": query.grain,
        "period_start": start,
        "by": query.by,
        "rows": [
            {
                "key": row.scope.key,
                "label": row.label,
                "kpis": [
                    {"metric": m, "value": row.values[m].value, "volume": row.values[m].volume, "light": row.lights[m]}
                    for m in metrics
                ],
            }
            for row in rows
        ],
    }


@router.get("/drill", response=DrillOut, summary="The tickets behind one figure")
def dashboard_drill(request: HttpRequest, query: Query[DrillQuery]) -> Any:
    """A page of the ids of the tickets behind one KPI of one scope and period (one id per fact,
    in the order of the facts; ``null`` for a fact without a ticket)."""
    actor = _actor(request)
    scope = _scope(actor, query.dimension, query.key)
    start = _start(query.grain, query.start)
    metric = str(KpiCode(query.metric).value)
    paged, rows = sel.drill_page(
        metric=metric,
        grain=query.grain,
        start=start,
        dimension=scope.dimension,
        key=scope.key,
        page=query.page,
        per_page=query.page_size,
    )
    return {
        "metric": metric,
        "grain": query.grain,
        "period_start": start,
        "scope": _scope_out(scope, _info(scope)),
        "count": paged.paginator.count,
        "page": paged.number,
        "pages": paged.paginator.num_pages,
        "ticket_ids": [row.ticket_id for row in rows],
    }


@router.get("/live", response=LiveOut, summary="Active tickets right now, by SLA risk")
def dashboard_live(request: HttpRequest, query: Query[LiveQuery]) -> Any:
    actor = _actor(request)
    scope = _scope(actor, query.dimension, query.key)
    live = sel.live_counts(dimension=scope.dimension, key=scope.key)
    return {
        "scope": _scope_out(scope, _info(scope)),
        "total": live.total,
        "on_track": live.on_track,
        "warning": live.warning,
        "breached": live.breached,
        "unassigned": live.unassigned,
        "pending": live.pending,
        "oldest_id": live.oldest_id,
        "oldest_at": live.oldest_at,
    }
