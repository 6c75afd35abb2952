"""Pages of the KPI app: ``dashboard`` (monitoring) and ``alerts`` (tiered alerts, contingency plans)."""
