"""Reads of rating links, QR codes and the complaint rule: querysets with related rows loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sqm.feedback.links.models import QrCode, QrRating, RatingFollowUp, RatingInvitation
from sqm.feedback.models import Rating
from sqm.tickets.models import MessageKind, Status, Ticket, TicketMessage

FOLLOW_UPS_PAGE = 50
MINE_MAX = 50


def qr_codes(*, active: bool | None = None) -> QuerySet[QrCode]:
    """Codes with team, agent and creator loaded and their number of ratings, active first."""
    qs = QrCode.objects.select_related("team", "agent", "created_by").annotate(rating_count=Count("ratings"))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("-is_active", "label", "id")


def qr_code_by_pk(pk: int) -> QrCode | None:
    return QrCode.objects.select_related("team", "agent").filter(pk=pk).first()


def qr_code_by_token(token: str) -> QrCode | None:
    """The code of a public page (inactive ones too: the page says it is retired)."""
    if not token or len(token) > 32:
        return None
    return QrCode.objects.select_related("team", "agent").filter(token=token).first()


def qr_codes_for_sheet(ids: list[int] | None = None) -> list[QrCode]:
    """The active codes to print (all, or those of ``ids``), by label."""
    qs = QrCode.objects.select_related("team", "agent").filter(is_active=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return list(qs.order_by("label", "id"))


def follow_ups(*, cursor: int | None = None, limit: int = FOLLOW_UPS_PAGE) -> tuple[list[RatingFollowUp], int | None]:
    """Follow-ups newest first with rating, rated ticket, agent, team and complaint ticket
    loaded; keyset on id. Returns (page, id to continue before)."""
    qs = RatingFollowUp.objects.select_related(
        "rating", "rating__ticket", "rating__agent", "rating__team", "ticket", "rating__qr__code"
    ).order_by("-id")
    if cursor is not None:
        qs = qs.filter(id__lt=cursor)
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].pk if more and items else None)


def follow_up_of(rating_id: int) -> RatingFollowUp | None:
    return RatingFollowUp.objects.select_related("ticket").filter(rating_id=rating_id).first()


def rating_of(ticket_id: int) -> Rating | None:
    return Rating.objects.filter(ticket_id=ticket_id).first()


def rateable_tickets(customer: Any, *, days: int, now: dt.datetime | None = None) -> list[Ticket]:
    """The customer's resolved or closed tickets of the last ``days`` days that they may rate
    (not ones they worked on), newest first, with their rating (``my_rating``) if any."""
    now = now or timezone.now()
    worked = TicketMessage.objects.filter(
        ticket=OuterRef("pk"), author_id=customer.pk, kind__in=(MessageKind.REPLY, MessageKind.NOTE)
    )
    qs = (
        Ticket.objects.filter(customer_id=customer.pk, status__in=(Status.RESOLVED, Status.CLOSED))
        .filter(Q(closed_at__gte=now - dt.timedelta(days=days)) | Q(resolved_at__gte=now - dt.timedelta(days=days)))
        .exclude(assignee_id=customer.pk)
        .exclude(owner_id=customer.pk)
        .exclude(Exists(worked))
        .order_by("-updated_at", "-id")
    )
    tickets = list(qs[:MINE_MAX])
    ratings = {r.ticket_id: r for r in Rating.objects.filter(ticket_id__in=[t.pk for t in tickets])}
    for ticket in tickets:
        ticket.my_rating = ratings.get(ticket.pk)  # type: ignore[attr-defined]
    return tickets


def invitation_counts() -> dict[str, int]:
    """Invitations by status (for the follow-up page's header)."""
    return dict(RatingInvitation.objects.values_list("status").annotate(n=Count("id")).order_by())


def qr_summary(code_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per code: ratings counted and flagged."""
    rows = (
        QrRating.objects.filter(code_id__in=code_ids)
        .values("code_id")
        .annotate(
            counted=Count("id", filter=Q(rating__counted=True)),
            flagged=Count("id", filter=Q(rating__counted=False)),
        )
        .order_by()
    )
    return {r["code_id"]: {"counted": r["counted"], "flagged": r["flagged"]} for r in rows}
