"""Writes of feedback: validated, audited, follow-up work queued on commit.

Ratings (DESIGN.md §2.5): a customer rates the service of one of their own tickets once it is
resolved or closed, 1–5 with an optional 0–10 likelihood to recommend and a comment. One rating
per ticket: rating again within the change window (``SQM_RATING_CHANGE_DAYS``, default 7 days
after the first rating) changes the same row, later it is refused. The rated agent and team are
the ticket's (the assignee who closed it, and their team). A quality manager may exclude an
abusive rating from the KPIs (:func:`rating_flag`); the KPI engine re-reads rows by ``updated_at``.

The audit chain keeps a comment as its length and SHA-256, like ticket messages: the text stays
in the rating, the chain proves it was not altered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.core.validation import check_choice, clean_text
from sqm.feedback.models import Rating, RatingSource
from sqm.tickets.models import MessageKind, Status, Ticket, TicketMessage

RATEABLE = (Status.RESOLVED, Status.CLOSED)
COMMENT_MAX = 2000
REASON_MAX = 500
DEFAULT_CHANGE_DAYS = 7


def change_window() -> dt.timedelta:
    """How long after the first rating a customer may still change it."""
    return dt.timedelta(days=int(getattr(settings, "SQM_RATING_CHANGE_DAYS", DEFAULT_CHANGE_DAYS)))


def _audited(rating: Rating) -> dict[str, Any]:
    comment = rating.comment or ""
    return {
        "ticket": rating.ticket_id,
        "customer": rating.customer_id,
        "agent": rating.agent_id,
        "team": rating.team_id,
        "source": rating.source,
        "score": rating.score,
        "recommend": rating.recommend,
        "comment_length": len(comment),
        "comment_sha256": hashlib.sha256(comment.encode()).hexdigest() if comment else None,
        "counted": rating.counted,
    }


def _check_score(score: Any) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(_("Give the rating (score) as a whole number from 1 to 5."), field="score", code="invalid")
    return score


def _check_recommend(recommend: Any) -> int | None:
    if recommend is None:
        return None
    if isinstance(recommend, bool) or not isinstance(recommend, int) or not 0 <= recommend <= 10:
        raise DomainError(
            _("Give the likelihood to recommend (recommend) as a whole number from 0 to 10, or leave it out."),
            field="recommend",
            code="invalid",
        )
    return recommend


def handled_by(ticket: Ticket, user: Any) -> bool:
    """Whether ``user`` worked on the ticket: its assignee or owner, or the author of a reply or
    internal note on it (e.g. an agent who has since become a customer)."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    if user_id in (ticket.assignee_id, ticket.owner_id):
        return True
    return TicketMessage.objects.filter(
        ticket_id=ticket.pk, author_id=user_id, kind__in=(MessageKind.REPLY, MessageKind.NOTE)
    ).exists()


@transaction.atomic
def rating_submit(
    *,
    ticket: Ticket,
    customer: Any,
    score: int,
    recommend: int | None = None,
    comment: str = "",
    source: str = RatingSource.PORTAL,
) -> tuple[Rating, bool]:
    """Rate a resolved or closed ticket as its customer; returns (rating, created).

    Refused: anyone but the ticket's customer (403), a customer who handled the ticket, a ticket
    not resolved yet, a score outside 1–5 or a recommendation outside 0–10 (each naming its
    field), and a change once the window after the first rating has passed. A change within the
    window updates the same row and moves ``updated_at``, so the KPIs follow.
    """
    if not can(customer, Cap.FEEDBACK_RATE):
        raise PermissionDeniedError()
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)  # one rating at a time per ticket
    if ticket.customer_id != customer.pk:
        raise PermissionDeniedError()
    if handled_by(ticket, customer):
        raise DomainError(_("You worked on this ticket, so you cannot rate it."), field="ticket", code="own_work")
    if ticket.status not in RATEABLE:
        raise DomainError(
            _("Only a resolved or closed ticket can be rated; this one is “%(status)s”.")
            % {"status": Status(ticket.status).label},
            field="ticket",
            code="not_resolved",
        )
    score = _check_score(score)
    recommend = _check_recommend(recommend)
    comment = clean_text(comment, "comment", COMMENT_MAX, required=False)
    source = check_choice(source, RatingSource, "source")
    now = timezone.now()
    rating = Rating.objects.select_for_update().filter(ticket_id=ticket.pk).first()
    created = rating is None
    before = None
    if rating is None:
        rating = Rating(ticket=ticket, customer=customer, created_at=now)
    else:
        if now > rating.created_at + change_window():
            raise DomainError(
                _("This rating was given on %(date)s and can only be changed within %(days)d days.")
                % {"date": timezone.localtime(rating.created_at).strftime("%Y-%m-%d"), "days": change_window().days},
                field="ticket",
                code="too_late",
            )
        before = _audited(rating)
    rating.agent_id, rating.team_id = ticket.assignee_id, ticket.team_id
    rating.score, rating.recommend, rating.comment, rating.source = score, recommend, comment, source
    rating.updated_at = now
    rating.save()
    audit_append(
        actor=customer,
        action="create" if created else "update",
        target=rating,
        changes=diff(before, _audited(rating)),
    )
    transaction.on_commit(lambda: _after_rating(rating.pk))
    return rating, created


def _after_rating(rating_id: int) -> None:
    """Follow-up work of a new or changed rating: the complaint rule (``sqm.feedback.links``)."""
    from sqm import schedule

    schedule.links_complaint_check(rating_id)


@transaction.atomic
def rating_flag(*, actor: Any, rating: Rating, counted: bool, reason: str) -> Rating:
    """Exclude a rating from the KPIs (``counted=False``: abusive, a test, a mistaken ticket) or
    count it again. The reason is required and kept on the row and in the audit chain."""
    if not can(actor, Cap.FEEDBACK_MODERATE):
        raise PermissionDeniedError()
    reason = clean_text(reason, "reason", REASON_MAX)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    before = {"counted": rating.counted, "flag_reason": rating.flag_reason}
    rating.counted = bool(counted)
    rating.flag_reason = reason
    rating.flagged_by = actor
    rating.flagged_at = rating.updated_at = timezone.now()
    rating.save(update_fields=["counted", "flag_reason", "flagged_by", "flagged_at", "updated_at"])
    audit_append(
        actor=actor,
        action="flag",
        target=rating,
        changes=diff(before, {"counted": rating.counted, "flag_reason": rating.flag_reason}),
    )
    return rating
