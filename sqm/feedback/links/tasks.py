"""Task bodies of rating links, QR ratings and the complaint rule (plain, idempotent, take ids);
scheduled in sqm/schedule.py."""

from __future__ import annotations

from typing import Any


def invite_closed() -> dict[str, int]:
    """Invite the customers of newly closed tickets to rate them, and mail what waits."""
    from sqm.feedback.links import services

    return services.invite_closed()


def complaint_check(rating_id: int) -> int | None:
    """Apply the complaint rule to one rating; returns the follow-up's id (None: nothing to do)."""
    from sqm.feedback.links import services

    follow_up = services.complaint_check(rating_id)
    return follow_up.pk if follow_up is not None else None


def measure_rule() -> dict[str, Any]:
    """Measure the complaint rule's precision and recall and keep them on the rule."""
    from sqm.feedback.links import services

    return services.complaint_rule_measure()
