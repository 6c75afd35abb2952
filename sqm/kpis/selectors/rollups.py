"""Reads of KPI rollups, alerts and contingency plans. Dashboards and alert rules read rollup
rows only (a handful per tile), never tickets; drill-down reads the facts behind one cell."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Sum

from sqm.kpis.models import Dimension, Grain, KpiFact, KpiRollup
from sqm.kpis.periods import next_period, period_start
from sqm.kpis.values import KpiValue, kpi_value
from sqm.standards.catalogue import CATALOGUE, Aggregate, KpiCode


def _is_stock(metric: str) -> bool:
    return CATALOGUE[KpiCode(metric)].aggregate == Aggregate.STOCK


def _stock_total(metric: str, dimension: str, key: str, before: dt.date) -> int:
    """Running total of a STOCK KPI's day rollups up to (not including) ``before``."""
    total = KpiRollup.objects.filter(
        grain=Grain.DAY, dimension=dimension, key=key, metric=metric, period_start__lt=before
    ).aggregate(total=Sum("num"))["total"]
    return int(total or 0)


def rollup_value(metric: str, grain: str, start: dt.date, dimension: str = Dimension.CENTRE, key: str = "") -> KpiValue:
    """The KPI for one period (``start`` is normalised to its period's first day) and slice."""
    start = period_start(start, grain)
    if _is_stock(metric):
        return kpi_value(metric, _stock_total(metric, dimension, key, next_period(start, grain)), 0)
    row = (
        KpiRollup.objects.filter(grain=grain, period_start=start, dimension=dimension, key=key, metric=metric)
        .values_list("num", "den")
        .first()
    )
    return kpi_value(metric, *(row or (0, 0)))


def rollup_series(
    metric: str, grain: str, first: dt.date, last: dt.date, dimension: str = Dimension.CENTRE, key: str = ""
) -> list[tuple[dt.date, KpiValue]]:
    """The KPI per period from ``first`` to ``last`` (inclusive), oldest first, empty periods included."""
    from sqm.kpis.periods import periods

    starts = periods(first, last, grain)
    if not starts:
        return []
    rows = dict(
        ((r[0], (r[1], r[2])))
        for r in KpiRollup.objects.filter(
            grain=grain,
            dimension=dimension,
            key=key,
            metric=metric,
            period_start__gte=starts[0],
            period_start__lte=starts[-1],
        ).values_list("period_start", "num", "den")
    )
    if _is_stock(metric):
        running = _stock_total(metric, dimension, key, starts[0])
        out = []
        for start in starts:
            running += (
                rows.get(start, (0, 0))[0]
                if grain == Grain.DAY
                else _sum_days(metric, dimension, key, start, next_period(start, grain))
            )
            out.append((start, kpi_value(metric, running, 0)))
        return out
    return [(start, kpi_value(metric, *rows.get(start, (0, 0)))) for start in starts]


def _sum_days(metric: str, dimension: str, key: str, first: dt.date, until: dt.date) -> int:
    total = KpiRollup.objects.filter(
        grain=Grain.DAY, dimension=dimension, key=key, metric=metric, period_start__gte=first, period_start__lt=until
    ).aggregate(total=Sum("num"))["total"]
    return int(total or 0)


def rollup_breakdown(metric: str, grain: str, start: dt.date, dimension: str) -> dict[str, KpiValue]:
    """The KPI for one period per key of ``dimension`` (e.g. per team), keys with data only."""
    start = period_start(start, grain)
    if _is_stock(metric):
        until = next_period(start, grain)
        totals = (
            KpiRollup.objects.filter(grain=Grain.DAY, dimension=dimension, metric=metric, period_start__lt=until)
            .values("key")
            .annotate(total=Sum("num"))
            .values_list("key", "total")
        )
        return {key: kpi_value(metric, int(total or 0), 0) for key, total in totals}
    rows = KpiRollup.objects.filter(grain=grain, period_start=start, dimension=dimension, metric=metric).values_list(
        "key", "num", "den"
    )
    return {key: kpi_value(metric, num, den) for key, num, den in rows}


_FACT_FIELD = {
    Dimension.TEAM: "team_id",
    Dimension.AGENT: "agent_id",
    Dimension.CHANNEL: "channel",
    Dimension.TYPE: "ticket_type",
    Dimension.CATEGORY: "category_id",
}


def facts_behind(
    metric: str, grain: str, start: dt.date, dimension: str = Dimension.CENTRE, key: str = ""
) -> QuerySet[KpiFact]:
    """The facts that make up one rollup cell (drill-down: their ``ticket_id`` are the tickets behind a tile)."""
    start = period_start(start, grain)
    qs = KpiFact.objects.filter(metric=metric, day__gte=start, day__lt=next_period(start, grain))
    if dimension != Dimension.CENTRE:
        qs = qs.filter(**{_FACT_FIELD[Dimension(dimension)]: key or None})
    return qs.order_by("day", "id")
