"""The live KPI dashboard (DESIGN.md §2.4, 实时监控): live queue and SLA risk, KPI tiles against
the standards' targets, trends, breakdowns, drill-down to the tickets, CSV/Excel exports.

Who sees what: every role with ``Cap.KPI_VIEW`` opens the dashboard; without
``Cap.KPI_VIEW_CENTRE`` (agents) only their own figures — any other scope, breakdown or
drill-down answers 403. Default views: agent → own figures, team lead → the team they lead,
everyone else → the whole centre.

State lives in the query string (``grain``, ``start``, ``scope``, ``metric``, ``by``, ``span``),
so every view is a link. htmx swaps sections without reloading the page: the live queue polls
every 30 s, the tiles every 60 s, the controls swap the whole body. Charts are Plotly.js figures
built here as plain JSON and drawn by ``kpis/dashboard.js`` from the bundle served by the app
(``sqm.kpis.staticfiles``), never a CDN. Every KPI figure is read from rollups, so the page
costs a small, fixed number of queries whatever the number of tickets.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.forms import is_htmx
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.kpis.models import Dimension, Grain
from sqm.kpis.periods import next_period, period_start, previous_period
from sqm.kpis.selectors import dashboard as sel
from sqm.kpis.selectors.dashboard import Scope, Targets
from sqm.kpis.values import KpiValue
from sqm.standards.catalogue import KpiCode
from sqm.standards.models import Indicator
from sqm.tickets.models import Channel, TicketType

_PLAIN = re.compile(r"[A-Za-z0-9_.:-]*")
LIVE_REFRESH_SECONDS = 30
TILES_REFRESH_SECONDS = 60
CHARTS_REFRESH_SECONDS = 300
SPAN_DEFAULT = {Grain.DAY: 30, Grain.WEEK: 13, Grain.MONTH: 12}
SPAN_MAX = 120
DRILL_PAGE_SIZE = 50
EXPORT_ROW_LIMIT = 10_000
DEFAULT_METRIC = KpiCode.SLA_RESOLUTION.value
# The columns of a breakdown table (and its export): volume, speed, resolution, SLA, satisfaction.
TABLE_METRICS: tuple[str, ...] = (
    KpiCode.VOLUME,
    KpiCode.FIRST_RESPONSE_BUSINESS,
    KpiCode.RESOLUTION_RATE,
    KpiCode.FCR,
    KpiCode.SLA_RESPONSE,
    KpiCode.SLA_RESOLUTION,
    KpiCode.CSAT,
    KpiCode.COMPLAINT_RATE,
    KpiCode.BACKLOG,
)
LIGHT_COLOURS = {
    sel.GREEN: "#16a34a",
    sel.WATCH: "#65a30d",
    sel.YELLOW: "#eab308",
    sel.ORANGE: "#f97316",
    sel.RED: "#dc2626",
    sel.GREY: "#9ca3af",
    sel.NO_TARGET: "#2563eb",
}


def light_text(light: str) -> str:
    return {
        sel.GREEN: _("On target"),
        sel.WATCH: _("Below target"),
        sel.YELLOW: _("Yellow threshold reached"),
        sel.ORANGE: _("Orange threshold reached"),
        sel.RED: _("Red threshold reached"),
        sel.GREY: _("Too few cases to judge"),
        sel.NO_TARGET: _("No target"),
    }[light]


# --- the state in the query string ------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """What the dashboard shows: period (grain and its first day), scope, the KPI of the trend
    and breakdown, the breakdown dimension and the trend length."""

    grain: str
    start: dt.date
    scope: Scope
    metric: str
    by: str
    span: int
    page: int = 1

    def params(self, **changes: Any) -> dict[str, str]:
        state = replace(self, **changes)
        params = {
            "grain": state.grain,
            "start": state.start.isoformat(),
            "scope": state.scope.token,
            "metric": state.metric,
            "by": state.by,
            "span": str(state.span),
        }
        if state.page > 1:
            params["page"] = str(state.page)
        return params

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    def url(self, name: str, **changes: Any) -> str:
        return f"{reverse(name)}?{self.query(**changes)}"

    def linker(self, name: str, *varying: str) -> Callable[..., str]:
        """A fast maker of many links that differ only in ``varying`` parameters (a table's cells)."""
        fixed = self.params()
        for param in varying:
            fixed.pop(param, None)
        prefix = f"{reverse(name)}?{urlencode(fixed)}&"

        def make(**changes: Any) -> str:
            parts = []
            for param, value in changes.items():
                text = value.token if isinstance(value, Scope) else str(value)
                # Codes, ids and scope tokens are plain ASCII: escape the colon only, skip urlencode's cost.
                parts.append(
                    f"{param}={text.replace(':', '%3A')}" if _PLAIN.fullmatch(text) else urlencode({param: text})
                )
            return prefix + "&".join(parts)

        return make


def _choice(value: str, allowed: Any, field: str) -> str:
    if value not in allowed:
        raise DomainError(_("“%(value)s” is not one of the allowed choices.") % {"value": value}, field=field)
    return value


def _whole(value: str | None, default: int, field: str) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        raise DomainError(_("Enter a whole number."), field=field) from None


def _state(request: HttpRequest) -> State:
    """The dashboard state from the query string, checked; the scope must be one the user may see."""
    data = request.GET
    user = request.user
    grain = _choice(data.get("grain") or Grain.MONTH, Grain.values, "grain")
    today = timezone.localdate()
    raw_start = data.get("start") or ""
    try:
        start = dt.date.fromisoformat(raw_start) if raw_start else today
    except ValueError:
        raise DomainError(_("Enter a date as YYYY-MM-DD."), field="start") from None
    sel.check_start(start, today)
    scope = Scope.parse(data["scope"]) if data.get("scope") else sel.default_scope(user)
    sel.check_scope(user, scope)
    metric = _choice(data.get("metric") or DEFAULT_METRIC, KpiCode.values, "metric")
    default_by = Dimension.AGENT if scope.dimension == Dimension.TEAM else Dimension.TEAM
    by = _choice(data.get("by") or default_by, sel.BREAKDOWN_DIMENSIONS, "by")
    span = _whole(data.get("span"), SPAN_DEFAULT[Grain(grain)], "span")
    page = _whole(data.get("page"), 1, "page")
    if not 2 <= span <= SPAN_MAX:
        raise DomainError(_("Show between 2 and %(max)d periods.") % {"max": SPAN_MAX}, field="span")
    return State(grain, period_start(start, grain), scope, metric, by, span, max(page, 1))


def dashboard_view(cap: Cap) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """``@require(cap)`` plus: a scope the user may not see is 403, a malformed parameter 400."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.as_text()) from exc
            except DomainError as exc:
                errors = [(field, str(m)) for field, ms in exc.errors.items() for m in ms]
                context = {"errors": errors, "back": reverse("kpis:dashboard")}
                return render(request, "kpis/dashboard_error.html", context, status=400)

        return require(cap)(require_GET(vary_on_headers("HX-Request")(wrapped)))

    return decorator


# --- sections ------------------------------------------------------------------------------------


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else str(value)


def _delta_text(delta: Decimal | None) -> str:
    return "" if delta is None else f"{delta:+}"


def _period_nav(state: State) -> dict[str, Any]:
    today = timezone.localdate()
    current = period_start(today, state.grain)
    after = next_period(state.start, state.grain)
    return {
        "label": sel.period_label(state.grain, state.start),
        "is_current": state.start == current,
        "previous": state.url("kpis:dashboard", start=previous_period(state.start, state.grain), page=1),
        "next": state.url("kpis:dashboard", start=after, page=1) if after <= today else "",
        "current": state.url("kpis:dashboard", start=current, page=1) if state.start != current else "",
        "grains": [
            (g.value, g.label, state.url("kpis:dashboard", grain=g.value, span=SPAN_DEFAULT[g], page=1)) for g in Grain
        ],
    }


def _queue_url(user: Any, scope: Scope, **filters: str) -> str:
    """The ticket queue showing the same slice (None when there is no such queue for ``user``)."""
    if scope.dimension == Dimension.AGENT and scope.key == str(user.pk) and can(user, Cap.TICKET_WORK):
        return f"{reverse('tickets:my_queue')}?{urlencode(filters)}" if filters else reverse("tickets:my_queue")
    if not (can(user, Cap.TICKET_VIEW) and sel.sees_everyone(user)):
        return ""
    field = {
        Dimension.TEAM: "team",
        Dimension.AGENT: "assignee",
        Dimension.CHANNEL: "channel",
        Dimension.TYPE: "type",
        Dimension.CATEGORY: "category",
    }.get(Dimension(scope.dimension))
    params = {field: scope.key} if field else {}
    return f"{reverse('tickets:team_queue')}?{urlencode({**params, **filters})}"


def live_context(state: State, user: Any) -> dict[str, Any]:
    live = sel.live_counts(dimension=state.scope.dimension, key=state.scope.key)
    stats = [
        ("total", _("Active tickets"), live.total, "", {}),
        ("on_track", _("SLA on track"), live.on_track, sel.GREEN, {"risk": "on_track"}),
        ("warning", _("SLA warning"), live.warning, sel.YELLOW, {"risk": "warning"}),
        ("breached", _("SLA breached"), live.breached, sel.RED, {"risk": "breached"}),
        ("unassigned", _("Unassigned"), live.unassigned, "", {"assignee": "none"}),
        ("pending", _("Waiting on customer"), live.pending, "", {"status": "pending"}),
    ]
    is_own = state.scope.dimension == Dimension.AGENT
    return {
        "live": live,
        "live_stats": [
            {
                "key": key,
                "label": label,
                "value": value,
                "light": light,
                "url": _queue_url(user, state.scope, **filters) if not (is_own and key == "unassigned") else "",
            }
            for key, label, value, light, filters in stats
            if not (is_own and key == "unassigned")
        ],
        "live_url": state.url("kpis:dashboard_live"),
        "live_refresh": LIVE_REFRESH_SECONDS,
        "can_tickets": can(user, Cap.TICKET_VIEW),
    }


def _drill_url(state: State, metric: str, scope: Scope | None = None) -> str:
    return state.url("kpis:dashboard_drill", metric=metric, scope=scope or state.scope, page=1)


def _target_text(indicator: Indicator | None) -> str:
    if indicator is None:
        return ""
    return f"{indicator.target.normalize():f}"


def _tile_dict(state: State, tile: sel.Tile) -> dict[str, Any]:
    return {
        "metric": tile.metric,
        "label": tile.label,
        "unit": tile.unit,
        "value": _fmt(tile.value.value),
        "volume": tile.value.volume,
        "previous": _fmt(tile.previous.value),
        "delta": _delta_text(tile.delta),
        "improved": tile.improved,
        "target": _target_text(tile.indicator),
        "indicator": tile.indicator,
        "light": tile.light,
        "light_text": light_text(tile.light),
        "drill_url": _drill_url(state, tile.metric),
    }


def _targets(state: State) -> Targets:
    return Targets.on(sel.judging_day(state.grain, state.start, timezone.localdate()))


def tiles_context(state: State, info: sel.ScopeInfo, targets: Targets) -> dict[str, Any]:
    found = sel.tiles(grain=state.grain, start=state.start, info=info, targets=targets)
    return {
        "tiles": [_tile_dict(state, tile) for tile in found],
        "tiles_url": state.url("kpis:dashboard_tiles"),
        "tiles_refresh": TILES_REFRESH_SECONDS,
        "period_label": sel.period_label(state.grain, state.start),
    }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _trend_series(state: State) -> list[tuple[dt.date, KpiValue]]:
    first = state.start
    for _i in range(state.span - 1):
        first = previous_period(first, state.grain)
    return sel.series_values(
        metric=state.metric,
        grain=state.grain,
        first=first,
        last=state.start,
        dimension=state.scope.dimension,
        key=state.scope.key,
    )


def trend_chart(state: State, series: list[tuple[dt.date, KpiValue]], indicator: Indicator | None) -> dict[str, Any]:
    """A Plotly figure (plain JSON): the KPI as a line, its volume as bars on a second axis, the
    target as a dashed line."""
    x = [sel.short_period_label(state.grain, start) for start, _v in series]
    unit = sel.metric_unit(state.metric)
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": _("Volume"),
            "x": x,
            "y": [kv.volume for _s, kv in series],
            "yaxis": "y2",
            "marker": {"color": "#cbd5e1"},
            "hovertemplate": "%{y}<extra>" + _("Volume") + "</extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": sel.metric_label(state.metric),
            "x": x,
            "y": [_number(kv.value) for _s, kv in series],
            "line": {"color": "#2563eb", "width": 2},
            "connectgaps": False,
            "hovertemplate": "%{y} " + unit + "<extra></extra>",
        },
    ]
    if indicator is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Target"),
                "x": x,
                "y": [float(indicator.target)] * len(x),
                "line": {"color": LIGHT_COLOURS[sel.GREEN], "dash": "dash", "width": 1.5},
                "hoverinfo": "skip",
            }
        )
    layout = {
        "height": 300,
        "margin": {"l": 56, "r": 56, "t": 16, "b": 48},
        "xaxis": {"type": "category", "automargin": True},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero", "automargin": True},
        "yaxis2": {
            "title": {"text": _("Volume")},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
        },
        "legend": {"orientation": "h", "y": -0.25},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"size": 12},
    }
    return {"data": data, "layout": layout}


def trend_context(state: State, info: sel.ScopeInfo, targets: Targets) -> dict[str, Any]:
    series = _trend_series(state)
    indicator = targets.for_slice(state.metric, state.scope.dimension, state.scope.key, team_code=info.team_code)
    rows = [
        {
            "label": sel.period_label(state.grain, start),
            "value": _fmt(kv.value),
            "volume": kv.volume,
            "light": sel.judge_against(kv, indicator),
            "drill_url": state.url("kpis:dashboard_drill", start=start, page=1),
        }
        for start, kv in series
    ]
    return {
        "trend_rows": rows,
        "trend_chart": trend_chart(state, series, indicator),
        "trend_indicator": indicator,
        "trend_url": state.url("kpis:dashboard_trend"),
        "charts_refresh": CHARTS_REFRESH_SECONDS,
        "metric_label": sel.metric_label(state.metric),
        "metric_unit": sel.metric_unit(state.metric),
    }


def _table_metrics(state: State) -> list[str]:
    metrics = [str(m) for m in TABLE_METRICS]
    if state.metric not in metrics:
        metrics.append(state.metric)
    return metrics


def breakdown_chart(state: State, rows: list[sel.BreakdownRow]) -> dict[str, Any]:
    """A horizontal bar per key for the chosen KPI, coloured by its light, best at the top."""
    valued = [r for r in rows if r.values[state.metric].value is not None]
    higher = sel.better(state.metric, Decimal(1)) is True
    valued.sort(key=lambda r: r.values[state.metric].value or 0, reverse=not higher)
    unit = sel.metric_unit(state.metric)
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [r.label for r in valued],
                "x": [_number(r.values[state.metric].value) for r in valued],
                "marker": {"color": [LIGHT_COLOURS[r.lights[state.metric]] for r in valued]},
                "customdata": [r.values[state.metric].volume for r in valued],
                "hovertemplate": "%{y}: %{x} " + unit + " (" + _("volume") + " %{customdata})<extra></extra>",
            }
        ],
        "layout": {
            "height": max(220, 26 * len(valued) + 70),
            "margin": {"l": 120, "r": 24, "t": 12, "b": 40},
            "xaxis": {"title": {"text": unit}, "rangemode": "tozero", "automargin": True},
            "yaxis": {"automargin": True, "type": "category"},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"size": 12},
        },
    }


def _breakdown_rows(state: State, targets: Targets, team_list: list[Any]) -> list[sel.BreakdownRow]:
    within = (
        int(state.scope.key)
        if state.scope.dimension == Dimension.TEAM and state.by == Dimension.AGENT and state.scope.key
        else None
    )
    return sel.breakdown(
        grain=state.grain,
        start=state.start,
        by=state.by,
        metrics=_table_metrics(state),
        targets=targets,
        team_list=team_list,
        within_team=within,
    )


def breakdown_context(state: State, targets: Targets, team_list: list[Any]) -> dict[str, Any]:
    rows = _breakdown_rows(state, targets, team_list)
    metrics = _table_metrics(state)
    drill = replace(state, page=1).linker("kpis:dashboard_drill", "metric", "scope")
    rescope = replace(state, page=1).linker("kpis:dashboard", "scope")
    texts = {light: light_text(light) for light in sel.LIGHTS}
    return {
        "breakdown_columns": [
            {"metric": m, "label": sel.metric_label(m), "unit": sel.metric_unit(m), "chosen": m == state.metric}
            for m in metrics
        ],
        "breakdown_rows": [
            {
                "label": row.label,
                "scope_url": rescope(scope=row.scope),
                "cells": [
                    {
                        "value": _fmt(row.values[m].value),
                        "volume": row.values[m].volume,
                        "light": row.lights[m],
                        "light_text": texts[row.lights[m]],
                        "drill_url": drill(metric=m, scope=row.scope),
                    }
                    for m in metrics
                ],
            }
            for row in rows
        ],
        "breakdown_chart": breakdown_chart(state, rows),
        "breakdown_url": state.url("kpis:dashboard_breakdown"),
        "charts_refresh": CHARTS_REFRESH_SECONDS,
        "metric_label": sel.metric_label(state.metric),
        "by_label": Dimension(state.by).label,
        "by_choices": [(d.value, Dimension(d).label) for d in sel.BREAKDOWN_DIMENSIONS],
    }


def _scope_choices(state: State, info: sel.ScopeInfo, team_list: list[Any]) -> list[tuple[str, str]]:
    choices = [("centre", _("Whole centre"))]
    choices += [(f"team:{t.pk}", f"{_('Team')} · {t.name}") for t in team_list]
    choices += [(f"channel:{c.value}", f"{_('Channel')} · {c.label}") for c in Channel]
    choices += [(f"type:{t.value}", f"{_('Ticket type')} · {t.label}") for t in TicketType]
    if state.scope.token not in {token for token, _label in choices}:
        choices.append((state.scope.token, f"{Dimension(state.scope.dimension).label} · {info.label}"))
    return choices


def _body_context(request: HttpRequest, state: State) -> dict[str, Any]:
    user = request.user
    everyone = sel.sees_everyone(user)
    team_list = sel.teams() if everyone else []
    info = sel.describe_scope(state.scope, team_list)
    targets = _targets(state)
    context: dict[str, Any] = {
        "state": state,
        "info": info,
        "everyone": everyone,
        "can_tickets": can(user, Cap.TICKET_VIEW),
        "nav": _period_nav(state),
        "body_url": reverse("kpis:dashboard"),
        "metric_choices": [(c.value, c.label) for c in KpiCode],
        "scope_choices": _scope_choices(state, info, team_list) if everyone else [],
        "exports": _export_links(state, ("tiles", "trend", "breakdown") if everyone else ("tiles", "trend")),
        **live_context(state, user),
        **tiles_context(state, info, targets),
        **trend_context(state, info, targets),
    }
    if everyone:
        context.update(breakdown_context(state, targets, team_list))
    return context


def _export_links(state: State, tables: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {
        table: {
            fmt: state.url("kpis:dashboard_export") + "&" + urlencode({"table": table, "format": fmt})
            for fmt in ("csv", "xlsx")
        }
        for table in tables
    }


# --- pages ---------------------------------------------------------------------------------------


@dashboard_view(Cap.KPI_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard: live queue, KPI tiles, trend and (for those who see the centre) breakdown.
    An htmx request (the controls) gets the body only."""
    state = _state(request)
    context = _body_context(request, state)
    template = "kpis/partials/dashboard_body.html" if is_htmx(request) else "kpis/dashboard.html"
    return render(request, template, context)


@dashboard_view(Cap.KPI_VIEW)
def dashboard_live(request: HttpRequest) -> HttpResponse:
    """The live queue and SLA risk of the scope (polled every 30 s)."""
    state = _state(request)
    context = {"state": state, **live_context(state, request.user)}
    return render(request, "kpis/partials/dashboard_live.html", context)


@dashboard_view(Cap.KPI_VIEW)
def dashboard_tiles(request: HttpRequest) -> HttpResponse:
    """The KPI tiles of the period (polled every 60 s)."""
    state = _state(request)
    team_list = sel.teams() if state.scope.dimension in (Dimension.TEAM, Dimension.AGENT) else []
    info = sel.describe_scope(state.scope, team_list)
    context = {"state": state, "info": info, **tiles_context(state, info, _targets(state))}
    context["exports"] = _export_links(state, ("tiles",))
    return render(request, "kpis/partials/dashboard_tiles.html", context)


@dashboard_view(Cap.KPI_VIEW)
def dashboard_trend(request: HttpRequest) -> HttpResponse:
    """The trend chart and table of one KPI over the last ``span`` periods."""
    state = _state(request)
    team_list = sel.teams() if state.scope.dimension in (Dimension.TEAM, Dimension.AGENT) else []
    info = sel.describe_scope(state.scope, team_list)
    context = {"state": state, "info": info, **trend_context(state, info, _targets(state))}
    context["exports"] = _export_links(state, ("trend",))
    return render(request, "kpis/partials/dashboard_trend.html", context)


@dashboard_view(Cap.KPI_VIEW_CENTRE)
def dashboard_breakdown(request: HttpRequest) -> HttpResponse:
    """KPIs per team, agent, channel, type or category (only for those who see everyone)."""
    state = _state(request)
    context = {"state": state, **breakdown_context(state, _targets(state), sel.teams())}
    context["exports"] = _export_links(state, ("breakdown",))
    return render(request, "kpis/partials/dashboard_breakdown.html", context)


@dashboard_view(Cap.KPI_VIEW)
def dashboard_drill(request: HttpRequest) -> HttpResponse:
    """The tickets behind one tile or cell, a page at a time, each linked to its ticket."""
    state = _state(request)
    team_list = sel.teams() if state.scope.dimension == Dimension.TEAM else []
    info = sel.describe_scope(state.scope, team_list)
    paged, rows = sel.drill_page(
        metric=state.metric,
        grain=state.grain,
        start=state.start,
        dimension=state.scope.dimension,
        key=state.scope.key,
        page=state.page,
        per_page=DRILL_PAGE_SIZE,
    )
    cell = sel.period_values(
        grain=state.grain,
        start=state.start,
        dimension=state.scope.dimension,
        key=state.scope.key,
        metrics=[state.metric],
    )[state.metric][0]
    context = {
        "state": state,
        "info": info,
        "page": paged,
        "rows": rows,
        "cell": cell,
        "cell_value": _fmt(cell.value),
        "is_stock": state.metric in sel.STOCK_METRICS,
        "metric_label": sel.metric_label(state.metric),
        "metric_unit": sel.metric_unit(state.metric),
        "period_label": sel.period_label(state.grain, state.start),
        "can_tickets": can(request.user, Cap.TICKET_VIEW),
        "previous_url": state.url("kpis:dashboard_drill", page=paged.previous_page_number())
        if paged.has_previous()
        else "",
        "next_url": state.url("kpis:dashboard_drill", page=paged.next_page_number()) if paged.has_next() else "",
        "back_url": state.url("kpis:dashboard", page=1),
        "exports": _export_links(state, ("drill",)),
        "export_limit": EXPORT_ROW_LIMIT,
    }
    template = "kpis/partials/dashboard_drill_table.html" if is_htmx(request) else "kpis/dashboard_drill.html"
    return render(request, template, context)


# --- exports -------------------------------------------------------------------------------------


@dataclass
class Table:
    """A table as exported: a title, column headings and rows of numbers, dates and text."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


def _tiles_table(state: State, info: sel.ScopeInfo) -> Table:
    found = sel.tiles(grain=state.grain, start=state.start, info=info, targets=_targets(state))
    columns = [
        _("KPI"),
        _("Code"),
        _("Unit"),
        _("Value"),
        _("Volume"),
        _("Numerator"),
        _("Denominator"),
        _("Previous period"),
        _("Change"),
        _("Target"),
        _("Status"),
        _("Indicator"),
    ]
    rows = [
        [
            t.label,
            t.metric,
            t.unit,
            t.value.value,
            t.value.volume,
            t.value.num,
            t.value.den,
            t.previous.value,
            t.delta,
            t.indicator.target if t.indicator else None,
            light_text(t.light),
            f"{t.indicator.version.standard.code}/{t.indicator.code}" if t.indicator else "",
        ]
        for t in found
    ]
    return Table("tiles", _("KPIs"), columns, rows)


def _trend_table(state: State) -> Table:
    series = _trend_series(state)
    columns = [
        _("Period"),
        _("Period start"),
        sel.metric_label(state.metric),
        _("Unit"),
        _("Volume"),
        _("Numerator"),
        _("Denominator"),
    ]
    unit = sel.metric_unit(state.metric)
    rows = [[sel.period_label(state.grain, s), s, kv.value, unit, kv.volume, kv.num, kv.den] for s, kv in series]
    return Table(f"trend-{state.metric}", _("Trend"), columns, rows)


def _breakdown_table(state: State) -> Table:
    team_list = sel.teams()
    rows_ = _breakdown_rows(state, _targets(state), team_list)
    metrics = _table_metrics(state)
    columns = [str(Dimension(state.by).label), _("Key")]
    for m in metrics:
        columns += [f"{sel.metric_label(m)} ({sel.metric_unit(m)})", f"{sel.metric_label(m)} · {_('volume')}"]
    rows = []
    for row in rows_:
        line: list[Any] = [row.label, row.scope.key]
        for m in metrics:
            line += [row.values[m].value, row.values[m].volume]
        rows.append(line)
    return Table(
        f"breakdown-{state.by}",
        _("Breakdown by %(dimension)s") % {"dimension": Dimension(state.by).label},
        columns,
        rows,
    )


def _drill_table(state: State) -> Table:
    _paged, found = sel.drill_page(
        metric=state.metric,
        grain=state.grain,
        start=state.start,
        dimension=state.scope.dimension,
        key=state.scope.key,
        page=1,
        per_page=EXPORT_ROW_LIMIT,
    )
    unit = sel.metric_unit(state.metric)
    columns = [
        _("Ticket"),
        _("Subject"),
        _("Type"),
        _("Channel"),
        _("Status"),
        _("Team"),
        _("Assignee"),
        _("Day"),
        sel.metric_label(state.metric),
        _("Unit"),
        _("Numerator"),
        _("Denominator"),
    ]
    rows = []
    for r in found:
        t = r.ticket
        rows.append(
            [
                t.number if t else (f"T{r.ticket_id:08d}" if r.ticket_id else ""),
                t.subject if t else "",
                t.get_type_display() if t else "",
                t.get_channel_display() if t else "",
                t.get_status_display() if t else "",
                t.team.name if t and t.team else "",
                str(t.assignee) if t and t.assignee else "",
                r.day,
                r.value.value,
                unit,
                r.value.num,
                r.value.den,
            ]
        )
    return Table(
        f"tickets-{state.metric}", _("Tickets behind %(kpi)s") % {"kpi": sel.metric_label(state.metric)}, columns, rows
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float | dt.date):
        return value
    return str(value)


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; numbers unquoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(v) if not isinstance(v, dt.date) else v.isoformat() for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    """One sheet: bold headings, frozen first row; numbers stay numbers (with the KPI's decimal
    places as their format), dates stay dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31] or "SQM"
    sheet.append(table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(
            [
                None if v is None or v == "" else (str(v) if not isinstance(v, Decimal | int | float | dt.date) else v)
                for v in row
            ]
        )
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Decimal):
                places = max(0, -int(value.as_tuple().exponent))  # type: ignore[operator]
                cell.number_format = "0." + "0" * places if places else "0"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for index, heading in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = min(40, max(10, len(str(heading)) * 2 + 2))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dashboard_view(Cap.KPI_VIEW)
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """Any dashboard table as CSV or Excel: ``table`` = tiles | trend | breakdown | drill,
    ``format`` = csv | xlsx; the file name carries the scope and the period."""
    state = _state(request)
    table_name = _choice(request.GET.get("table") or "tiles", ("tiles", "trend", "breakdown", "drill"), "table")
    fmt = _choice(request.GET.get("format") or "csv", ("csv", "xlsx"), "format")
    if table_name == "breakdown" and not sel.sees_everyone(request.user):
        raise PermissionDenied
    if table_name == "tiles":
        team_list = sel.teams() if state.scope.dimension in (Dimension.TEAM, Dimension.AGENT) else []
        table = _tiles_table(state, sel.describe_scope(state.scope, team_list))
    elif table_name == "trend":
        table = _trend_table(state)
    elif table_name == "breakdown":
        table = _breakdown_table(state)
    else:
        table = _drill_table(state)
    scope = state.scope.token.replace(":", "-")
    filename = f"sqm-kpi-{table.name}-{scope}-{state.grain}-{sel.period_slug(state.grain, state.start)}.{fmt}"
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    if fmt == "csv":
        response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(table), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
