"""Sampling plans: what to inspect for a period (a calendar month by default) and at what rate.
Drawing a plan is in :mod:`.draws`."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError
from sqm.core.roles import Cap
from sqm.core.validation import clean_text
from sqm.inspections.models import PlanStatus, SamplingPlan, Scorecard
from sqm.inspections.services.base import PLAN_FIELDS, now, parse_decimal, require
from sqm.inspections.services.scorecards import check_published


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s calendar month."""
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _plan_values(*, rate: Any, low_rating_max: Any) -> tuple[Decimal, int]:
    value = parse_decimal(rate, "rate", places=4)
    if not Decimal("0.01") <= value <= Decimal(1):
        raise DomainError(_("The sampling rate lies between 0.01 (1 %) and 1 (100 %)."), field="rate", code="range")
    try:
        low = int(low_rating_max)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Enter a whole number."), field="low_rating_max") from exc
    if not 1 <= low <= 4:
        raise DomainError(_("A low rating is at most 1 to 4 stars."), field="low_rating_max", code="range")
    return value, low


def _check_period(period_start: dt.date, period_end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period (a calendar month when no end is given): in order, at most a year, overlapping no plan."""
    if period_end is None:
        period_start, period_end = month_bounds(period_start)
    if period_end < period_start:
        raise DomainError(_("The period ends before it starts."), field="period_end")
    if (period_end - period_start).days > 366:
        raise DomainError(_("A plan covers at most one year."), field="period_end", code="range")
    if SamplingPlan.objects.filter(period_start__lte=period_end, period_end__gte=period_start).exists():
        raise DomainError(
            _("Another plan already covers part of %(start)s – %(end)s.") % {"start": period_start, "end": period_end},
            field="period_start",
            code="overlap",
        )
    return period_start, period_end


def _default_name(period_start: dt.date, period_end: dt.date) -> str:
    if (period_start, period_end) == month_bounds(period_start):
        return str(_("QA sample %(month)s") % {"month": period_start.strftime("%Y-%m")})
    return str(_("QA sample %(start)s – %(end)s") % {"start": period_start, "end": period_end})


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    period_start: dt.date,
    period_end: dt.date | None = None,
    name: str = "",
    rate: Any = Decimal("0.2"),
    include_complaints: bool = True,
    include_low_ratings: bool = True,
    low_rating_max: int = 2,
    scorecard: Scorecard | None = None,
) -> SamplingPlan:
    """A sampling plan for a period (by default the calendar month of ``period_start``)."""
    require(actor, Cap.INSPECTION_MANAGE)
    return _plan_create(
        actor=actor,
        period_start=period_start,
        period_end=period_end,
        name=name,
        rate=rate,
        include_complaints=include_complaints,
        include_low_ratings=include_low_ratings,
        low_rating_max=low_rating_max,
        scorecard=scorecard,
    )


def _plan_create(
    *,
    actor: Any,
    period_start: dt.date,
    period_end: dt.date | None,
    name: str,
    rate: Any,
    include_complaints: bool,
    include_low_ratings: bool,
    low_rating_max: int,
    scorecard: Scorecard | None,
) -> SamplingPlan:
    period_start, period_end = _check_period(period_start, period_end)
    rate_value, low = _plan_values(rate=rate, low_rating_max=low_rating_max)
    check_published(scorecard)
    plan = SamplingPlan.objects.create(
        name=clean_text(name, "name", 120, required=False) or _default_name(period_start, period_end),
        period_start=period_start,
        period_end=period_end,
        rate=rate_value,
        include_complaints=bool(include_complaints),
        include_low_ratings=bool(include_low_ratings),
        low_rating_max=low,
        scorecard=scorecard,
        created_by=actor,
        created_at=now(),
    )
    audit_append(actor=actor, action="create", target=plan, changes=diff(None, snapshot(plan, PLAN_FIELDS)))
    return plan


def plan_month_ensure(*, month: dt.date) -> tuple[SamplingPlan, bool]:
    """The system's monthly plan for the month of ``month`` with the default rules, created once
    (running it again returns the existing plan). Returns ``(plan, created)``."""
    start, end = month_bounds(month)
    with transaction.atomic():
        existing = SamplingPlan.objects.filter(period_start__lte=end, period_end__gte=start).order_by("pk").first()
        if existing is not None:
            return existing, False
        plan = _plan_create(
            actor=None,
            period_start=start,
            period_end=end,
            name="",
            rate=Decimal("0.2"),
            include_complaints=True,
            include_low_ratings=True,
            low_rating_max=2,
            scorecard=None,
        )
    return plan, True


@transaction.atomic
def plan_close(*, actor: Any, plan: SamplingPlan) -> SamplingPlan:
    """Close a plan: once drawn, its achieved rates are final; a plan never drawn is cancelled (it
    will not be drawn, not even by the monthly task). Closing a closed plan changes nothing."""
    require(actor, Cap.INSPECTION_MANAGE)
    plan = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.CLOSED:
        return plan
    before = snapshot(plan, PLAN_FIELDS)
    plan.status = PlanStatus.CLOSED
    plan.closed_at = now()
    plan.save(update_fields=["status", "closed_at"])
    audit_append(actor=actor, action="close", target=plan, changes=diff(before, snapshot(plan, PLAN_FIELDS)))
    return plan


@transaction.atomic
def plan_delete(*, actor: Any, plan: SamplingPlan) -> None:
    """Delete a plan that was never drawn."""
    require(actor, Cap.INSPECTION_MANAGE)
    plan = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(_("A drawn plan is kept; close it instead."), field="status", code="drawn")
    audit_append(actor=actor, action="delete", target=plan, changes=diff(snapshot(plan, PLAN_FIELDS), None))
    plan.delete()
