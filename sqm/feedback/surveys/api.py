"""REST endpoints of surveys (``/api/feedback/surveys``), return visits (``/api/feedback/return-visits``)
and mystery-shopper visits (``/api/feedback/mystery-visits``).

Staff endpoints check the capability first (403 for every id, existing or not), then look the
object up (404). Two endpoints are public, like the survey page: ``GET /surveys/respond/{token}``
shows the questions of an invitation link and never records anything; ``POST /surveys/respond``
stores the customer's answers, once per link (201). Broken rules answer 400 naming the field:
``answers.<question id>.<part>`` for an answer, ``token`` for a forged, used or expired link,
``survey`` for a closed survey.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from sqm.core import ratelimit
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.feedback.surveys import schemas as s
from sqm.feedback.surveys import selectors, services
from sqm.feedback.surveys.models import (
    SCORE_FIELDS,
    MysteryStatus,
    ReturnVisitStatus,
    Survey,
)
from sqm.org.models import Team, User
from sqm.org.schemas import Id, InputSchema
from sqm.tickets.services.attachments import IncomingFile

router = Router()
return_visits_router = Router()
mystery_router = Router()

PUBLIC_LIMIT = 30  # reads and submissions per link and address in PUBLIC_WINDOW
PUBLIC_WINDOW = dt.timedelta(minutes=10)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _require(request: HttpRequest, cap: Cap) -> User:
    actor = _actor(request)
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


def _survey(pk: int) -> Survey:
    survey = selectors.survey_by_pk(pk)
    if survey is None:
        raise Http404(_("Not found."))
    return survey


def _throttle(request: HttpRequest, token: str) -> None:
    """A forged token is refused before anything is counted or read; a genuine one is limited per
    link and address (behind a proxy every customer shares its address, so not per address alone)."""
    invitation_id, _nonce = services.token_payload(token)
    key = ratelimit.safe_key("survey-public", request.META.get("REMOTE_ADDR", ""), str(invitation_id))
    if not ratelimit.hit(key, limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW):
        raise HttpError(429, str(_("Too many requests from this address; please try again in a few minutes.")))


# --- answering (public) ----------------------------------------------------------------------------


@router.get("/respond/{invitation_token}", auth=None, response=s.PublicSurveyOut, summary="Questions of a survey link")
def respond_show(request: HttpRequest, invitation_token: str) -> Any:
    """The survey behind an invitation link, in the caller's language (``Accept-Language``).
    Public like the link itself; reading records nothing."""
    _throttle(request, invitation_token)
    invitation = services.invitation_check(invitation_token)
    survey = invitation.survey
    return {
        "title": survey.title,
        "intro": survey.intro,
        "expires_at": invitation.expires_at,
        "questions": [
            {
                "id": q.pk,
                "kind": q.kind,
                "text": q.text,
                "required": q.required,
                "scale": q.scale,
                "dimension": q.dimension,
                "options": [{"code": code, "label": label} for code, label in q.choices],
            }
            for q in survey.questions.order_by("position", "id")
        ],
    }


@router.post("/respond", auth=None, response={201: s.ResponseOut}, summary="Answer a survey with its link's token")
def respond_submit(request: HttpRequest, payload: s.ResponseIn) -> Any:
    """Store the answers of one invitation (201); the link works once. Every answer is checked
    against its question; all broken rules come back at once, nothing is stored then."""
    _throttle(request, payload.token)
    answers: dict[int, services.AnswerIn] = {}
    for item in payload.answers:
        if item.question_id in answers:
            raise DomainError(_("This question is answered twice."), field=f"answers.{item.question_id}")
        answers[item.question_id] = services.AnswerIn(
            value=item.value,
            expectation=item.expectation,
            perception=item.perception,
            choices=list(item.choices),
            text=item.text,
            points=dict(item.points),
        )
    response = services.response_submit(token=payload.token, answers=answers, language=payload.language)
    return Status(201, response)


# --- surveys ---------------------------------------------------------------------------------------


@router.get("", response=list[s.SurveyBriefOut], summary="Surveys and templates")
def surveys_list(request: HttpRequest) -> Any:
    """Every survey (newest first, templates last) with question, invitation and response counts."""
    _require(request, Cap.SURVEY_VIEW)
    return list(selectors.surveys())


@router.post("", response={201: s.SurveyOut}, summary="Start a survey")
def surveys_create(request: HttpRequest, payload: s.SurveyIn) -> Any:
    """A new draft survey without questions."""
    actor = _require(request, Cap.SURVEY_MANAGE)
    survey = services.survey_create(actor=actor, **payload.model_dump())
    return Status(201, _survey(survey.pk))


@router.post("/templates", response=list[s.SurveyBriefOut], summary="Install the built-in templates")
def surveys_templates(request: HttpRequest) -> Any:
    """Write the CSAT, NPS and SERVQUAL templates that are missing; returns the three."""
    actor = _require(request, Cap.SURVEY_MANAGE)
    ids = [t.pk for t in services.survey_templates_install(actor=actor)]
    return list(selectors.surveys().filter(pk__in=ids))


@router.get("/{survey_id}", response=s.SurveyOut, summary="One survey with its questions")
def surveys_get(request: HttpRequest, survey_id: Id) -> Any:
    _require(request, Cap.SURVEY_VIEW)
    return _survey(survey_id)


@router.patch("/{survey_id}", response=s.SurveyOut, summary="Change a draft's titles")
def surveys_update(request: HttpRequest, survey_id: Id, payload: s.SurveyPatchIn) -> Any:
    """Titles and introductions of a draft; omitted fields keep their value."""
    actor = _require(request, Cap.SURVEY_MANAGE)
    survey = _survey(survey_id)
    data = {
        "title_zh": survey.title_zh,
        "title_en": survey.title_en,
        "intro_zh": survey.intro_zh,
        "intro_en": survey.intro_en,
        **payload.model_dump(exclude_unset=True),
    }
    services.survey_update(actor=actor, survey=survey, **data)
    return _survey(survey_id)


@router.post("/{survey_id}/copy", response={201: s.SurveyOut}, summary="Copy a survey or template into a draft")
def surveys_copy(request: HttpRequest, survey_id: Id) -> Any:
    actor = _require(request, Cap.SURVEY_MANAGE)
    copy = services.survey_copy(actor=actor, survey=_survey(survey_id))
    return Status(201, _survey(copy.pk))


@router.post("/{survey_id}/open", response=s.SurveyOut, summary="Open a draft for answers")
def surveys_open(request: HttpRequest, survey_id: Id) -> Any:
    """From now on the questions cannot change."""
    actor = _require(request, Cap.SURVEY_MANAGE)
    services.survey_open(actor=actor, survey=_survey(survey_id))
    return _survey(survey_id)


@router.post("/{survey_id}/close", response=s.SurveyOut, summary="Close an open survey")
def surveys_close(request: HttpRequest, survey_id: Id) -> Any:
    """Its links stop working; the results stay."""
    actor = _require(request, Cap.SURVEY_MANAGE)
    services.survey_close(actor=actor, survey=_survey(survey_id))
    return _survey(survey_id)


@router.post("/{survey_id}/questions", response={201: s.QuestionOut}, summary="Add a question to a draft")
def questions_add(request: HttpRequest, survey_id: Id, payload: s.QuestionIn) -> Any:
    actor = _require(request, Cap.SURVEY_MANAGE)
    data = payload.model_dump()
    question = services.question_add(actor=actor, survey=_survey(survey_id), **data)
    return Status(201, question)


def _question(survey_id: int, question_id: int) -> Any:
    question = selectors.question_by_pk(survey_id, question_id)
    if question is None:
        raise Http404(_("Not found."))
    return question


@router.patch("/{survey_id}/questions/{question_id}", response=s.QuestionOut, summary="Change or move a question")
def questions_update(request: HttpRequest, survey_id: Id, question_id: Id, payload: s.QuestionPatchIn) -> Any:
    """Change a question of a draft (omitted fields keep their value); ``position`` moves it."""
    actor = _require(request, Cap.SURVEY_MANAGE)
    question = _question(survey_id, question_id)
    changes = payload.model_dump(exclude_unset=True)
    position = changes.pop("position", None)
    if changes:
        data = {
            "kind": question.kind,
            "text_zh": question.text_zh,
            "text_en": question.text_en,
            "required": question.required,
            "scale_max": question.scale_max,
            "dimension": question.dimension,
            "options": question.options,
            "code": question.code,
            **changes,
        }
        question = services.question_update(actor=actor, question=question, **data)
    if position is not None:
        question = services.question_move(actor=actor, question=question, position=position)
    return _question(survey_id, question_id)


@router.delete("/{survey_id}/questions/{question_id}", response={204: None}, summary="Remove a question from a draft")
def questions_delete(request: HttpRequest, survey_id: Id, question_id: Id) -> Any:
    actor = _require(request, Cap.SURVEY_MANAGE)
    services.question_delete(actor=actor, question=_question(survey_id, question_id))
    return Status(204, None)


@router.post(
    "/{survey_id}/distributions", response={201: s.DistributionOut}, summary="Invite a random sample of customers"
)
def surveys_distribute(request: HttpRequest, survey_id: Id, payload: s.DistributionIn) -> Any:
    """Invite a random sample of the customers whose tickets closed in the period (seed recorded);
    the links are e-mailed to those with an address."""
    actor = _require(request, Cap.SURVEY_MANAGE)
    survey = _survey(survey_id)
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise DomainError(_("No such team."), field="team_id")
    distribution = services.survey_distribute(
        actor=actor,
        survey=survey,
        closed_from=payload.closed_from,
        closed_to=payload.closed_to,
        sample_size=payload.sample_size,
        team=team,
        ticket_type=payload.ticket_type,
        seed=payload.seed,
        days=payload.days,
    )
    return Status(201, distribution)


@router.get("/{survey_id}/results", response=s.ResultsOut, summary="Results: distributions, averages, NPS, SERVQUAL")
def surveys_results(request: HttpRequest, survey_id: Id) -> Any:
    """Per-question distributions and averages, NPS, SERVQUAL gaps per item, dimension and overall,
    the weighted SERVQUAL score and the response rate (exact, two decimals)."""
    _require(request, Cap.SURVEY_VIEW)
    results = selectors.survey_results(_survey(survey_id))
    return {
        "survey_id": survey_id,
        "invited": results.invited,
        "responded": results.responded,
        "response_rate": results.response_rate,
        "questions": [
            {
                "question_id": r.question.pk,
                "kind": r.question.kind,
                "text": r.question.text,
                "dimension": r.question.dimension,
                "answered": r.answered,
                "average": r.average,
                "nps": r.nps,
                "promoters": r.promoters,
                "passives": r.passives,
                "detractors": r.detractors,
                "mean_expectation": r.mean_expectation,
                "mean_perception": r.mean_perception,
                "gap": r.gap,
                "bars": [{"label": b.label, "count": b.count, "share": b.share} for b in r.bars],
                "texts": r.texts,
                "weights": [{"label": label, "points": points} for label, points in r.weights],
            }
            for r in results.questions
        ],
        "servqual": None
        if results.servqual is None
        else {
            "dimensions": [vars(d) for d in results.servqual.dimensions],
            "overall_gap": results.servqual.overall_gap,
            "weighted": results.servqual.weighted,
            "weighted_respondents": results.servqual.weighted_respondents,
        },
    }


# --- return visits ---------------------------------------------------------------------------------


class VisitFilterIn(InputSchema):
    status: str = Field(default="", description="pending, done or unreachable")
    team: Id | None = None
    agent: Id | None = None
    due_to: dt.date | None = Field(default=None, description="Due on or before this day.")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


@return_visits_router.get("", response=s.ReturnVisitPageOut, summary="Return visits (agents: their own)")
def return_visits_list(request: HttpRequest, filters: Query[VisitFilterIn]) -> Any:
    """Return visits due first: an agent's own, or every visit for team leads and managers."""
    actor = _require(request, Cap.RETURN_VISIT_VIEW)
    if filters.status and filters.status not in ReturnVisitStatus.values:
        raise DomainError(_("Unknown status."), field="status", code="invalid_choice")
    qs = selectors.return_visits(
        actor,
        selectors.VisitFilters(
            status=filters.status, team_id=filters.team, agent_id=filters.agent, due_to=filters.due_to
        ),
    )
    return {"items": list(qs[filters.offset : filters.offset + filters.limit]), "count": qs.count()}


def _visit(request: HttpRequest, pk: int) -> Any:
    visit = selectors.return_visit_for(_actor(request), pk)
    if visit is None:
        raise Http404(_("Not found."))
    return visit


@return_visits_router.get("/{return_visit_id}", response=s.ReturnVisitOut, summary="One return visit")
def return_visits_get(request: HttpRequest, return_visit_id: Id) -> Any:
    _require(request, Cap.RETURN_VISIT_VIEW)
    return _visit(request, return_visit_id)


@return_visits_router.post(
    "/{return_visit_id}/outcome", response=s.ReturnVisitOut, summary="Record a call of one's return visit"
)
def return_visits_outcome(request: HttpRequest, return_visit_id: Id, payload: s.OutcomeIn) -> Any:
    """The assigned agent records a call: satisfied, reached, problem persists (reopens the
    complaint; notes required) or not reached (call again on the next working day)."""
    actor = _require(request, Cap.RETURN_VISIT_RECORD)
    visit = _visit(request, return_visit_id)
    services.return_visit_record(actor=actor, visit=visit, outcome=payload.outcome, notes=payload.notes)
    return _visit(request, return_visit_id)


@return_visits_router.post(
    "/{return_visit_id}/reassign", response=s.ReturnVisitOut, summary="Give a return visit to another agent"
)
def return_visits_reassign(request: HttpRequest, return_visit_id: Id, payload: s.ReassignIn) -> Any:
    actor = _require(request, Cap.TICKET_ASSIGN)
    visit = _visit(request, return_visit_id)
    agent = User.objects.filter(pk=payload.agent_id).first()
    if agent is None:
        raise DomainError(_("No such agent."), field="agent_id")
    services.return_visit_reassign(actor=actor, visit=visit, agent=agent)
    return _visit(request, return_visit_id)


# --- mystery shoppers ----------------------------------------------------------------------------


class MysteryFilterIn(InputSchema):
    status: str = Field(default="", description="submitted, accepted or rejected")
    team: Id | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class MysteryPageOut(Schema):
    items: list[s.MysteryOut]
    count: int


def _files(items: list[s.EvidenceIn], field: str = "evidence") -> list[IncomingFile]:
    files = []
    for n, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(_("This is not valid base64."), field=f"{field}.{n}.content_base64") from None
        files.append(IncomingFile(name=item.name, content=content))
    return files


@mystery_router.get("", response=MysteryPageOut, summary="Mystery-shopper visits (shoppers: their own)")
def mystery_list(request: HttpRequest, filters: Query[MysteryFilterIn]) -> Any:
    actor = _require(request, Cap.MYSTERY_VISIT_VIEW)
    if filters.status and filters.status not in MysteryStatus.values:
        raise DomainError(_("Unknown status."), field="status", code="invalid_choice")
    qs = selectors.mystery_visits(actor, status=filters.status, team_id=filters.team).prefetch_related("evidence")
    return {"items": list(qs[filters.offset : filters.offset + filters.limit]), "count": qs.count()}


def _mystery(request: HttpRequest, pk: int) -> Any:
    visit = selectors.mystery_visit_for(_actor(request), pk)
    if visit is None:
        raise Http404(_("Not found."))
    return visit


@mystery_router.post("", response={201: s.MysteryOut}, summary="File a mystery-shopper scorecard")
def mystery_create(request: HttpRequest, payload: s.MysteryIn) -> Any:
    """A visit or call scored on five criteria (1–5, a comment required for 1 or 2), with evidence
    files (images, audio, PDF) sent base64-encoded."""
    actor = _require(request, Cap.MYSTERY_VISIT_RECORD)
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise DomainError(_("No such team."), field="team_id")
    agent = None
    if payload.agent_id is not None:
        agent = User.objects.filter(pk=payload.agent_id, role__in=(Role.AGENT, Role.TEAM_LEAD)).first()
        if agent is None:
            raise DomainError(_("No such agent."), field="agent_id")
    data = payload.model_dump()
    visit = services.mystery_visit_create(
        actor=actor,
        channel=payload.channel,
        visited_at=payload.visited_at,
        scenario=payload.scenario,
        scores={name: data[name] for name in SCORE_FIELDS},
        comments={name: data[f"{name}_comment"] for name in SCORE_FIELDS},
        team=team,
        place=payload.place,
        agent=agent,
        files=_files(payload.evidence),
    )
    return Status(201, _mystery(request, visit.pk))


@mystery_router.get("/{mystery_visit_id}", response=s.MysteryOut, summary="One mystery-shopper visit")
def mystery_get(request: HttpRequest, mystery_visit_id: Id) -> Any:
    _require(request, Cap.MYSTERY_VISIT_VIEW)
    return _mystery(request, mystery_visit_id)


@mystery_router.post(
    "/{mystery_visit_id}/evidence", response={201: list[s.EvidenceOut]}, summary="Add evidence to one's visit"
)
def mystery_evidence(request: HttpRequest, mystery_visit_id: Id, payload: s.EvidenceAddIn) -> Any:
    actor = _require(request, Cap.MYSTERY_VISIT_RECORD)
    visit = _mystery(request, mystery_visit_id)
    stored = services.mystery_evidence_add(actor=actor, visit=visit, files=_files(payload.files, "files"))
    return Status(201, stored)


@mystery_router.post("/{mystery_visit_id}/review", response=s.MysteryOut, summary="Accept or reject a visit")
def mystery_review(request: HttpRequest, mystery_visit_id: Id, payload: s.ReviewIn) -> Any:
    """A quality manager accepts the scorecard or rejects it with a note."""
    actor = _require(request, Cap.MYSTERY_VISIT_REVIEW)
    visit = _mystery(request, mystery_visit_id)
    services.mystery_visit_review(actor=actor, visit=visit, verdict=payload.verdict, note=payload.note)
    return _mystery(request, mystery_visit_id)
