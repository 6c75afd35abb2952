"""Writes of the KPI app, one module per area: ``rollups`` (facts and incremental rollups) and
``alerts`` (rules, alert lifecycle, contingency plans and drills)."""
