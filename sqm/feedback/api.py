"""REST endpoints of feedback (``/api/feedback``).

``POST /ratings``: a customer rates one of their own resolved or closed tickets with their own
token or session (``Cap.FEEDBACK_RATE``); 201 for a new rating, 200 when it changes the rating
they gave within the change window. Anyone else gets 403, for every ticket id, existing or not.
``GET /ratings``: staff holding ``Cap.TICKET_VIEW`` list ratings, newest first, filtered by
ticket, agent, team, score and date, one keyset page at a time. ``POST /ratings/{id}/flag``:
quality managers (``Cap.FEEDBACK_MODERATE``) exclude a rating from the KPIs or count it again.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.feedback import selectors, services
from sqm.feedback.models import RatingSource
from sqm.org.models import User
from sqm.org.schemas import Id, InputSchema, bounds
from sqm.tickets.models import Ticket

router = Router()


def _mount_areas() -> None:
    from sqm.feedback.links.api import router as links_router
    from sqm.feedback.surveys.api import mystery_router, return_visits_router
    from sqm.feedback.surveys.api import router as surveys_router

    router.add_router("/links", links_router)
    router.add_router("/surveys", surveys_router)
    router.add_router("/return-visits", return_visits_router)
    router.add_router("/mystery-visits", mystery_router)


_mount_areas()

Comment = Annotated[str, bounds(services.COMMENT_MAX)]
Reason = Annotated[str, bounds(services.REASON_MAX, min_length=1)]


class PersonRef(Schema):
    id: int
    display_name: str


class RatingOut(Schema):
    id: int
    ticket_id: int | None
    ticket_number: str = Field(description="T and eight digits; blank for a rating of a service point.")
    customer: PersonRef | None
    agent: PersonRef | None = Field(description="The agent rated: the ticket's assignee when it was rated.")
    team_id: int | None
    source: str
    score: int = Field(description="1 (very dissatisfied) to 5 (very satisfied).")
    recommend: int | None = Field(description="0–10 likelihood to recommend (NPS); null when not asked.")
    comment: str
    counted: bool = Field(description="False: excluded from the KPIs by a quality manager.")
    flag_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_ticket_number(obj: Any) -> str:
        return obj.ticket.number if obj.ticket_id else ""


class RatingPageOut(Schema):
    items: list[RatingOut]
    next_cursor: str | None = Field(description="Pass as ``cursor`` for the next page; null on the last.")


class RatingIn(InputSchema):
    ticket_id: Id
    score: int = Field(ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    recommend: int | None = Field(default=None, ge=0, le=10, description="0–10 likelihood to recommend.")
    comment: Comment = ""


class RatingFilterIn(InputSchema):
    ticket: Id | None = Field(default=None, description="Ticket id.")
    agent: Id | None = Field(default=None, description="Id of the agent rated.")
    team: Id | None = Field(default=None, description="Team id.")
    score: int | None = Field(default=None, ge=1, le=5)
    date_from: dt.date | None = Field(default=None, description="Rated on or after this day (centre time).")
    date_to: dt.date | None = Field(default=None, description="Rated on or before this day (centre time).")
    counted: bool | None = None
    cursor: Annotated[str, bounds(80)] = ""
    limit: int = Field(default=selectors.PAGE_SIZE, ge=1, le=200)


class FlagIn(InputSchema):
    counted: bool = Field(description="False excludes the rating from the KPIs; true counts it again.")
    reason: Reason


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _require(request: HttpRequest, cap: Cap) -> User:
    actor = _actor(request)
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


@router.post(
    "/ratings", response={200: RatingOut, 201: RatingOut}, summary="Rate one of your resolved or closed tickets"
)
def ratings_submit(request: HttpRequest, payload: RatingIn) -> Any:
    """The ticket's customer rates it (201), or changes their rating within the change window (200)."""
    customer = _require(request, Cap.FEEDBACK_RATE)
    ticket = Ticket.objects.filter(pk=payload.ticket_id).first()
    if ticket is None or ticket.customer_id != customer.pk:
        raise PermissionDeniedError()  # the same answer for another customer's ticket and a missing one
    rating, created = services.rating_submit(
        ticket=ticket,
        customer=customer,
        score=payload.score,
        recommend=payload.recommend,
        comment=payload.comment,
        source=RatingSource.PORTAL,
    )
    return Status(201 if created else 200, selectors.rating_by_pk(rating.pk))


@router.get("/ratings", response=RatingPageOut, summary="Ratings, newest first")
def ratings_list(request: HttpRequest, filters: Query[RatingFilterIn]) -> Any:
    """Ratings with their ticket, customer and agent; filter by ticket, agent, team, score, date."""
    _require(request, Cap.TICKET_VIEW)
    page = selectors.ratings_page(
        selectors.RatingFilters(
            ticket_id=filters.ticket,
            agent_id=filters.agent,
            team_id=filters.team,
            score=filters.score,
            date_from=filters.date_from,
            date_to=filters.date_to,
            counted=filters.counted,
        ),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/ratings/{rating_id}/flag", response=RatingOut, summary="Exclude a rating from the KPIs, or count it")
def ratings_flag(request: HttpRequest, rating_id: Id, payload: FlagIn) -> Any:
    """A quality manager excludes an abusive rating from the KPIs (or counts it again), giving the reason."""
    actor = _require(request, Cap.FEEDBACK_MODERATE)
    rating = selectors.rating_by_pk(rating_id)
    if rating is None:
        raise Http404(_("Not found."))
    services.rating_flag(actor=actor, rating=rating, counted=payload.counted, reason=payload.reason)
    return selectors.rating_by_pk(rating_id)
