"""Permission-matrix rows of surveys, return visits and mystery shopping (merged by
sqm/core/tests/test_permission_matrix.py).

Surveys are read with ``Cap.SURVEY_VIEW`` and built with ``Cap.SURVEY_MANAGE``. The world's
survey (``survey_id``) is put back to draft before every call (``refresh``), so the builder's
calls find a draft; the calls that need it open (close, send) open it in their body factory. The
answer page and the two answer endpoints are public: the signed link is the credential, and
every call gets a fresh invitation. Return visits: the world's visit is the agent's (who records
it); mystery visits: the world's visit is the mystery shopper's.
"""

from __future__ import annotations

import base64
import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import PUBLIC, Page


def prepare(w: SimpleNamespace) -> None:
    from sqm.feedback.surveys import services
    from sqm.feedback.tests.surveys_factories import (
        PNG,
        ClosedTicketFactory,
        MysteryVisitFactory,
        ReturnVisitFactory,
        simple_survey,
    )
    from sqm.org.tests.factories import UserFactory
    from sqm.tickets.services.attachments import IncomingFile

    manager = w.users[Role.QUALITY_MANAGER]
    w.survey = simple_survey(manager, open_it=False)
    w.survey_question = w.survey.questions.order_by("position").first()
    w.survey_open = simple_survey(manager)
    w.survey_rating = w.survey_open.questions.order_by("position").first()
    ClosedTicketFactory(customer=UserFactory(role=Role.CUSTOMER))  # someone to send the survey to
    w.return_visit = ReturnVisitFactory(agent=w.agent, team=w.team)
    w.mystery_visit = MysteryVisitFactory(shopper=w.users[Role.MYSTERY_SHOPPER], team=w.team)
    checked = services.check_evidence([IncomingFile(name="大厅.png", content=PNG)])
    w.mystery_evidence = services._store_evidence(w.mystery_visit, checked, timezone.now())[0]


def refresh(w: SimpleNamespace) -> None:
    from sqm.feedback.surveys.models import MysteryStatus, Question, ReturnVisit, ReturnVisitStatus, SurveyStatus
    from sqm.feedback.tests.surveys_factories import set_status

    set_status(w.survey, SurveyStatus.DRAFT)
    set_status(w.survey_open, SurveyStatus.OPEN)
    if not Question.objects.filter(pk=w.survey_question.pk).exists():
        w.survey_question = Question.objects.create(survey=w.survey, position=9, kind="text", text_zh="补充")
    ReturnVisit.objects.filter(pk=w.return_visit.pk).update(
        status=ReturnVisitStatus.PENDING, agent=w.agent, attempts=0, outcome=""
    )
    w.mystery_visit.__class__.objects.filter(pk=w.mystery_visit.pk).update(status=MysteryStatus.SUBMITTED)


def _token(w: SimpleNamespace) -> str:
    from sqm.feedback.tests.surveys_factories import invite

    return invite(w.survey_open)


def _opened(w: SimpleNamespace, body: dict[str, Any]) -> dict[str, Any]:
    from sqm.feedback.surveys.models import SurveyStatus
    from sqm.feedback.tests.surveys_factories import set_status

    set_status(w.survey, SurveyStatus.OPEN)
    return body


def path_params(w: SimpleNamespace, user: Any) -> dict[str, Any]:
    return {
        "survey_id": w.survey.pk,
        "question_id": w.survey_question.pk,
        "invitation_token": _token(w),
        "return_visit_id": w.return_visit.pk,
        "mystery_visit_id": w.mystery_visit.pk,
    }


def _distribution(w: SimpleNamespace) -> dict[str, Any]:
    today = timezone.localdate()
    return _opened(
        w,
        {"closed_from": (today - dt.timedelta(days=7)).isoformat(), "closed_to": today.isoformat(), "sample_size": 5},
    )


def _mystery_body(w: SimpleNamespace) -> dict[str, Any]:
    from sqm.feedback.tests.surveys_factories import PNG

    return {
        "channel": "walk_in",
        "visited_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
        "scenario": "办理宽带移机",
        "team_id": w.team.pk,
        "attitude": 5,
        "professionalism": 4,
        "timeliness": 4,
        "environment": 5,
        "sop": 4,
        "evidence": [{"name": "排队叫号.png", "content_base64": base64.b64encode(PNG).decode()}],
    }


def _png(w: SimpleNamespace) -> dict[str, Any]:
    from sqm.feedback.tests.surveys_factories import PNG

    return {"files": [{"name": "回执.png", "content_base64": base64.b64encode(PNG).decode()}]}


def _survey(w: SimpleNamespace, u: Any) -> dict[str, Any]:
    return {"pk": w.survey.pk}


def _question(w: SimpleNamespace, u: Any) -> dict[str, Any]:
    return {"pk": w.survey.pk, "question_pk": w.survey_question.pk}


PAGES = {
    "feedback:survey_list": Page(Cap.SURVEY_VIEW),
    "feedback:survey_create": Page(Cap.SURVEY_MANAGE),
    "feedback:survey_templates_install": Page(Cap.SURVEY_MANAGE, "POST"),
    "feedback:survey_detail": Page(Cap.SURVEY_VIEW, kwargs=_survey),
    "feedback:survey_edit": Page(Cap.SURVEY_MANAGE, kwargs=_survey),
    "feedback:survey_copy": Page(Cap.SURVEY_MANAGE, "POST", _survey),
    "feedback:survey_open": Page(Cap.SURVEY_MANAGE, "POST", _survey),
    "feedback:survey_close": Page(Cap.SURVEY_MANAGE, "POST", lambda w, u: {"pk": w.survey_open.pk}),
    "feedback:survey_question_add": Page(Cap.SURVEY_MANAGE, kwargs=_survey),
    "feedback:survey_question_edit": Page(Cap.SURVEY_MANAGE, kwargs=_question),
    "feedback:survey_question_delete": Page(Cap.SURVEY_MANAGE, "POST", _question),
    "feedback:survey_question_move": Page(Cap.SURVEY_MANAGE, "POST", _question),
    "feedback:survey_distribute": Page(Cap.SURVEY_MANAGE, kwargs=lambda w, u: {"pk": w.survey_open.pk}),
    "feedback:survey_results": Page(Cap.SURVEY_VIEW, kwargs=lambda w, u: {"pk": w.survey_open.pk}),
    "feedback:survey_answer": Page(PUBLIC, kwargs=lambda w, u: {"token": _token(w)}),
    "feedback:return_visit_list": Page(Cap.RETURN_VISIT_VIEW),
    "feedback:return_visit_record": Page(Cap.RETURN_VISIT_RECORD, "POST", lambda w, u: {"pk": w.return_visit.pk}),
    "feedback:return_visit_reassign": Page(Cap.TICKET_ASSIGN, "POST", lambda w, u: {"pk": w.return_visit.pk}),
    "feedback:mystery_visit_list": Page(Cap.MYSTERY_VISIT_VIEW),
    "feedback:mystery_visit_create": Page(Cap.MYSTERY_VISIT_RECORD),
    "feedback:mystery_visit_detail": Page(Cap.MYSTERY_VISIT_VIEW, kwargs=lambda w, u: {"pk": w.mystery_visit.pk}),
    "feedback:mystery_visit_review": Page(Cap.MYSTERY_VISIT_REVIEW, "POST", lambda w, u: {"pk": w.mystery_visit.pk}),
    "feedback:mystery_evidence_download": Page(
        Cap.MYSTERY_VISIT_VIEW, kwargs=lambda w, u: {"pk": w.mystery_evidence.pk}
    ),
}

CHANNELS = [{"code": "phone", "zh": "电话"}, {"code": "web", "zh": "网站"}]
S = "/api/feedback/surveys"
RV = "/api/feedback/return-visits"
MV = "/api/feedback/mystery-visits"

API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("GET", f"{S}/respond/{{invitation_token}}"): (PUBLIC, None),
    ("POST", f"{S}/respond"): (
        PUBLIC,
        lambda w: {"token": _token(w), "answers": [{"question_id": w.survey_rating.pk, "value": 4}]},
    ),
    ("GET", S): (Cap.SURVEY_VIEW, None),
    ("POST", S): (Cap.SURVEY_MANAGE, lambda w: {"title_zh": "季度满意度调查", "kind": "csat"}),
    ("POST", f"{S}/templates"): (Cap.SURVEY_MANAGE, None),
    ("GET", f"{S}/{{survey_id}}"): (Cap.SURVEY_VIEW, None),
    ("PATCH", f"{S}/{{survey_id}}"): (Cap.SURVEY_MANAGE, lambda w: {"title_en": "Quarterly satisfaction"}),
    ("POST", f"{S}/{{survey_id}}/copy"): (Cap.SURVEY_MANAGE, None),
    ("POST", f"{S}/{{survey_id}}/open"): (Cap.SURVEY_MANAGE, None),
    ("POST", f"{S}/{{survey_id}}/close"): (Cap.SURVEY_MANAGE, lambda w: _opened(w, {})),
    ("POST", f"{S}/{{survey_id}}/questions"): (
        Cap.SURVEY_MANAGE,
        lambda w: {
            "kind": "single",
            "text_zh": "您通过什么渠道联系我们？",
            "options": [{"code": "phone", "zh": "电话"}, {"code": "web", "zh": "网站"}],
        },
    ),
    ("PATCH", f"{S}/{{survey_id}}/questions/{{question_id}}"): (
        Cap.SURVEY_MANAGE,
        lambda w: {"text_en": "Overall satisfaction", "position": 2},
    ),
    ("DELETE", f"{S}/{{survey_id}}/questions/{{question_id}}"): (Cap.SURVEY_MANAGE, None),
    ("POST", f"{S}/{{survey_id}}/distributions"): (Cap.SURVEY_MANAGE, _distribution),
    ("GET", f"{S}/{{survey_id}}/results"): (Cap.SURVEY_VIEW, None),
    ("GET", RV): (Cap.RETURN_VISIT_VIEW, None),
    ("GET", f"{RV}/{{return_visit_id}}"): (Cap.RETURN_VISIT_VIEW, None),
    ("POST", f"{RV}/{{return_visit_id}}/outcome"): (
        Cap.RETURN_VISIT_RECORD,
        lambda w: {"outcome": "satisfied", "notes": "客户表示已解决"},
    ),
    ("POST", f"{RV}/{{return_visit_id}}/reassign"): (Cap.TICKET_ASSIGN, lambda w: {"agent_id": w.agent.pk}),
    ("GET", MV): (Cap.MYSTERY_VISIT_VIEW, None),
    ("POST", MV): (Cap.MYSTERY_VISIT_RECORD, _mystery_body),
    ("GET", f"{MV}/{{mystery_visit_id}}"): (Cap.MYSTERY_VISIT_VIEW, None),
    ("POST", f"{MV}/{{mystery_visit_id}}/evidence"): (Cap.MYSTERY_VISIT_RECORD, _png),
    ("POST", f"{MV}/{{mystery_visit_id}}/review"): (Cap.MYSTERY_VISIT_REVIEW, lambda w: {"verdict": "accepted"}),
}
