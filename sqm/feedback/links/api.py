"""REST endpoints of rating links, QR codes and the complaint rule (``/api/feedback/links``).

``POST /rate`` is public (no credentials: the signed token of the rating link stands for the
customer) and rate-limited per client address (429). Everything else needs a capability, checked
before any id is looked at (403 for every id): QR codes and the rule ``Cap.FEEDBACK_MANAGE``,
follow-ups ``Cap.TICKET_VIEW``. Validation errors name the field (422); broken rules 400.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _g
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from sqm.core import ratelimit
from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.feedback import services as feedback_services
from sqm.feedback.links import qr, selectors, services
from sqm.org.models import Team, User
from sqm.org.schemas import Id, InputSchema, bounds, omittable

router = Router()


def _require(request: HttpRequest, cap: Cap) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


# --- public: rating through a signed link -------------------------------------------------------


class LinkRatingIn(InputSchema):
    token: Annotated[str, bounds(300, min_length=1)] = Field(description="The token of the rating link (after /rate/).")
    score: int = Field(ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    recommend: int | None = Field(default=None, ge=0, le=10, description="0–10 likelihood to recommend.")
    comment: Annotated[str, bounds(feedback_services.COMMENT_MAX)] = ""


class LinkRatingOut(Schema):
    rating_id: int
    ticket_number: str
    score: int
    recommend: int | None
    comment: str
    created: bool = Field(description="False: an earlier rating of the ticket was changed.")
    updated_at: dt.datetime


class ErrorOut(Schema):
    detail: list[dict[str, str]]


@router.post(
    "/rate",
    auth=None,
    response={200: LinkRatingOut, 201: LinkRatingOut, 410: ErrorOut},
    summary="Rate a ticket through its rating link (no login)",
)
def rate(request: HttpRequest, payload: LinkRatingIn) -> Any:
    """201 for a new rating, 200 when it changes one given within the change window; 410 for an
    expired link, 400 for a forged one, 403 when the link is not the ticket's customer's."""
    client = request.META.get("REMOTE_ADDR", "")
    if not ratelimit.hit(
        ratelimit.safe_key("links:rate", client), limit=services.HARD_RATE_LINK, window=services.MINUTE
    ):
        raise HttpError(429, _g("Too many ratings in a short time. Please try again in a minute."))
    try:
        rating, created = services.link_rating_submit(
            token=payload.token, score=payload.score, recommend=payload.recommend, comment=payload.comment
        )
    except services.LinkExpired as exc:
        return Status(410, {"detail": exc.as_list()})
    out = {
        "rating_id": rating.pk,
        "ticket_number": rating.ticket.number if rating.ticket_id else "",
        "score": rating.score,
        "recommend": rating.recommend,
        "comment": rating.comment,
        "created": created,
        "updated_at": rating.updated_at,
    }
    return Status(201 if created else 200, out)


# --- QR codes -----------------------------------------------------------------------------------


class QrCodeOut(Schema):
    id: int
    token: str
    label: str
    team_id: int | None
    agent_id: int | None
    is_active: bool
    url: str = Field(description="The public rating page the printed code points at.")
    png: str
    svg: str
    created_at: dt.datetime
    deactivated_at: dt.datetime | None

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return qr.code_url(obj)

    @staticmethod
    def resolve_png(obj: Any) -> str:
        from django.urls import reverse

        return reverse("feedback:links_qr_png", args=[obj.pk])

    @staticmethod
    def resolve_svg(obj: Any) -> str:
        from django.urls import reverse

        return reverse("feedback:links_qr_svg", args=[obj.pk])


class QrCodeIn(InputSchema):
    label: Annotated[str, bounds(services.LABEL_MAX, min_length=1)]
    team_id: Id | None = Field(default=None, description="The service point (team).")
    agent_id: Id | None = Field(default=None, description="The agent the code is for.")


class QrFilterIn(InputSchema):
    active: bool | None = None


@router.get("/qr-codes", response=list[QrCodeOut], summary="QR rating codes")
def qr_codes_list(request: HttpRequest, filters: Query[QrFilterIn]) -> Any:
    _require(request, Cap.FEEDBACK_MANAGE)
    return list(selectors.qr_codes(active=filters.active))


@router.post("/qr-codes", response={201: QrCodeOut}, summary="Create a QR rating code")
def qr_codes_create(request: HttpRequest, payload: QrCodeIn) -> Any:
    actor = _require(request, Cap.FEEDBACK_MANAGE)
    team = Team.objects.filter(pk=payload.team_id).first() if payload.team_id else None
    agent = User.objects.filter(pk=payload.agent_id).first() if payload.agent_id else None
    if payload.team_id and team is None:
        from sqm.core.errors import DomainError

        raise DomainError(_g("No such team."), field="team_id", code="not_found")
    if payload.agent_id and agent is None:
        from sqm.core.errors import DomainError

        raise DomainError(_g("No such agent."), field="agent_id", code="not_found")
    code = services.qr_code_create(actor=actor, label=payload.label, team=team, agent=agent)
    return Status(201, code)


@router.post("/qr-codes/{code_id}/deactivate", response=QrCodeOut, summary="Deactivate a QR rating code")
def qr_codes_deactivate(request: HttpRequest, code_id: Id) -> Any:
    actor = _require(request, Cap.FEEDBACK_MANAGE)
    code = selectors.qr_code_by_pk(code_id)
    if code is None:
        raise Http404
    return services.qr_code_deactivate(actor=actor, code=code)


# --- the complaint rule -------------------------------------------------------------------------


class RuleOut(Schema):
    version: int
    enabled: bool
    score_threshold: int = Field(description="Ratings at or below this many stars open a complaint (0: never).")
    comment_enabled: bool
    comment_threshold: Decimal = Field(description="A comment whose lexicon score reaches this reads as a complaint.")
    negation_handling: bool
    keywords_zh: str = Field(description="`word weight` lines; complaint words positive, praise negative.")
    keywords_en: str
    negations: str
    intensifiers: str
    updated_at: dt.datetime | None
    measured: dict[str, Any] = Field(description="Precision and recall of this version (empty until measured).")


class RuleIn(InputSchema):
    enabled: bool = omittable()
    score_threshold: Annotated[int, Field(ge=0, le=5)] = omittable()
    comment_enabled: bool = omittable()
    comment_threshold: Annotated[Decimal, Field(ge=Decimal("0.1"), le=Decimal("50"))] = omittable()
    negation_handling: bool = omittable()
    keywords_zh: Annotated[str, bounds(services.RULE_TEXT_MAX)] = omittable()
    keywords_en: Annotated[str, bounds(services.RULE_TEXT_MAX)] = omittable()
    negations: Annotated[str, bounds(2000)] = omittable()
    intensifiers: Annotated[str, bounds(2000)] = omittable()


@router.get("/rule", response=RuleOut, summary="The complaint rule")
def rule_get(request: HttpRequest) -> Any:
    _require(request, Cap.FEEDBACK_MANAGE)
    return services.complaint_rule_current()


@router.patch("/rule", response=RuleOut, summary="Change the complaint rule (a new version)")
def rule_update(request: HttpRequest, payload: RuleIn) -> Any:
    actor = _require(request, Cap.FEEDBACK_MANAGE)
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    return services.complaint_rule_update(actor=actor, **changes)


# --- follow-ups ---------------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    rating_id: int
    score: int
    comment: str
    source: str
    rated_ticket: str = Field(description="Number of the rated ticket; blank for a QR rating.")
    rule: str
    outcome: str
    reason: str
    rule_version: int
    ticket_id: int | None = Field(description="The complaint ticket opened; null for an anonymous rating.")
    ticket_number: str
    created_at: dt.datetime

    @staticmethod
    def resolve_score(obj: Any) -> int:
        return int(obj.rating.score)

    @staticmethod
    def resolve_comment(obj: Any) -> str:
        return str(obj.rating.comment)

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return str(obj.rating.source)

    @staticmethod
    def resolve_rated_ticket(obj: Any) -> str:
        return obj.rating.ticket.number if obj.rating.ticket_id else ""

    @staticmethod
    def resolve_ticket_number(obj: Any) -> str:
        return obj.ticket.number if obj.ticket_id else ""


class FollowUpPageOut(Schema):
    items: list[FollowUpOut]
    next_before: int | None = Field(description="Pass as ``before`` for the next page; null on the last.")


class FollowUpFilterIn(InputSchema):
    before: Id | None = None
    limit: int = Field(default=selectors.FOLLOW_UPS_PAGE, ge=1, le=200)


@router.get("/follow-ups", response=FollowUpPageOut, summary="Complaints opened from ratings, newest first")
def follow_ups_list(request: HttpRequest, filters: Query[FollowUpFilterIn]) -> Any:
    _require(request, Cap.TICKET_VIEW)
    items, more = selectors.follow_ups(cursor=filters.before, limit=filters.limit)
    return {"items": items, "next_before": more}
