"""Task bodies of standards (plain, idempotent, take ids); scheduled in sqm/schedule.py."""

from __future__ import annotations

from sqm.standards import services


def activate_due() -> int:
    """Put approved versions whose effective date has come into effect (and supersede the ones
    they replace). Runs every hour, so a worker that was down at midnight catches up; running it
    again changes nothing."""
    return services.activate_due()
