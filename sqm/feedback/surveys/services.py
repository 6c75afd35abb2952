"""Writes of surveys, return visits and mystery shoppers: validated, audited, follow-up on commit.

**Surveys** (DESIGN.md §2.5, issue 6 point 3). A quality manager (``Cap.SURVEY_MANAGE``) builds a
survey as a draft (or copies a built-in template: CSAT, NPS, SERVQUAL), opens it (its questions
are frozen from then on), sends it to a random sample of the customers whose tickets closed in a
period (one :class:`Invitation` each, with a signed link that needs no login, expires and works
once), and closes it. Customers answer on a public page; only their own POST stores anything.

**Return visits** (回访, point 4). A periodic task schedules a follow-up call for every complaint
closed since its last run, due ``SQM_RETURN_VISIT_DAYS`` (default 2) working days after closure,
assigned round-robin to the agents of the ticket's team, skipping whoever handled it where the
team has someone else. The agent records each call; "problem persists" reopens the complaint
through the ticket workflow, "not reached" asks for another call on the next working day, up to
three retries.

**Mystery shoppers** (服务体验官, point 5). A mystery shopper scores a visit or call on five 1–5
criteria with comments and evidence files (images, audio, PDF: type- and size-checked, stored by
SHA-256 under the data directory like ticket attachments); a quality manager reviews it.

Every rule broken raises :class:`DomainError` naming the field; nothing is stored then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.core.validation import check_choice, clean_text
from sqm.feedback.surveys import builtin
from sqm.feedback.surveys.models import (
    SCORE_FIELDS,
    Answer,
    Dimension,
    Distribution,
    Invitation,
    MysteryChannel,
    MysteryEvidence,
    MysteryStatus,
    MysteryVisit,
    Question,
    QuestionKind,
    ReturnVisit,
    ReturnVisitAttempt,
    ReturnVisitCursor,
    ReturnVisitStatus,
    Survey,
    SurveyKind,
    SurveyResponse,
    SurveyStatus,
    VisitOutcome,
    evidence_path,
)
from sqm.org.models import StaffStatus, Team, User
from sqm.tickets.models import Status, Ticket, TicketType
from sqm.tickets.services.attachments import IncomingFile

TITLE_MAX = 200
INTRO_MAX = 2000
QUESTION_MAX = 500
OPTION_MAX = 100
MAX_OPTIONS = 20
MAX_QUESTIONS = 100
TEXT_ANSWER_MAX = 2000
NOTES_MAX = 2000
MAX_SAMPLE = 5000
DEFAULT_LINK_DAYS = 14
MAX_LINK_DAYS = 90
SIGNING_SALT = "sqm.feedback.survey-invitation"
WEIGHT_TOTAL = 100
OPTION_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")
SURVEY_FIELDS = ("kind", "title_zh", "title_en", "intro_zh", "intro_en", "status", "is_template", "template_code")
QUESTION_FIELDS = ("survey", "position", "code", "kind", "text_zh", "text_en", "required", "scale_max", "dimension")

DEFAULT_RETURN_VISIT_DAYS = 2
RETURN_VISIT_RETRIES = 3  # calls after the first one that went unanswered
RETURN_VISIT_LOOKBACK_DAYS = 7  # how far back the scheduler looks on its very first run
SCHEDULER_OVERLAP = dt.timedelta(hours=1)  # re-read closings this far before the cursor (late commits)

MAX_EVIDENCE_FILES = 10
DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def _require(actor: Any, cap: Cap) -> None:
    if not can(actor, cap):
        raise PermissionDeniedError()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _int(value: Any) -> int | None:
    """``value`` if it is a whole number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


# --- surveys ---------------------------------------------------------------------------------------


def _survey_state(survey: Survey) -> dict[str, Any]:
    return snapshot(survey, SURVEY_FIELDS)


def _check_texts(title_zh: str, title_en: str, intro_zh: str, intro_en: str) -> dict[str, str]:
    return {
        "title_zh": clean_text(title_zh, "title_zh", TITLE_MAX),
        "title_en": clean_text(title_en, "title_en", TITLE_MAX, required=False),
        "intro_zh": clean_text(intro_zh, "intro_zh", INTRO_MAX, required=False),
        "intro_en": clean_text(intro_en, "intro_en", INTRO_MAX, required=False),
    }


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError(
            _("This survey is “%(status)s”: its questions and wording are frozen once it is opened.")
            % {"status": SurveyStatus(survey.status).label},
            field="survey",
            code="frozen",
        )


def _locked_survey(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    title_zh: str,
    title_en: str = "",
    intro_zh: str = "",
    intro_en: str = "",
    kind: str = SurveyKind.CUSTOM,
    now: dt.datetime | None = None,
) -> Survey:
    """Start a new survey as a draft without questions."""
    _require(actor, Cap.SURVEY_MANAGE)
    texts = _check_texts(title_zh, title_en, intro_zh, intro_en)
    kind = check_choice(kind, SurveyKind, "kind")
    moment = _now(now)
    survey = Survey.objects.create(kind=kind, created_by=actor, created_at=moment, updated_at=moment, **texts)
    audit_append(actor=actor, action="create", target=survey, changes=diff(None, _survey_state(survey)))
    return survey


@transaction.atomic
def survey_update(
    *,
    actor: Any,
    survey: Survey,
    title_zh: str,
    title_en: str = "",
    intro_zh: str = "",
    intro_en: str = "",
    now: dt.datetime | None = None,
) -> Survey:
    """Change a draft's titles and introductions."""
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(survey)
    _require_draft(survey)
    before = _survey_state(survey)
    for name, value in _check_texts(title_zh, title_en, intro_zh, intro_en).items():
        setattr(survey, name, value)
    survey.updated_at = _now(now)
    survey.save()
    audit_append(actor=actor, action="update", target=survey, changes=diff(before, _survey_state(survey)))
    return survey


def _copy_questions(source: Survey, target: Survey) -> int:
    questions = [
        Question(
            survey=target,
            position=n,
            code=q.code,
            kind=q.kind,
            text_zh=q.text_zh,
            text_en=q.text_en,
            required=q.required,
            scale_max=q.scale_max,
            dimension=q.dimension,
            options=q.options,
        )
        for n, q in enumerate(source.questions.order_by("position", "id"), start=1)
    ]
    Question.objects.bulk_create(questions)
    return len(questions)


@transaction.atomic
def survey_copy(*, actor: Any, survey: Survey, now: dt.datetime | None = None) -> Survey:
    """A new draft with the wording and questions of ``survey`` (a template or an earlier wave)."""
    _require(actor, Cap.SURVEY_MANAGE)
    moment = _now(now)
    copy = Survey.objects.create(
        kind=survey.kind,
        title_zh=survey.title_zh,
        title_en=survey.title_en,
        intro_zh=survey.intro_zh,
        intro_en=survey.intro_en,
        source=survey,
        created_by=actor,
        created_at=moment,
        updated_at=moment,
    )
    count = _copy_questions(survey, copy)
    changes = diff(None, _survey_state(copy))
    changes["copied_from"] = {"before": None, "after": survey.pk}
    changes["questions"] = {"before": None, "after": count}
    audit_append(actor=actor, action="create", target=copy, changes=changes)
    return copy


@transaction.atomic
def survey_templates_install(*, actor: Any, now: dt.datetime | None = None) -> list[Survey]:
    """Write the built-in templates (CSAT, NPS, SERVQUAL) that are not there yet; returns all three.
    Templates already installed are left as they are (a manager may have adapted their wording)."""
    _require(actor, Cap.SURVEY_MANAGE)
    moment = _now(now)
    result = []
    for spec in builtin.templates():
        existing = Survey.objects.filter(is_template=True, template_code=spec["template_code"]).first()
        if existing is not None:
            result.append(existing)
            continue
        fields = {k: v for k, v in spec.items() if k != "questions"}
        survey = Survey.objects.create(
            is_template=True, created_by=actor, created_at=moment, updated_at=moment, **fields
        )
        for n, raw in enumerate(spec["questions"], start=1):
            Question.objects.create(survey=survey, position=n, **_clean_question(**_question_kwargs(raw)))
        changes = diff(None, _survey_state(survey))
        changes["questions"] = {"before": None, "after": len(spec["questions"])}
        audit_append(actor=actor, action="create", target=survey, changes=changes)
        result.append(survey)
    return result


def _question_kwargs(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": raw["kind"],
        "text_zh": raw["text_zh"],
        "text_en": raw.get("text_en", ""),
        "required": raw.get("required", True),
        "scale_max": raw.get("scale_max"),
        "dimension": raw.get("dimension", ""),
        "options": raw.get("options"),
        "code": raw.get("code", ""),
    }


@transaction.atomic
def survey_open(*, actor: Any, survey: Survey, now: dt.datetime | None = None) -> Survey:
    """Open a draft for answers; from now on its questions cannot change."""
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(survey)
    if survey.is_template:
        raise DomainError(
            _("A template is never sent itself: copy it into a new survey first."), field="survey", code="template"
        )
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError(_("Only a draft can be opened."), field="status", code="transition")
    if not survey.questions.exists():
        raise DomainError(_("Add at least one question before opening the survey."), field="questions", code="empty")
    before = _survey_state(survey)
    survey.status = SurveyStatus.OPEN
    survey.opened_at = survey.updated_at = _now(now)
    survey.save()
    audit_append(actor=actor, action="open", target=survey, changes=diff(before, _survey_state(survey)))
    return survey


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey, now: dt.datetime | None = None) -> Survey:
    """Close an open survey: its links stop working, the results stay."""
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(survey)
    if survey.status != SurveyStatus.OPEN:
        raise DomainError(_("Only an open survey can be closed."), field="status", code="transition")
    before = _survey_state(survey)
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = survey.updated_at = _now(now)
    survey.save()
    audit_append(actor=actor, action="close", target=survey, changes=diff(before, _survey_state(survey)))
    return survey


# --- questions -------------------------------------------------------------------------------------


def _clean_options(options: Any, *, minimum: int) -> list[dict[str, str]]:
    if options is None:
        options = []
    if not isinstance(options, list | tuple):
        raise DomainError(_("Give the options as a list."), field="options")
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, option in enumerate(options, start=1):
        if not isinstance(option, Mapping):
            raise DomainError(_("Option %(n)d needs a code and a Chinese label.") % {"n": n}, field="options")
        code = str(option.get("code") or "").strip()
        if not OPTION_CODE.match(code):
            raise DomainError(
                _("Option %(n)d: the code “%(code)s” must be 1–20 lower-case letters, digits, “-” or “_”.")
                % {"n": n, "code": code[:30]},
                field="options",
            )
        if code in seen:
            raise DomainError(_("Option code “%(code)s” is used twice.") % {"code": code}, field="options")
        seen.add(code)
        zh = clean_text(str(option.get("zh") or ""), "options", OPTION_MAX)
        en = clean_text(str(option.get("en") or ""), "options", OPTION_MAX, required=False)
        cleaned.append({"code": code, "zh": zh, "en": en})
    if len(cleaned) < minimum:
        raise DomainError(_("A choice question needs at least %(n)d options.") % {"n": minimum}, field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise DomainError(_("Give at most %(n)d options.") % {"n": MAX_OPTIONS}, field="options")
    return cleaned


def _weights_options(options: Any) -> list[dict[str, str]]:
    """The five dimensions, with the wording given (or the built-in one)."""
    if not options:
        return [{"code": code, "zh": zh, "en": en} for code, (zh, en) in builtin.DIMENSION_TEXTS.items()]
    cleaned = _clean_options(options, minimum=len(Dimension.values))
    if [o["code"] for o in cleaned] != list(Dimension.values):
        raise DomainError(
            _("Importance weights are asked over the five SERVQUAL dimensions, in order: %(codes)s.")
            % {"codes": ", ".join(Dimension.values)},
            field="options",
        )
    return cleaned


def _clean_question(
    *,
    kind: str,
    text_zh: str,
    text_en: str = "",
    required: bool = True,
    scale_max: int | None = None,
    dimension: str = "",
    options: Any = None,
    code: str = "",
) -> dict[str, Any]:
    """A question's fields as stored, after every rule of its kind."""
    kind = check_choice(kind, QuestionKind, "kind")
    data: dict[str, Any] = {
        "kind": kind,
        "text_zh": clean_text(text_zh, "text_zh", QUESTION_MAX),
        "text_en": clean_text(text_en, "text_en", QUESTION_MAX, required=False),
        "required": bool(required),
        "code": clean_text(code, "code", 20, required=False),
        "scale_max": None,
        "dimension": "",
        "options": [],
    }
    if kind in (QuestionKind.RATING, QuestionKind.GAP):
        default = 5 if kind == QuestionKind.RATING else 7
        value = default if scale_max is None else _int(scale_max)
        if value not in (5, 7):
            raise DomainError(_("A rating scale runs from 1 to 5 or from 1 to 7."), field="scale_max")
        data["scale_max"] = value
    elif kind == QuestionKind.NPS:
        data["scale_max"] = 10
    if kind == QuestionKind.GAP:
        if dimension not in Dimension.values:
            raise DomainError(
                _("Say which SERVQUAL dimension this item measures (%(dims)s).")
                % {"dims": ", ".join(Dimension.values)},
                field="dimension",
            )
        data["dimension"] = dimension
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        data["options"] = _clean_options(options, minimum=2)
    elif kind == QuestionKind.WEIGHTS:
        data["options"] = _weights_options(options)
        data["required"] = bool(required)
    return data


def _question_state(question: Question) -> dict[str, Any]:
    state = snapshot(question, QUESTION_FIELDS)
    state["options"] = [o.get("code") for o in question.options or []]
    return state


def _check_single_weights(survey: Survey, kind: str, exclude: int | None = None) -> None:
    if kind != QuestionKind.WEIGHTS:
        return
    others = survey.questions.filter(kind=QuestionKind.WEIGHTS)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise DomainError(_("A survey asks for importance weights only once."), field="kind", code="unique")


@transaction.atomic
def question_add(
    *,
    actor: Any,
    survey: Survey,
    kind: str,
    text_zh: str,
    text_en: str = "",
    required: bool = True,
    scale_max: int | None = None,
    dimension: str = "",
    options: Any = None,
    code: str = "",
    now: dt.datetime | None = None,
) -> Question:
    """Add a question at the end of a draft survey."""
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(survey)
    _require_draft(survey)
    data = _clean_question(
        kind=kind,
        text_zh=text_zh,
        text_en=text_en,
        required=required,
        scale_max=scale_max,
        dimension=dimension,
        options=options,
        code=code,
    )
    _check_single_weights(survey, data["kind"])
    if survey.questions.count() >= MAX_QUESTIONS:
        raise DomainError(_("A survey has at most %(n)d questions.") % {"n": MAX_QUESTIONS}, field="questions")
    last = survey.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question.objects.create(survey=survey, position=last + 1, **data)
    Survey.objects.filter(pk=survey.pk).update(updated_at=_now(now))
    audit_append(actor=actor, action="create", target=question, changes=diff(None, _question_state(question)))
    return question


@transaction.atomic
def question_update(
    *,
    actor: Any,
    question: Question,
    kind: str,
    text_zh: str,
    text_en: str = "",
    required: bool = True,
    scale_max: int | None = None,
    dimension: str = "",
    options: Any = None,
    code: str = "",
    now: dt.datetime | None = None,
) -> Question:
    """Change a question of a draft survey (every field at once, as the form shows them)."""
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(question.survey)
    _require_draft(survey)
    question = Question.objects.get(pk=question.pk)
    data = _clean_question(
        kind=kind,
        text_zh=text_zh,
        text_en=text_en,
        required=required,
        scale_max=scale_max,
        dimension=dimension,
        options=options,
        code=code,
    )
    _check_single_weights(survey, data["kind"], exclude=question.pk)
    before = _question_state(question)
    for name, value in data.items():
        setattr(question, name, value)
    question.save()
    Survey.objects.filter(pk=survey.pk).update(updated_at=_now(now))
    audit_append(actor=actor, action="update", target=question, changes=diff(before, _question_state(question)))
    return question


def _renumber(survey: Survey, ordered: list[Question]) -> None:
    for n, q in enumerate(ordered, start=1):
        if q.position != n:
            q.position = n
            q.save(update_fields=["position"])


@transaction.atomic
def question_delete(*, actor: Any, question: Question, now: dt.datetime | None = None) -> None:
    """Remove a question from a draft survey; the others close up."""
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(question.survey)
    _require_draft(survey)
    question = Question.objects.get(pk=question.pk)
    state = _question_state(question)
    audit_append(actor=actor, action="delete", target=question, changes=diff(state, None))
    question.delete()
    _renumber(survey, list(survey.questions.order_by("position", "id")))
    Survey.objects.filter(pk=survey.pk).update(updated_at=_now(now))


@transaction.atomic
def question_move(*, actor: Any, question: Question, position: int, now: dt.datetime | None = None) -> Question:
    """Move a question of a draft survey to ``position`` (1 is first); the others shift."""
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(question.survey)
    _require_draft(survey)
    ordered = list(survey.questions.order_by("position", "id"))
    target = _int(position)
    if target is None or not 1 <= target <= len(ordered):
        raise DomainError(_("Give a position from 1 to %(n)d.") % {"n": len(ordered)}, field="position", code="invalid")
    current = next(q for q in ordered if q.pk == question.pk)
    before = current.position
    ordered.remove(current)
    ordered.insert(target - 1, current)
    _renumber(survey, ordered)
    Survey.objects.filter(pk=survey.pk).update(updated_at=_now(now))
    if before != current.position:
        audit_append(
            actor=actor,
            action="move",
            target=current,
            changes={"position": {"before": before, "after": current.position}},
        )
    return current


# --- distribution ----------------------------------------------------------------------------------


def public_url() -> str:
    """The site address customers reach (``SQM_PUBLIC_URL``), for links in e-mail."""
    return str(getattr(settings, "SQM_PUBLIC_URL", "") or "http://localhost:8000").rstrip("/")


def link_days() -> int:
    """Default validity of an invitation link, in days (``SQM_SURVEY_LINK_DAYS``)."""
    return int(getattr(settings, "SQM_SURVEY_LINK_DAYS", DEFAULT_LINK_DAYS))


def draw_sample(population: Iterable[int], size: int, seed: int) -> list[int]:
    """The customers invited: ``size`` ids drawn without replacement from ``population`` (sorted
    ascending first) by ``random.Random(seed).sample``; the result sorted ascending. The same
    population and seed always give the same sample."""
    ordered = sorted(set(population))
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


def population_digest(population: Iterable[int]) -> str:
    """SHA-256 over the ascending customer ids joined by commas."""
    return hashlib.sha256(",".join(str(pk) for pk in sorted(set(population))).encode()).hexdigest()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def population_of(
    survey: Survey, *, closed_from: dt.date, closed_to: dt.date, team: Team | None = None, ticket_type: str = ""
) -> list[int]:
    """Active customers with a ticket closed in the period (and team, type) not yet invited to ``survey``."""
    tickets = Ticket.objects.filter(
        status=Status.CLOSED,
        closed_at__gte=_day_start(closed_from),
        closed_at__lt=_day_start(closed_to + dt.timedelta(days=1)),
        customer__role=Role.CUSTOMER,
        customer__is_active=True,
    )
    if team is not None:
        tickets = tickets.filter(team=team)
    if ticket_type:
        tickets = tickets.filter(type=ticket_type)
    invited = set(Invitation.objects.filter(survey=survey).values_list("customer_id", flat=True))
    return sorted({pk for pk in tickets.values_list("customer_id", flat=True).distinct() if pk not in invited})


def invitation_token(invitation: Invitation) -> str:
    """The signed token of an invitation's link (no login needed; checked by :func:`invitation_check`)."""
    return signing.dumps([invitation.pk, invitation.nonce], salt=SIGNING_SALT)


@transaction.atomic
def survey_distribute(
    *,
    actor: Any,
    survey: Survey,
    closed_from: dt.date,
    closed_to: dt.date,
    sample_size: int,
    team: Team | None = None,
    ticket_type: str = "",
    seed: int | None = None,
    days: int | None = None,
    link_base: str = "",
    send: bool = True,
    now: dt.datetime | None = None,
) -> Distribution:
    """Invite a random sample of the customers whose tickets closed in a period to an open survey.

    Customers already invited to this survey are left out. The seed (drawn at random unless given)
    is recorded with the population's size and digest, so the draw can be repeated and checked.
    Each invitation's link expires after ``days`` (default ``SQM_SURVEY_LINK_DAYS``, 14). With
    ``send`` the links are e-mailed after commit to customers who have an address; they start
    with ``link_base``, by default ``SQM_PUBLIC_URL`` (the address customers reach).
    """
    _require(actor, Cap.SURVEY_MANAGE)
    survey = _locked_survey(survey)
    if survey.status != SurveyStatus.OPEN or survey.is_template:
        raise DomainError(_("Only an open survey can be sent to customers."), field="survey", code="not_open")
    size = _int(sample_size)
    if size is None or not 1 <= size <= MAX_SAMPLE:
        raise DomainError(
            _("Give the sample size as a whole number from 1 to %(max)d.") % {"max": MAX_SAMPLE}, field="sample_size"
        )
    if closed_from > closed_to:
        raise DomainError(_("The end of the period is before its start."), field="closed_to")
    if ticket_type:
        check_choice(ticket_type, TicketType, "ticket_type")
    valid_days = link_days() if days is None else _int(days)
    if valid_days is None or not 1 <= valid_days <= MAX_LINK_DAYS:
        raise DomainError(
            _("Links stay valid for 1 to %(max)d days.") % {"max": MAX_LINK_DAYS}, field="days", code="invalid"
        )
    if seed is None:
        seed = secrets.randbelow(2**53)
    elif _int(seed) is None or not 0 <= seed < 2**63:
        raise DomainError(_("The seed is a whole number from 0 to 2⁶³ − 1."), field="seed")
    link_base = clean_text(link_base, "link_base", 200, required=False).rstrip("/") or public_url()
    population = population_of(survey, closed_from=closed_from, closed_to=closed_to, team=team, ticket_type=ticket_type)
    if not population:
        raise DomainError(
            _("No customer who is not invited yet had a ticket closed in this period."),
            field="closed_from",
            code="empty",
        )
    chosen = draw_sample(population, size, seed)
    moment = _now(now)
    expires = moment + dt.timedelta(days=valid_days)
    distribution = Distribution.objects.create(
        survey=survey,
        created_by=actor,
        created_at=moment,
        closed_from=closed_from,
        closed_to=closed_to,
        team=team,
        ticket_type=ticket_type,
        sample_size=size,
        seed=seed,
        population=len(population),
        population_sha256=population_digest(population),
        invited=len(chosen),
        expires_at=expires,
        link_base=link_base,
    )
    latest: dict[int, tuple[int, str]] = {}
    period = Ticket.objects.filter(
        customer_id__in=chosen,
        status=Status.CLOSED,
        closed_at__gte=_day_start(closed_from),
        closed_at__lt=_day_start(closed_to + dt.timedelta(days=1)),
    )
    if team is not None:
        period = period.filter(team=team)
    if ticket_type:
        period = period.filter(type=ticket_type)
    for ticket_id, customer_id, language in period.order_by("closed_at", "pk").values_list(
        "pk", "customer_id", "language"
    ):
        latest[customer_id] = (ticket_id, language)
    languages = dict(User.objects.filter(pk__in=chosen).values_list("pk", "language"))
    Invitation.objects.bulk_create(
        [
            Invitation(
                survey=survey,
                distribution=distribution,
                customer_id=pk,
                ticket_id=latest.get(pk, (None, ""))[0],
                language=languages.get(pk) or ("en" if latest.get(pk, (None, ""))[1] == "en" else "zh-hans"),
                nonce=secrets.token_hex(16),
                created_at=moment,
                expires_at=expires,
            )
            for pk in chosen
        ],
        batch_size=1000,
    )
    audit_append(
        actor=actor,
        action="distribute",
        target=distribution,
        changes={
            "survey": survey.pk,
            "period": [closed_from.isoformat(), closed_to.isoformat()],
            "team": getattr(team, "pk", None),
            "ticket_type": ticket_type,
            "sample_size": size,
            "seed": seed,
            "population": len(population),
            "population_sha256": distribution.population_sha256,
            "invited": len(chosen),
            "invited_sha256": population_digest(chosen),
            "expires_at": expires,
        },
    )
    if send:
        distribution_id = distribution.pk
        transaction.on_commit(lambda: _queue_invitations(distribution_id))
    return distribution


def _queue_invitations(distribution_id: int) -> None:
    from sqm import schedule

    schedule.survey_send_invitations(distribution_id)


# --- answering -------------------------------------------------------------------------------------


@dataclass
class AnswerIn:
    """One answer as it arrives from the public page or the API, before any check."""

    value: Any = None  # rating or NPS
    expectation: Any = None  # SERVQUAL item
    perception: Any = None
    choices: list[Any] = field(default_factory=list)  # single or multiple choice: option codes
    text: str = ""
    points: dict[str, Any] = field(default_factory=dict)  # importance weights: dimension -> points

    def is_empty(self) -> bool:
        return (
            self.value is None
            and self.expectation is None
            and self.perception is None
            and not self.choices
            and not (self.text or "").strip()
            and not self.points
        )


def token_payload(token: str) -> tuple[int, str]:
    """(invitation id, nonce) of a link's token if its signature is ours; no database query."""
    try:
        payload = signing.loads(str(token or ""), salt=SIGNING_SALT)
        return int(payload[0]), str(payload[1])
    except (signing.BadSignature, TypeError, ValueError, IndexError, KeyError):
        raise DomainError(
            _("This survey link is not valid. Please use the link exactly as you received it."),
            field="token",
            code="forged",
        ) from None


def invitation_check(token: str, *, now: dt.datetime | None = None, lock: bool = False) -> Invitation:
    """The invitation a link's token stands for, if the link may still be answered.

    Refused (field ``token``): a token that is not ours or was altered (``forged``), a link already
    used (``used``) or past its expiry (``expired``); (field ``survey``): a survey no longer open
    (``closed``). Reading never writes anything.
    """
    pk, nonce = token_payload(token)
    qs = Invitation.objects.select_related("survey", "customer")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(pk=pk, nonce=nonce).first()
    if invitation is None:
        raise DomainError(
            _("This survey link is not valid. Please use the link exactly as you received it."),
            field="token",
            code="forged",
        )
    if invitation.responded_at is not None:
        raise DomainError(
            _("This survey has already been answered with this link. Thank you!"), field="token", code="used"
        )
    if invitation.survey.status != SurveyStatus.OPEN:
        raise DomainError(_("This survey is closed and no longer takes answers."), field="survey", code="closed")
    if _now(now) >= invitation.expires_at:
        raise DomainError(_("This survey link has expired."), field="token", code="expired")
    return invitation


def _check_scale(question: Question, value: Any, errors: dict[str, list[Any]], key: str, label: Any) -> int | None:
    number = _int(value)
    scale = question.scale
    if number is None or number not in scale:
        errors.setdefault(key, []).append(
            _("%(what)s: give a whole number from %(low)d to %(high)d.")
            % {"what": label, "low": scale[0], "high": scale[-1]}
        )
        return None
    return number


def _unexpected(answer: AnswerIn, allowed: set[str]) -> list[str]:
    given = {
        "value": answer.value is not None,
        "expectation": answer.expectation is not None,
        "perception": answer.perception is not None,
        "choices": bool(answer.choices),
        "text": bool((answer.text or "").strip()),
        "points": bool(answer.points),
    }
    return [name for name, present in given.items() if present and name not in allowed]


ALLOWED_PARTS: dict[str, set[str]] = {
    QuestionKind.RATING: {"value"},
    QuestionKind.NPS: {"value"},
    QuestionKind.SINGLE: {"choices"},
    QuestionKind.MULTIPLE: {"choices"},
    QuestionKind.TEXT: {"text"},
    QuestionKind.GAP: {"expectation", "perception"},
    QuestionKind.WEIGHTS: {"points"},
}


def clean_answer(question: Question, answer: AnswerIn, errors: dict[str, list[Any]]) -> Answer | None:
    """The answer row for ``question``, or None when it was left out; broken rules go to
    ``errors`` under ``answers.<question id>.<part>``."""
    base = f"answers.{question.pk}"
    if answer.is_empty():
        if question.required:
            errors.setdefault(base, []).append(_("This question needs an answer."))
        return None
    extra = _unexpected(answer, ALLOWED_PARTS[question.kind])
    if extra:
        errors.setdefault(base, []).append(_("This question takes no “%(parts)s”.") % {"parts": ", ".join(extra)})
        return None
    row = Answer(question=question)
    kind = question.kind
    if kind in (QuestionKind.RATING, QuestionKind.NPS):
        row.number = _check_scale(question, answer.value, errors, f"{base}.value", _("Answer"))
        return row if row.number is not None else None
    if kind == QuestionKind.GAP:
        row.expectation = _check_scale(question, answer.expectation, errors, f"{base}.expectation", _("Expectation"))
        row.perception = _check_scale(question, answer.perception, errors, f"{base}.perception", _("Perception"))
        return row if row.expectation is not None and row.perception is not None else None
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        codes = {o["code"] for o in question.options}
        picked = [str(c) for c in answer.choices]
        wrong = [c for c in picked if c not in codes]
        if wrong:
            errors.setdefault(f"{base}.choices", []).append(
                _("“%(code)s” is not one of this question's options.") % {"code": wrong[0][:40]}
            )
            return None
        if len(set(picked)) != len(picked) or (kind == QuestionKind.SINGLE and len(picked) != 1):
            errors.setdefault(f"{base}.choices", []).append(
                _("Pick exactly one option.") if kind == QuestionKind.SINGLE else _("Pick each option at most once.")
            )
            return None
        row.choices = [o["code"] for o in question.options if o["code"] in picked]
        return row
    if kind == QuestionKind.TEXT:
        try:
            row.text = clean_text(answer.text, f"{base}.text", TEXT_ANSWER_MAX)
        except DomainError as exc:
            for key, messages in exc.errors.items():
                errors.setdefault(key, []).extend(messages)
            return None
        return row
    # importance weights: every dimension, whole points from 0 to 100, 100 in all
    key = f"{base}.points"
    dims = [o["code"] for o in question.options]
    given = {str(k): v for k, v in (answer.points or {}).items()}
    unknown = sorted(set(given) - set(dims))
    if unknown:
        errors.setdefault(key, []).append(
            _("“%(code)s” is not one of the five dimensions.") % {"code": unknown[0][:40]}
        )
        return None
    points: dict[str, int] = {}
    for dim in dims:
        value = _int(given.get(dim, 0) if given.get(dim) is not None else 0)
        if value is None or not 0 <= value <= WEIGHT_TOTAL:
            errors.setdefault(key, []).append(
                _("Points for “%(dim)s” must be a whole number from 0 to 100.") % {"dim": Dimension(dim).label}
            )
            return None
        points[dim] = value
    total = sum(points.values())
    if total != WEIGHT_TOTAL:
        errors.setdefault(key, []).append(
            _("The importance points must add up to 100; these add up to %(total)d.") % {"total": total}
        )
        return None
    row.points = points
    return row


@transaction.atomic
def response_submit(
    *, token: str, answers: Mapping[int, AnswerIn], language: str = "", now: dt.datetime | None = None
) -> SurveyResponse:
    """Store a customer's answers to the survey of an invitation link (no login: the signed link is
    the credential). Every answer is checked against its own question: a value outside the scale,
    an option that is not offered, weights that do not add up to 100, a required question left
    out, or a question of another survey are each reported under ``answers.<question id>…``, all
    at once, and nothing is stored. The link then works no more.
    """
    moment = _now(now)
    invitation = invitation_check(token, now=moment, lock=True)
    survey = invitation.survey
    questions = {q.pk: q for q in survey.questions.order_by("position", "id")}
    errors: dict[str, list[Any]] = {}
    for qid in answers:
        if qid not in questions:
            errors.setdefault(f"answers.{qid}", []).append(
                _("Question %(id)s does not belong to this survey.") % {"id": qid}
            )
    rows = []
    for qid, question in questions.items():
        row = clean_answer(question, answers.get(qid) or AnswerIn(), errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise DomainError(errors=errors, code="invalid")
    if not rows:
        raise DomainError(_("Answer at least one question."), field="answers", code="required")
    lang = language if language in ("zh-hans", "en") else invitation.language
    response = SurveyResponse.objects.create(
        survey=survey, invitation=invitation, customer=invitation.customer, language=lang, submitted_at=moment
    )
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    Invitation.objects.filter(pk=invitation.pk).update(responded_at=moment)
    canonical = json.dumps(
        [[r.question_id, r.number, r.expectation, r.perception, r.choices, r.text, r.points] for r in rows],
        ensure_ascii=False,
        sort_keys=True,
    )
    audit_append(
        actor=invitation.customer,
        action="respond",
        target=response,
        changes={
            "survey": survey.pk,
            "invitation": invitation.pk,
            "answers": len(rows),
            "answers_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        },
    )
    return response


# --- return visits ---------------------------------------------------------------------------------


def return_visit_days() -> int:
    """Working days between a complaint's closure and its return visit (``SQM_RETURN_VISIT_DAYS``)."""
    return int(getattr(settings, "SQM_RETURN_VISIT_DAYS", DEFAULT_RETURN_VISIT_DAYS))


def _working_day_test(team_id: int | None) -> Callable[[dt.date], bool]:
    """Whether a date is a working day for the team: its own calendar, else the centre's default
    calendar (public holidays and make-up days included), else Monday to Friday."""
    from sqm.tickets.sla.calendars import business_calendar, default_calendar
    from sqm.tickets.sla.models import TeamCalendar

    stored = None
    if team_id is not None:
        link = TeamCalendar.objects.select_related("calendar").filter(team_id=team_id).first()
        stored = link.calendar if link is not None else None
    stored = stored or default_calendar()
    if stored is None:
        return lambda day: day.weekday() < 5
    calendar = business_calendar(stored)
    return lambda day: bool(calendar.hours_on(day))


def add_working_days(start: dt.date, days: int, is_working: Callable[[dt.date], bool]) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    day, left = start, max(0, days)
    for _step in range(3 * 366):
        if left == 0:
            return day
        day += dt.timedelta(days=1)
        if is_working(day):
            left -= 1
    return day


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _team_agents(team_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active agents at work (not on leave, not left) of each team, ascending by id."""
    pool: dict[int, list[int]] = {}
    rows = (
        User.objects.filter(team_id__in=set(team_ids), role=Role.AGENT, is_active=True)
        .exclude(profile__status__in=(StaffStatus.ON_LEAVE, StaffStatus.LEFT))
        .order_by("pk")
        .values_list("team_id", "pk")
    )
    for team_id, pk in rows:
        pool.setdefault(team_id, []).append(pk)
    return pool


def pick_round_robin(pool: Sequence[int], last: int | None, avoid: Iterable[int]) -> int | None:
    """The next agent after ``last`` in ascending id order (wrapping round), skipping those in
    ``avoid`` unless nobody else is left."""
    if not pool:
        return None
    start = next((n for n, pk in enumerate(pool) if last is not None and pk > last), 0)
    ordered = [pool[(start + k) % len(pool)] for k in range(len(pool))]
    avoided = set(avoid)
    return next((pk for pk in ordered if pk not in avoided), ordered[0])


def _team_of(ticket: Ticket) -> int | None:
    """The ticket's team, else the team of the agent who handled it."""
    if ticket.team_id is not None:
        return int(ticket.team_id)
    team_id = getattr(ticket.assignee, "team_id", None) if ticket.assignee_id else None
    return int(team_id) if team_id is not None else None


def _visit_state(visit: ReturnVisit) -> dict[str, Any]:
    return snapshot(
        visit, ("ticket", "closed_at", "team", "agent", "due_on", "status", "attempts", "outcome", "reopened")
    )


@transaction.atomic
def return_visits_schedule(*, now: dt.datetime | None = None, since: dt.datetime | None = None) -> list[ReturnVisit]:
    """Schedule a return visit for every complaint closed since the scheduler's last run (the
    periodic task). Idempotent: a closing that already has its visit is skipped, so running it
    twice, or over an overlapping window, creates nothing new. ``since`` overrides the cursor
    (the demo and tests); the first run looks back ``RETURN_VISIT_LOOKBACK_DAYS`` days."""
    moment = _now(now)
    cursor = ReturnVisitCursor.objects.select_for_update().filter(pk=1).first()
    if since is None:
        since = (
            cursor.scanned_to - SCHEDULER_OVERLAP
            if cursor is not None
            else moment - dt.timedelta(days=RETURN_VISIT_LOOKBACK_DAYS)
        )
    complaints = list(
        Ticket.objects.filter(
            type=TicketType.COMPLAINT, status=Status.CLOSED, closed_at__gte=since, closed_at__lt=moment
        )
        .select_related("assignee")
        .order_by("closed_at", "pk")
    )
    done = set(
        ReturnVisit.objects.filter(ticket_id__in=[t.pk for t in complaints]).values_list("ticket_id", "closed_at")
    )
    todo = [t for t in complaints if (t.pk, t.closed_at) not in done]
    teams: set[int] = {team_id for t in todo if (team_id := _team_of(t)) is not None}
    pool = _team_agents(teams)
    last: dict[int | None, int | None] = {
        team_id: ReturnVisit.objects.filter(team_id=team_id, agent__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("agent_id", flat=True)
        .first()
        for team_id in teams
    }
    calendars: dict[int | None, Callable[[dt.date], bool]] = {}
    created = []
    for ticket in todo:
        team_id = _team_of(ticket)
        handlers = {pk for pk in (ticket.assignee_id, ticket.owner_id) if pk}
        agent_id = pick_round_robin(pool.get(team_id, []) if team_id else [], last.get(team_id), handlers)
        if team_id is not None and agent_id is not None:
            last[team_id] = agent_id
        if team_id not in calendars:
            calendars[team_id] = _working_day_test(team_id)
        assert ticket.closed_at is not None
        visit = ReturnVisit.objects.create(
            ticket=ticket,
            closed_at=ticket.closed_at,
            team_id=team_id,
            agent_id=agent_id,
            handled_by_id=ticket.assignee_id,
            due_on=add_working_days(_local_date(ticket.closed_at), return_visit_days(), calendars[team_id]),
            created_at=moment,
            updated_at=moment,
        )
        audit_append(actor=None, action="schedule", target=visit, changes=diff(None, _visit_state(visit)))
        created.append(visit)
    if cursor is None:
        ReturnVisitCursor.objects.create(pk=1, scanned_to=moment)
    elif moment > cursor.scanned_to:
        ReturnVisitCursor.objects.filter(pk=1).update(scanned_to=moment)
    return created


@transaction.atomic
def return_visit_record(
    *, actor: Any, visit: ReturnVisit, outcome: str, notes: str = "", now: dt.datetime | None = None
) -> ReturnVisit:
    """Record one call of a return visit assigned to ``actor``.

    "Satisfied" and "reached" finish the visit; "problem persists" finishes it and reopens the
    complaint through the ticket workflow (``ticket_reopen``, with the notes as the reason; notes
    are required then); "not reached" moves it to the next working day, and after the first call
    and three retries have gone unanswered the visit ends as unreachable.
    """
    from sqm.tickets.services.workflow import ticket_reopen

    _require(actor, Cap.RETURN_VISIT_RECORD)
    visit = ReturnVisit.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=visit.pk)
    if visit.agent_id != actor.pk:
        raise PermissionDeniedError(_("This return visit is assigned to someone else."))
    if visit.status != ReturnVisitStatus.PENDING:
        raise DomainError(
            _("This return visit is already finished (“%(status)s”).")
            % {"status": ReturnVisitStatus(visit.status).label},
            field="status",
            code="finished",
        )
    outcome = check_choice(outcome, VisitOutcome, "outcome")
    notes = clean_text(notes, "notes", NOTES_MAX, required=outcome == VisitOutcome.PERSISTS)
    moment = _now(now)
    before = _visit_state(visit)
    ReturnVisitAttempt.objects.create(visit=visit, agent=actor, at=moment, outcome=outcome, notes=notes)
    visit.attempts += 1
    visit.notes = notes or visit.notes
    if outcome == VisitOutcome.NOT_REACHED:
        if visit.attempts > RETURN_VISIT_RETRIES:
            visit.status, visit.outcome, visit.completed_at = ReturnVisitStatus.UNREACHABLE, outcome, moment
        else:
            is_working = _working_day_test(visit.team_id)
            visit.due_on = add_working_days(_local_date(moment), 1, is_working)
    else:
        visit.status, visit.outcome, visit.completed_at = ReturnVisitStatus.DONE, outcome, moment
    if outcome == VisitOutcome.PERSISTS and visit.ticket.status in (Status.RESOLVED, Status.CLOSED):
        reason = gettext("Return visit: the customer says the problem persists. %(notes)s") % {"notes": notes}
        ticket_reopen(actor=actor, ticket=visit.ticket, reason=reason[:2000])
        visit.reopened = True
    visit.updated_at = moment
    visit.save()
    changes = diff(before, _visit_state(visit))
    changes["call"] = {"before": None, "after": {"outcome": outcome, "notes_length": len(notes)}}
    audit_append(actor=actor, action="record", target=visit, changes=changes)
    return visit


@transaction.atomic
def return_visit_reassign(
    *, actor: Any, visit: ReturnVisit, agent: User, now: dt.datetime | None = None
) -> ReturnVisit:
    """Give a pending return visit to another agent (e.g. the assigned one is on leave)."""
    _require(actor, Cap.TICKET_ASSIGN)
    visit = ReturnVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != ReturnVisitStatus.PENDING:
        raise DomainError(_("Only a return visit still to be made can be reassigned."), field="status", code="finished")
    if not (agent.is_active and agent.role == Role.AGENT):
        raise DomainError(_("Choose an active agent."), field="agent")
    before = _visit_state(visit)
    visit.agent = agent
    visit.updated_at = _now(now)
    visit.save(update_fields=["agent", "updated_at"])
    audit_append(actor=actor, action="assign", target=visit, changes=diff(before, _visit_state(visit)))
    return visit


# --- mystery shoppers ----------------------------------------------------------------------------


def _starts(*magic: bytes) -> Callable[[bytes], bool]:
    return lambda content: content.startswith(magic)


def _webp(content: bytes) -> bool:
    return content.startswith(b"RIFF") and content[8:12] == b"WEBP"


def _wav(content: bytes) -> bool:
    return content.startswith(b"RIFF") and content[8:12] == b"WAVE"


def _mp4_audio(content: bytes) -> bool:
    return content[4:8] == b"ftyp"


# extension -> (content type, test of the leading bytes)
EVIDENCE_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".png": ("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".gif": ("image/gif", _starts(b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", _webp),
    ".pdf": ("application/pdf", _starts(b"%PDF-")),
    ".mp3": ("audio/mpeg", _starts(b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ".m4a": ("audio/mp4", _mp4_audio),
    ".wav": ("audio/wav", _wav),
    ".ogg": ("audio/ogg", _starts(b"OggS")),
    ".amr": ("audio/amr", _starts(b"#!AMR")),
}


def evidence_max_bytes() -> int:
    """Largest evidence file accepted (``SQM_MYSTERY_EVIDENCE_MAX_BYTES``, default 20 MB)."""
    return int(getattr(settings, "SQM_MYSTERY_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES))


def check_evidence(files: Sequence[IncomingFile], field: str = "evidence") -> list[tuple[IncomingFile, str]]:
    """Refuse the whole set if any file is too big, empty, of a type not accepted (images, audio,
    PDF) or not what its name says; as ticket attachments are checked."""
    if len(files) > MAX_EVIDENCE_FILES:
        raise DomainError(_("Attach at most %(n)d files.") % {"n": MAX_EVIDENCE_FILES}, field=field, code="too_many")
    checked = []
    limit = evidence_max_bytes()
    for incoming in files:
        printable = "".join(c for c in incoming.name if c.isprintable())
        name = PurePath(printable.replace("\\", "/")).name[:200] or "file"
        if len(incoming.content) > limit:
            raise DomainError(
                _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": limit // (1024 * 1024)},
                field=field,
                code="too_large",
            )
        if not incoming.content:
            raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field=field, code="empty")
        suffix = PurePath(name).suffix.lower()
        if suffix not in EVIDENCE_TYPES:
            raise DomainError(
                _("“%(name)s”: this type of file is not accepted (allowed: %(types)s).")
                % {"name": name, "types": ", ".join(sorted(EVIDENCE_TYPES))},
                field=field,
                code="type",
            )
        content_type, looks_right = EVIDENCE_TYPES[suffix]
        if not looks_right(incoming.content):
            raise DomainError(
                _("“%(name)s” does not contain what its name says.") % {"name": name}, field=field, code="type"
            )
        checked.append((IncomingFile(name=name, content=incoming.content), content_type))
    return checked


def _store_evidence(
    visit: MysteryVisit, checked: list[tuple[IncomingFile, str]], moment: dt.datetime
) -> list[MysteryEvidence]:
    stored = []
    for incoming, content_type in checked:
        digest = hashlib.sha256(incoming.content).hexdigest()
        row = MysteryEvidence(
            visit=visit,
            name=incoming.name,
            content_type=content_type,
            size=len(incoming.content),
            sha256=digest,
            uploaded_at=moment,
        )
        path = evidence_path(row, incoming.name)
        if default_storage.exists(path):  # the same content is stored once
            row.file.name = path
        else:
            row.file.save(incoming.name, ContentFile(incoming.content), save=False)
        row.save()
        stored.append(row)
    return stored


def _evidence_audit(rows: Sequence[MysteryEvidence]) -> list[dict[str, Any]]:
    return [{"name": r.name, "size": r.size, "sha256": r.sha256} for r in rows]


MYSTERY_FIELDS = ("shopper", "channel", "team", "place", "agent", "visited_at", "status", *SCORE_FIELDS)


@transaction.atomic
def mystery_visit_create(
    *,
    actor: Any,
    channel: str,
    visited_at: dt.datetime,
    scenario: str,
    scores: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    team: Team | None = None,
    place: str = "",
    agent: User | None = None,
    files: Sequence[IncomingFile] = (),
    now: dt.datetime | None = None,
) -> MysteryVisit:
    """File a mystery shopper's scorecard of a visit or call, with evidence files.

    Each of the five criteria (attitude, professionalism, timeliness, environment, SOP compliance)
    is scored 1–5; a score of 1 or 2 needs a comment saying what went wrong. The encounter cannot
    lie in the future; where it happened is given by the team or the place (hall, number, page).
    """
    _require(actor, Cap.MYSTERY_VISIT_RECORD)
    moment = _now(now)
    channel = check_choice(channel, MysteryChannel, "channel")
    if not isinstance(visited_at, dt.datetime) or timezone.is_naive(visited_at):
        raise DomainError(_("Give the date and time of the visit or call."), field="visited_at")
    if visited_at > moment + dt.timedelta(minutes=5):
        raise DomainError(_("The visit or call cannot be in the future."), field="visited_at", code="future")
    scenario = clean_text(scenario, "scenario", NOTES_MAX)
    place = clean_text(place, "place", 200, required=False)
    if team is None and not place:
        raise DomainError(_("Say where it happened: the team or the place."), field="place", code="required")
    if team is not None and not team.is_active:
        raise DomainError(_("This team is no longer active."), field="team")
    if agent is not None and (agent.role not in (Role.AGENT, Role.TEAM_LEAD) or not agent.is_active):
        raise DomainError(_("Choose an active agent or team lead."), field="agent")
    comments = comments or {}
    values: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    for name in SCORE_FIELDS:
        score = _int(scores.get(name))
        comment_field = f"{name}_comment"
        try:
            comment = clean_text(comments.get(name, ""), comment_field, NOTES_MAX, required=False)
        except DomainError as exc:
            errors.update(exc.errors)
            continue
        if score is None or not 1 <= score <= 5:
            errors.setdefault(name, []).append(_("Score this from 1 to 5."))
            continue
        if score <= 2 and not comment:
            errors.setdefault(comment_field, []).append(_("A score of 1 or 2 needs a comment saying what went wrong."))
        values[name], values[comment_field] = score, comment
    if errors:
        raise DomainError(errors=errors, code="invalid")
    checked = check_evidence(list(files))
    visit = MysteryVisit.objects.create(
        shopper=actor,
        channel=channel,
        team=team,
        place=place,
        agent=agent,
        visited_at=visited_at,
        scenario=scenario,
        created_at=moment,
        updated_at=moment,
        **values,
    )
    stored = _store_evidence(visit, checked, moment)
    changes = diff(None, snapshot(visit, MYSTERY_FIELDS))
    changes["evidence"] = {"before": None, "after": _evidence_audit(stored)}
    audit_append(actor=actor, action="create", target=visit, changes=changes)
    return visit


@transaction.atomic
def mystery_evidence_add(
    *, actor: Any, visit: MysteryVisit, files: Sequence[IncomingFile], now: dt.datetime | None = None
) -> list[MysteryEvidence]:
    """Add evidence files to one's own visit while it awaits review."""
    _require(actor, Cap.MYSTERY_VISIT_RECORD)
    visit = MysteryVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.shopper_id != actor.pk:
        raise PermissionDeniedError()
    if visit.status != MysteryStatus.SUBMITTED:
        raise DomainError(_("This visit has been reviewed; its evidence is final."), field="status", code="reviewed")
    if not files:
        raise DomainError(_("Choose at least one file."), field="evidence", code="required")
    if visit.evidence.count() + len(files) > MAX_EVIDENCE_FILES:
        raise DomainError(_("A visit has at most %(n)d evidence files.") % {"n": MAX_EVIDENCE_FILES}, field="evidence")
    moment = _now(now)
    stored = _store_evidence(visit, check_evidence(list(files)), moment)
    MysteryVisit.objects.filter(pk=visit.pk).update(updated_at=moment)
    audit_append(
        actor=actor,
        action="attach",
        target=visit,
        changes={"evidence": {"before": None, "after": _evidence_audit(stored)}},
    )
    return stored


@transaction.atomic
def mystery_visit_review(
    *, actor: Any, visit: MysteryVisit, verdict: str, note: str = "", now: dt.datetime | None = None
) -> MysteryVisit:
    """A quality manager accepts a visit's scorecard or rejects it (a note saying why is required)."""
    _require(actor, Cap.MYSTERY_VISIT_REVIEW)
    visit = MysteryVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != MysteryStatus.SUBMITTED:
        raise DomainError(_("This visit has already been reviewed."), field="status", code="reviewed")
    if verdict not in (MysteryStatus.ACCEPTED, MysteryStatus.REJECTED):
        raise DomainError(_("Accept or reject the visit."), field="verdict", code="invalid_choice")
    note = clean_text(note, "note", NOTES_MAX, required=verdict == MysteryStatus.REJECTED)
    before = snapshot(visit, ("status", "review_note"))
    visit.status = verdict
    visit.review_note = note
    visit.reviewed_by = actor
    visit.reviewed_at = visit.updated_at = _now(now)
    visit.save()
    audit_append(
        actor=actor, action="review", target=visit, changes=diff(before, snapshot(visit, ("status", "review_note")))
    )
    return visit
