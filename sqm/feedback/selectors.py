"""Reads of feedback: querysets with related rows loaded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from sqm.feedback.models import Rating

PAGE_SIZE = 50


@dataclass(frozen=True)
class RatingFilters:
    """What the staff list and the API filter ratings by (all optional)."""

    ticket_id: int | None = None
    agent_id: int | None = None
    team_id: int | None = None
    score: int | None = None
    date_from: dt.date | None = None  # rated on or after (centre time)
    date_to: dt.date | None = None  # rated on or before
    counted: bool | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def ratings(filters: RatingFilters | None = None) -> QuerySet[Rating]:
    """Ratings newest first with ticket, customer, agent and team loaded."""
    f = filters or RatingFilters()
    qs = Rating.objects.select_related("ticket", "customer", "agent", "team", "flagged_by")
    if f.ticket_id is not None:
        qs = qs.filter(ticket_id=f.ticket_id)
    if f.agent_id is not None:
        qs = qs.filter(agent_id=f.agent_id)
    if f.team_id is not None:
        qs = qs.filter(team_id=f.team_id)
    if f.score is not None:
        qs = qs.filter(score=f.score)
    if f.date_from is not None:
        qs = qs.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to is not None:
        qs = qs.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.counted is not None:
        qs = qs.filter(counted=f.counted)
    return qs.order_by("-created_at", "-id")


@dataclass
class RatingPage:
    items: list[Rating]
    next_cursor: str | None


def ratings_page(filters: RatingFilters | None = None, *, cursor: str = "", limit: int = PAGE_SIZE) -> RatingPage:
    """One page of :func:`ratings`, keyset on (created_at, id): the same cost on the last page as
    on the first. ``cursor`` is the ``next_cursor`` of the page before."""
    qs = ratings(filters)
    after = _parse_cursor(cursor)
    if after is not None:
        moment, pk = after
        qs = qs.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    next_cursor = f"{items[-1].created_at.isoformat()}_{items[-1].pk}" if more and items else None
    return RatingPage(items, next_cursor)


def _parse_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    text, _sep, pk = (cursor or "").rpartition("_")
    try:
        moment = dt.datetime.fromisoformat(text)
        return (moment, int(pk)) if timezone.is_aware(moment) else None
    except ValueError:
        return None


def rating_of_ticket(ticket_id: int) -> Rating | None:
    return Rating.objects.select_related("agent", "team").filter(ticket_id=ticket_id).first()


def rating_by_pk(pk: int) -> Rating | None:
    return Rating.objects.select_related("ticket", "customer", "agent", "team").filter(pk=pk).first()


def score_summary(filters: RatingFilters | None = None) -> dict[str, Any]:
    """Count, average score and CSAT (share of 4 and 5, in per cent) of the filtered ratings that
    count; exact decimals rounded to two places (None without ratings)."""
    qs = ratings(filters).filter(counted=True).order_by()
    row = qs.aggregate(n=Count("id"), total=Sum("score"), happy=Count("id", filter=Q(score__gte=4)))
    n = row["n"] or 0
    if not n:
        return {"count": 0, "average": None, "csat": None}
    cent = Decimal("0.01")
    return {
        "count": n,
        "average": (Decimal(row["total"]) / n).quantize(cent, ROUND_HALF_UP),
        "csat": (Decimal(row["happy"] * 100) / n).quantize(cent, ROUND_HALF_UP),
    }
