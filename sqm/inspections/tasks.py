"""Task bodies of quality inspection (plain, idempotent); scheduled in ``sqm/schedule.py``.

- :func:`monthly_plan`: on the 1st, the plan of the month just ended is created (once) and drawn
  with a fresh random seed, so inspectors find their work in the morning. When it cannot be drawn
  (no scorecard in force, no inspector) it stays a draft for the quality manager.
- :func:`expire_appeals`: results whose appeal period ended unappealed become final.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from sqm.core.errors import DomainError

logger = logging.getLogger(__name__)


def monthly_plan(today: dt.date | None = None) -> int | None:
    """Create (once) and draw the default plan of the month before ``today``; returns its id."""
    from sqm.inspections import services
    from sqm.inspections.models import PlanStatus

    today = today or timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    plan, _created = services.plan_month_ensure(month=last_month)
    if plan.status == PlanStatus.DRAFT and plan.period_end < today:
        try:
            services.system_plan_draw(plan=plan, today=today)
        except DomainError as exc:
            logger.warning("plan %s left undrawn: %s", plan.pk, exc.as_text())
    return plan.pk


def expire_appeals() -> int:
    """Finalise every result whose appeal deadline has passed; returns how many."""
    from sqm.inspections import services

    return services.finalise_expired()
