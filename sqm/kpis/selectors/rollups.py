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


def _stock_total(metric: str, dimension: str, key: str, before: dt.date, grain: str = Grain.DAY) -> int:
    """Running total of a STOCK KPI up to (not including) ``before``, a period start of ``grain``.

    Days, ISO weeks and months each partition time and every grain's cells hold the sums of their
    days, so the cells of the period's own grain give the same total as its days: 12 rows a year
    for months instead of 365."""
    total = KpiRollup.objects.filter(
        grain=grain, dimension=dimension, key=key, metric=metric, period_start__lt=before
    ).aggregate(total=Sum("num"))["total"]
    return int(total or 0)


def rollup_value(metric: str, grain: str, start: dt.date, dimension: str = Dimension.CENTRE, key: str = "") -> KpiValue:
    """The KPI for one period (``start`` is normalised to its period's first day) and slice."""
    start = period_start(start, grain)
    if _is_stock(metric):
        return kpi_value(metric, _stock_total(metric, dimension, key, next_period(start, grain), grain), 0)
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
        running = _stock_total(metric, dimension, key, starts[0], grain)
        out = []
        for start in starts:
            running += rows.get(start, (0, 0))[0]
            out.append((start, kpi_value(metric, running, 0)))
        return out
    return [(start, kpi_value(metric, *rows.get(start, (0, 0)))) for start in starts]


def rollup_breakdown(metric: str, grain: str, start: dt.date, dimension: str) -> dict[str, KpiValue]:
    """The KPI for one period per key of ``dimension`` (e.g. per team), keys with data only."""
    start = period_start(start, grain)
    if _is_stock(metric):
        until = next_period(start, grain)
        totals = (
            KpiRollup.objects.filter(grain=grain, dimension=dimension, metric=metric, period_start__lt=until)
            .values("key")
            .annotate(total=Sum("num"))
            .values_list("key", "total")
        )
        return {key: kpi_value(metric, int(total or 0), 0) for key, total in totals}
    rows = KpiRollup.objects.filter(grain=grain, period_start=start, dimension=dimension, metric=metric).values_list(
        "key", "num", "den"
    )
    # Cells whose facts moved elsewhere stay behind as 0/0 (the refresh does not delete them): no data.
    return {key: kpi_value(metric, num, den) for key, num, den in rows if num or den}


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
