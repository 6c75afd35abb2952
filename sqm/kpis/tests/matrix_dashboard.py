"""Permission-matrix rows of the KPI dashboard: every page and API operation needs
``Cap.KPI_VIEW`` (without a scope each role gets its own default view: agents their own figures),
breakdowns ``Cap.KPI_VIEW_CENTRE`` (they show other people's figures)."""

from __future__ import annotations

from sqm.core.roles import Cap
from sqm.core.tests.matrix import Page

PAGES = {
    "kpis:dashboard": Page(Cap.KPI_VIEW),
    "kpis:dashboard_live": Page(Cap.KPI_VIEW),
    "kpis:dashboard_tiles": Page(Cap.KPI_VIEW),
    "kpis:dashboard_trend": Page(Cap.KPI_VIEW),
    "kpis:dashboard_breakdown": Page(Cap.KPI_VIEW_CENTRE),
    "kpis:dashboard_drill": Page(Cap.KPI_VIEW),
    "kpis:dashboard_export": Page(Cap.KPI_VIEW),
}

API: dict = {
    ("GET", "/api/kpis/dashboard/values"): (Cap.KPI_VIEW, None),
    ("GET", "/api/kpis/dashboard/series"): (Cap.KPI_VIEW, None),
    ("GET", "/api/kpis/dashboard/breakdown"): (Cap.KPI_VIEW_CENTRE, None),
    ("GET", "/api/kpis/dashboard/drill"): (Cap.KPI_VIEW, None),
    ("GET", "/api/kpis/dashboard/live"): (Cap.KPI_VIEW, None),
}
