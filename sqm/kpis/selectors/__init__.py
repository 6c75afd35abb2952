"""Reads of the KPI app, one module per area: rollups (values, series, breakdowns, drill-down),
alerts and the dashboard's view models."""

from sqm.kpis.selectors.rollups import facts_behind, rollup_breakdown, rollup_series, rollup_value

__all__ = ["facts_behind", "rollup_breakdown", "rollup_series", "rollup_value"]
