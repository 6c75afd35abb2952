"""Surveys (CSAT, NPS, SERVQUAL), return visits (回访) and mystery shoppers (服务体验官).

DESIGN.md §2.5, issue 6 "Customer feedback" points 3–5. The models are imported into
:mod:`sqm.feedback.models` (app label ``feedback``); writes go through
:mod:`sqm.feedback.surveys.services`, reads through :mod:`sqm.feedback.surveys.selectors`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Answer",
    "Dimension",
    "Distribution",
    "Invitation",
    "MysteryChannel",
    "MysteryEvidence",
    "MysteryStatus",
    "MysteryVisit",
    "Question",
    "QuestionKind",
    "ReturnVisit",
    "ReturnVisitAttempt",
    "ReturnVisitCursor",
    "ReturnVisitStatus",
    "Survey",
    "SurveyKind",
    "SurveyResponse",
    "SurveyStatus",
    "VisitOutcome",
]


def _english() -> bool:
    return (get_language() or "").startswith("en")


# --- surveys ---------------------------------------------------------------------------------------


class SurveyKind(models.TextChoices):
    CUSTOM = "custom", _("Custom survey")
    CSAT = "csat", _("CSAT (customer satisfaction)")
    NPS = "nps", _("NPS (net promoter score)")
    SERVQUAL = "servqual", _("SERVQUAL (five dimensions of service quality)")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating scale (1–5 or 1–7)")
    NPS = "nps", _("Likelihood to recommend (NPS, 0–10)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")
    GAP = "gap", _("Expectation and perception (SERVQUAL item)")
    WEIGHTS = "weights", _("Importance weights (100 points over the five dimensions)")


class Dimension(models.TextChoices):
    """The five SERVQUAL dimensions, in their conventional order."""

    TANGIBLES = "tangibles", _("Tangibles")
    RELIABILITY = "reliability", _("Reliability")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    ASSURANCE = "assurance", _("Assurance")
    EMPATHY = "empathy", _("Empathy")


class Survey(models.Model):
    """A questionnaire sent to a sample of customers. Built as a draft, then opened (its questions
    are frozen from then on, so every answer refers to the wording the customer saw) and closed.
    Built-in templates (CSAT, NPS, SERVQUAL) are surveys with ``is_template`` set: they are never
    opened themselves, a quality manager copies one into a new draft."""

    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices, default=SurveyKind.CUSTOM)
    title_zh = models.CharField(_("Chinese title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    intro_zh = models.TextField(_("Chinese introduction"), blank=True)
    intro_en = models.TextField(_("English introduction"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    is_template = models.BooleanField(_("built-in template"), default=False)
    template_code = models.CharField(_("template code"), max_length=20, blank=True)
    source = models.ForeignKey(
        "self", verbose_name=_("copied from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["template_code"], condition=Q(is_template=True), name="feedback_survey_one_template_per_code"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return (self.title_en if _english() and self.title_en else self.title_zh) or ""

    @property
    def intro(self) -> str:
        return (self.intro_en if _english() and self.intro_en else self.intro_zh) or ""

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT


class Question(models.Model):
    """One question of a survey, in Chinese and English. ``scale_max`` is 5 or 7 for rating scales
    and SERVQUAL items (10 for NPS); ``options`` lists ``{"code", "zh", "en"}`` for choices (and the
    five dimensions for importance weights); ``dimension`` places a SERVQUAL item."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=20, blank=True, help_text=_("e.g. SQ05 for SERVQUAL item 5"))
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text_zh = models.CharField(_("Chinese wording"), max_length=500)
    text_en = models.CharField(_("English wording"), max_length=500, blank=True)
    required = models.BooleanField(_("answer required"), default=True)
    scale_max = models.PositiveSmallIntegerField(_("scale maximum"), null=True, blank=True)
    dimension = models.CharField(_("SERVQUAL dimension"), max_length=16, choices=Dimension.choices, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["survey", "position"], name="feedback_question_order_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return (self.text_en if _english() and self.text_en else self.text_zh) or ""

    def option_label(self, code: str) -> str:
        for option in self.options or []:
            if option.get("code") == code:
                return str((option.get("en") if _english() and option.get("en") else option.get("zh")) or code)
        return code

    @property
    def choices(self) -> list[tuple[str, str]]:
        """``(code, label)`` of the options in the reader's language."""
        return [(str(o["code"]), self.option_label(str(o["code"]))) for o in self.options or []]

    @property
    def scale(self) -> list[int]:
        """The values a rating, NPS or SERVQUAL question accepts."""
        if self.kind == QuestionKind.NPS:
            return list(range(0, 11))
        if self.kind in (QuestionKind.RATING, QuestionKind.GAP):
            return list(range(1, (self.scale_max or 5) + 1))
        return []


class Distribution(models.Model):
    """One wave of invitations: a random sample of the customers whose tickets closed in a period.
    The seed, the population's size and a SHA-256 over its customer ids are kept, so anyone can
    draw the same sample again and check it (docs/feedback.md)."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="distributions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"))
    closed_from = models.DateField(_("tickets closed from"))
    closed_to = models.DateField(_("tickets closed until"))
    team = models.ForeignKey(
        "org.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_type = models.CharField(_("ticket type"), max_length=16, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size asked for"))
    seed = models.BigIntegerField(_("random seed"))
    population = models.PositiveIntegerField(_("eligible customers"))
    population_sha256 = models.CharField(max_length=64)
    invited = models.PositiveIntegerField(_("invited"))
    expires_at = models.DateTimeField(_("links expire"))
    link_base = models.CharField(_("site address for the links"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("survey distribution")
        verbose_name_plural = _("survey distributions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.created_at:%Y-%m-%d} · {self.invited}"


class Invitation(models.Model):
    """One customer's invitation to a survey. The customer gets a signed link (``token``) that
    needs no login, expires at ``expires_at`` and can be used for one response; opening it never
    records anything, only the customer's own submission does."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations")
    distribution = models.ForeignKey(
        Distribution, verbose_name=_("distribution"), on_delete=models.CASCADE, related_name="invitations"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The customer's latest ticket closed in the period."),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(_("invited"))
    expires_at = models.DateTimeField(_("expires"))
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "customer"], name="feedback_invitation_once_per_survey")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.customer_id}"


class SurveyResponse(models.Model):
    """A customer's submitted answers to one invitation (at most one per invitation)."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="response"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(_("language"), max_length=10)
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["survey", "submitted_at"], name="feedback_response_survey_idx")]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.invitation_id}"


class Answer(models.Model):
    """One answer: ``number`` for a rating or NPS, ``expectation``/``perception`` for a SERVQUAL
    item, ``choices`` (option codes) for a choice, ``text`` for free text, ``points`` (dimension →
    points, 100 in all) for importance weights."""

    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(_("value"), null=True, blank=True)
    expectation = models.SmallIntegerField(_("expectation"), null=True, blank=True)
    perception = models.SmallIntegerField(_("perception"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True)
    points = models.JSONField(_("importance points"), default=dict, blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="feedback_answer_once")]

    def __str__(self) -> str:
        return f"{self.response_id} · {self.question_id}"


# --- return visits ----------------------------------------------------------------------------------


class ReturnVisitStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    DONE = "done", _("Done")
    UNREACHABLE = "unreachable", _("Unreachable")


class VisitOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Reached: satisfied")
    REACHED = "reached", _("Reached: no complaint, not fully satisfied")
    PERSISTS = "persists", _("Reached: problem persists (reopens the complaint)")
    NOT_REACHED = "not_reached", _("Not reached (call again)")


class ReturnVisit(models.Model):
    """A follow-up call (回访) to the customer of a closed complaint, due a few working days after
    closure and assigned to an agent of the ticket's team (not the one who handled it, where the
    team has someone else). One per closing of a ticket: a complaint reopened and closed again gets
    a new one. "Problem persists" reopens the complaint; four unanswered calls (the first and three
    retries) end it as unreachable."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="return_visits"
    )
    closed_at = models.DateTimeField(_("complaint closed"))
    team = models.ForeignKey(
        "org.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="return_visits",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnVisitStatus.choices, default=ReturnVisitStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("calls made"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=VisitOutcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    reopened = models.BooleanField(_("reopened the complaint"), default=False)
    created_at = models.DateTimeField(_("scheduled"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "closed_at"], name="feedback_return_visit_once_per_closing")
        ]
        indexes = [
            models.Index(fields=["agent", "status", "due_on"], name="feedback_rv_agent_idx"),
            models.Index(fields=["status", "due_on", "id"], name="feedback_rv_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.due_on}"


class ReturnVisitAttempt(models.Model):
    """One call of a return visit and what came of it."""

    visit = models.ForeignKey(
        ReturnVisit, verbose_name=_("return visit"), on_delete=models.CASCADE, related_name="calls"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("called"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=VisitOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("return-visit call")
        verbose_name_plural = _("return-visit calls")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.outcome}"


class ReturnVisitCursor(models.Model):
    """Where the return-visit scheduler got to: complaints closed before ``scanned_to`` have been
    looked at (one row, pk 1)."""

    scanned_to = models.DateTimeField()

    class Meta:
        verbose_name = _("return-visit scheduler position")

    def __str__(self) -> str:
        return f"{self.scanned_to:%Y-%m-%d %H:%M}"


# --- mystery shoppers ----------------------------------------------------------------------------------


class MysteryChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Visit (service hall)")
    PHONE = "phone", _("Phone call")
    CHAT = "chat", _("Live chat")
    WEB = "web", _("Web portal")
    EMAIL = "email", _("E-mail")


class MysteryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


SCORE_FIELDS = ("attitude", "professionalism", "timeliness", "environment", "sop")


def _score(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(5)])


class MysteryVisit(models.Model):
    """A mystery shopper's (服务体验官) scorecard of one service encounter, a visit or a call:
    attitude, professionalism, timeliness, environment and compliance with the SOP, 1–5 each with
    a comment, and evidence files. A quality manager reviews it (accepts or rejects it, with a
    note); mystery shoppers see only their own visits."""

    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mystery shopper"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=MysteryChannel.choices)
    team = models.ForeignKey(
        "org.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.CharField(_("place or number"), max_length=200, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member served by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visited_at = models.DateTimeField(_("date and time"))
    scenario = models.TextField(_("scenario"))
    attitude = _score(_("attitude"))
    attitude_comment = models.TextField(_("comment on attitude"), blank=True)
    professionalism = _score(_("professionalism"))
    professionalism_comment = models.TextField(_("comment on professionalism"), blank=True)
    timeliness = _score(_("timeliness"))
    timeliness_comment = models.TextField(_("comment on timeliness"), blank=True)
    environment = _score(_("environment"))
    environment_comment = models.TextField(_("comment on environment"), blank=True)
    sop = _score(_("compliance with the SOP"))
    sop_comment = models.TextField(_("comment on SOP compliance"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MysteryStatus.choices, default=MysteryStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("submitted"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("mystery-shopper visit")
        verbose_name_plural = _("mystery-shopper visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(attitude__gte=1, attitude__lte=5)
                & Q(professionalism__gte=1, professionalism__lte=5)
                & Q(timeliness__gte=1, timeliness__lte=5)
                & Q(environment__gte=1, environment__lte=5)
                & Q(sop__gte=1, sop__lte=5),
                name="feedback_mystery_scores_range",
            ),
        ]
        indexes = [
            models.Index(fields=["shopper", "visited_at"], name="feedback_mystery_shopper_idx"),
            models.Index(fields=["visited_at", "id"], name="feedback_mystery_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.visited_at:%Y-%m-%d}"

    @property
    def total(self) -> int:
        """Sum of the five scores (5–25)."""
        return sum(int(getattr(self, name)) for name in SCORE_FIELDS)

    @property
    def percent(self) -> Decimal:
        """The total as a share of 25, in per cent with one decimal."""
        return (Decimal(self.total * 100) / 25).quantize(Decimal("0.1"))


def evidence_path(instance: MysteryEvidence, filename: str) -> str:
    return f"mystery/{instance.sha256[:2]}/{instance.sha256}"


class MysteryEvidence(models.Model):
    """A photo, audio recording or PDF backing a mystery-shopper visit; size- and type-checked,
    stored under its SHA-256 in the data directory like ticket attachments."""

    visit = models.ForeignKey(MysteryVisit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("mystery-shopper evidence")
        verbose_name_plural = _("mystery-shopper evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
