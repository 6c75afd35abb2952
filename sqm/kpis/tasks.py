"""Task bodies of kpis (plain, idempotent, take ids); scheduled in sqm/schedule.py."""

from __future__ import annotations

# --- KPI rollups ---------------------------------------------------------------------------------------


def refresh_changed() -> dict[str, dict[str, int]]:
    """Refresh the KPI facts and rollups of every ticket and rating changed since the last run (every
    minute). Idempotent: a second run right after refreshes nothing. One run at a time: a run still
    busy when the next minute comes makes that one skip (an empty result); the lease it holds
    expires by itself if its worker dies."""
    from sqm.kpis.services import rollups

    if not rollups.refresh_lease_take():
        return {}
    try:
        return rollups.refresh_changed()
    finally:
        rollups.refresh_lease_release()


# --- tiered alerts ------------------------------------------------------------------------------------


def alerts_evaluate() -> int:
    """Run every active alert rule (every 5 minutes); returns how many alerts were raised or raised a level."""
    from sqm.kpis.services import alerts

    result = alerts.alerts_evaluate()
    return len(result.raised) + len(result.level_raised)


def alerts_escalate_overdue() -> int:
    """Escalate overdue rectification plans one level up (hourly); returns the steps taken."""
    from sqm.kpis.services import alerts

    return alerts.alerts_escalate_overdue()


def alerts_review_standards() -> int:
    """Open automatic review proposals for indicators that beat or missed their target (daily)."""
    from sqm.kpis.services import alerts

    return len(alerts.standards_review_propose())
