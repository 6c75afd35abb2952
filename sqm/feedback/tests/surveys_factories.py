"""Factories and helpers of the survey, return-visit and mystery-shopper tests."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import factory
from django.utils import timezone

from sqm.core.roles import Role
from sqm.feedback.surveys import services
from sqm.feedback.surveys.models import (
    Distribution,
    Invitation,
    MysteryChannel,
    MysteryVisit,
    ReturnVisit,
    Survey,
    SurveyStatus,
)
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import Status, TicketType
from sqm.tickets.tests.factories import TicketFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 64


class ClosedTicketFactory(TicketFactory):
    """A closed ticket worked by an agent of a team (rows written directly)."""

    status = Status.CLOSED
    assignee = factory.SubFactory(UserFactory, role=Role.AGENT, team=factory.SubFactory(TeamFactory))
    team = factory.SelfAttribute("assignee.team")
    resolved_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=20))


class ClosedComplaintFactory(ClosedTicketFactory):
    type = TicketType.COMPLAINT


class ReturnVisitFactory(factory.django.DjangoModelFactory):
    """A return visit row written directly (no audit)."""

    class Meta:
        model = ReturnVisit

    ticket = factory.SubFactory(ClosedComplaintFactory)
    closed_at = factory.SelfAttribute("ticket.closed_at")
    team = factory.SelfAttribute("ticket.team")
    agent = factory.SubFactory(UserFactory, role=Role.AGENT)
    handled_by = factory.SelfAttribute("ticket.assignee")
    due_on = factory.LazyFunction(timezone.localdate)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class MysteryVisitFactory(factory.django.DjangoModelFactory):
    """A mystery-shopper visit row written directly (no audit, no evidence)."""

    class Meta:
        model = MysteryVisit

    shopper = factory.SubFactory(UserFactory, role=Role.MYSTERY_SHOPPER)
    channel = MysteryChannel.PHONE
    place = "95xxx 热线"
    visited_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    scenario = "咨询套餐变更流程"
    attitude = 4
    professionalism = 4
    timeliness = 3
    environment = 5
    sop = 4
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


def servqual_survey(manager: Any, *, open_it: bool = True) -> Survey:
    """A copy of the built-in SERVQUAL template (through the services), opened unless told not to."""
    templates = {t.template_code: t for t in services.survey_templates_install(actor=manager)}
    survey = services.survey_copy(actor=manager, survey=templates["servqual"])
    if open_it:
        survey = services.survey_open(actor=manager, survey=survey)
    return survey


def simple_survey(manager: Any, *, open_it: bool = True) -> Survey:
    """An open survey with a 1–5 rating (required), an NPS question and a free-text question."""
    survey = services.survey_create(actor=manager, title_zh="服务回访满意度", title_en="Follow-up satisfaction")
    services.question_add(actor=manager, survey=survey, kind="rating", text_zh="总体满意度", text_en="Overall")
    services.question_add(actor=manager, survey=survey, kind="nps", text_zh="推荐意愿", required=False)
    services.question_add(actor=manager, survey=survey, kind="text", text_zh="建议", required=False)
    if open_it:
        survey = services.survey_open(actor=manager, survey=survey)
    return survey


def invite(survey: Survey, customer: Any = None, *, days: int = 14, language: str = "zh-hans") -> str:
    """An invitation of ``customer`` (a new one by default) to ``survey``, written directly
    (without the random draw); returns the link's token."""
    customer = customer or UserFactory(role=Role.CUSTOMER)
    now = timezone.now()
    distribution = Distribution.objects.filter(survey=survey).first() or Distribution.objects.create(
        survey=survey,
        created_at=now,
        closed_from=now.date(),
        closed_to=now.date(),
        sample_size=1,
        seed=1,
        population=1,
        population_sha256="0" * 64,
        invited=1,
        expires_at=now + dt.timedelta(days=days),
    )
    invitation = Invitation.objects.create(
        survey=survey,
        distribution=distribution,
        customer=customer,
        language=language,
        nonce=secrets.token_hex(16),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    return services.invitation_token(invitation)


def set_status(survey: Survey, status: str) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=status)
    survey.status = status


__all__ = [
    "MP3",
    "PDF",
    "PNG",
    "ClosedComplaintFactory",
    "ClosedTicketFactory",
    "MysteryVisitFactory",
    "ReturnVisitFactory",
    "SurveyStatus",
    "invite",
    "servqual_survey",
    "set_status",
    "simple_survey",
]
