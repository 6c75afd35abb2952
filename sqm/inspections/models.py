"""Quality inspection (质检, DESIGN.md §2.6): scorecards, sampling plans drawn double-random,
inspections with per-item answers, appeals, calibration sessions and the training needs that
failed items propose.

A scorecard version is edited only while it is a draft; publishing freezes it and supersedes the
version before it, so an inspection always points at the exact criteria it was scored against.
An inspection's answers are kept per *stage*: the inspector's answers are never changed; an
appeal decision that changes anything writes a second, complete set (stage ``appeal``), so the
original and the decision both stay in the record.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _localised(obj: object, field: str) -> str:
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    return (en or zh) if (get_language() or "").startswith("en") else (zh or en)


# --- scorecards ------------------------------------------------------------------------------------


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    EFFECTIVE = "effective", _("Effective")
    SUPERSEDED = "superseded", _("Superseded")


class Scorecard(models.Model):
    """One version of a QA scorecard (评分表), e.g. ``QA-DEFAULT`` v2.

    Versions of one ``code`` follow draft → effective → superseded like service standards: only a
    draft is edited; publishing checks that the item weights add up to 100 and makes it the
    version in force from ``effective_from``; the version before it gets ``effective_until``.
    """

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    change_note = models.TextField(_("what changed and why"), blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="inspections_scorecard_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="draft"), name="inspections_scorecard_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def is_editable(self) -> bool:
        return self.status == ScorecardStatus.DRAFT


class ScorecardSection(models.Model):
    """A section of a scorecard (e.g. 服务态度 · service attitude) grouping its items."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("scorecard section")
        verbose_name_plural = _("scorecard sections")
        ordering = ["scorecard", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


class ScorecardItem(models.Model):
    """One criterion of a scorecard: its weight (the item weights of a version add up to 100), the
    points scale it is scored on (0 … ``max_points``) and guidance for inspectors.

    A *critical* item (e.g. 泄露客户信息 · disclosed customer data) is scored pass/fail
    (``max_points`` = 1); failing it fails the whole inspection (score 0).
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ScorecardSection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_zh = models.CharField(_("criterion (Chinese)"), max_length=200)
    text_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    guidance_zh = models.TextField(_("guidance (Chinese)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    critical = models.BooleanField(
        _("critical"), default=False, help_text=_("Failing a critical item fails the whole inspection.")
    )
    max_points = models.PositiveSmallIntegerField(
        _("points scale (0 to)"), default=4, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["scorecard", "section__position", "section_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="inspections_item_weight_range"),
            models.CheckConstraint(
                condition=Q(max_points__gte=1, max_points__lte=10), name="inspections_item_points_range"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _localised(self, "text")

    @property
    def guidance(self) -> str:
        return _localised(self, "guidance")


# --- sampling plans ----------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", _("Drawn")
    CLOSED = "closed", _("Closed")


class SamplingPlan(models.Model):
    """What to inspect for one period (a month by default): at least ``rate`` of the tickets each
    agent handled, per ticket type (every agent with handled tickets gets at least one), plus
    every complaint and every low rating.

    Drawing it (``services.plan_draw``) picks the tickets *and* their inspectors at random from a
    recorded ``seed``. ``inputs`` holds exactly what the draw saw (candidates and inspectors) and
    ``result`` what it produced, with SHA-256 digests of both, so anyone can re-run the draw from
    the seed and compare (``selectors.plan_verify``).
    """

    name = models.CharField(_("name"), max_length=120)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    rate = models.DecimalField(
        _("sampling rate"),
        max_digits=5,
        decimal_places=4,
        default=0.2,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of each agent's handled tickets per ticket type, e.g. 0.2 for 20 %."),
    )
    include_complaints = models.BooleanField(_("every complaint"), default=True)
    include_low_ratings = models.BooleanField(_("every low rating"), default=True)
    low_rating_max = models.PositiveSmallIntegerField(
        _("low rating: at most"), default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    population = models.PositiveIntegerField(_("handled tickets"), default=0)
    sampled = models.PositiveIntegerField(_("sampled tickets"), default=0)
    inputs = models.JSONField(default=dict, blank=True)
    inputs_digest = models.CharField(max_length=64, blank=True)
    result = models.JSONField(default=list, blank=True)
    result_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="inspections_plan_period_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="inspections_plan_period_order"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0, rate__lte=1), name="inspections_plan_rate_range"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanStratum(models.Model):
    """One stratum of a drawn plan: an agent and a ticket type, with how many tickets they handled
    in the period, the quota the rate asks for and how many were drawn (the achieved rate)."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="strata")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket_type = models.CharField(_("ticket type"), max_length=16)
    handled = models.PositiveIntegerField(_("handled"))
    quota = models.PositiveIntegerField(_("quota"))
    sampled = models.PositiveIntegerField(_("sampled"))

    class Meta:
        verbose_name = _("plan stratum")
        verbose_name_plural = _("plan strata")
        ordering = ["plan", "agent_id", "ticket_type"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agent", "ticket_type"], name="inspections_stratum_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.agent_id} {self.ticket_type} {self.sampled}/{self.handled}"


# --- inspections -------------------------------------------------------------------------------------


class InspectionStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    APPEALED = "appealed", _("Appealed")
    FINAL = "final", _("Final")


OPEN_STATUSES = (InspectionStatus.ASSIGNED, InspectionStatus.IN_PROGRESS)
RESULT_STATUSES = (InspectionStatus.SUBMITTED, InspectionStatus.APPEALED, InspectionStatus.FINAL)


class SampleReason(models.TextChoices):
    RANDOM = "random", _("Random sample")
    COMPLAINT = "complaint", _("Complaint (always inspected)")
    LOW_RATING = "low_rating", _("Low customer rating (always inspected)")
    CALIBRATION = "calibration", _("Calibration")


class Inspection(models.Model):
    """One inspector's scoring of one handled ticket against one scorecard version.

    assigned → in progress (answers saved) → submitted (score computed; the agent may appeal until
    ``appeal_deadline``) → appealed → final (decision made), or submitted → final when the agent
    accepts or the deadline passes. Calibration inspections (``calibration`` set) are practice on
    the same tickets by several inspectors: they never count as results, KPIs or training needs.
    """

    plan = models.ForeignKey(SamplingPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections")
    calibration = models.ForeignKey(
        "inspections.CalibrationSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inspections",
    )
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="qa_inspections"
    )
    team = models.ForeignKey(
        "org.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="qa_assignments"
    )
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("why sampled"), max_length=12, choices=SampleReason.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.ASSIGNED
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    failed_critical = models.BooleanField(_("failed a critical item"), default=False)
    original_score = models.DecimalField(_("score as submitted"), max_digits=5, decimal_places=2, null=True, blank=True)
    original_failed_critical = models.BooleanField(default=False)
    summary = models.TextField(_("overall comment"), blank=True)
    assigned_at = models.DateTimeField(_("assigned"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    appeal_deadline = models.DateTimeField(_("appeal until"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("final since"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(calibration__isnull=True), name="inspections_one_per_ticket"
            ),
            models.UniqueConstraint(
                fields=["calibration", "ticket", "inspector"],
                condition=Q(calibration__isnull=False),
                name="inspections_calibration_unique",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="inspections_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["inspector", "status", "id"], name="inspection_inspector_idx"),
            models.Index(fields=["agent", "status", "id"], name="inspection_agent_idx"),
            models.Index(fields=["team", "status", "id"], name="inspection_team_idx"),
            models.Index(fields=["plan", "status"], name="inspection_plan_idx"),
            models.Index(fields=["status", "appeal_deadline"], name="inspection_deadline_idx"),
            models.Index(fields=["finalised_at", "id"], name="inspection_final_idx"),
        ]

    def __str__(self) -> str:
        return f"QA-{self.pk}"

    @property
    def is_calibration(self) -> bool:
        return self.calibration_id is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_result(self) -> bool:
        return self.status in RESULT_STATUSES


class AnswerStage(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    APPEAL = "appeal", _("Appeal decision")


class InspectionAnswer(models.Model):
    """The score of one scorecard item in one inspection, with a comment and evidence: ids of
    messages of the ticket's thread. ``points`` is empty when the item did not apply (N/A).

    ``stage`` keeps the inspector's answers apart from those an appeal decision set, so both stay.
    """

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ScorecardItem, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=10, choices=AnswerStage.choices, default=AnswerStage.INSPECTOR)
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.JSONField(_("evidence (message ids)"), default=list, blank=True)

    class Meta:
        verbose_name = _("inspection answer")
        verbose_name_plural = _("inspection answers")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item", "stage"], name="inspections_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}/{self.stage}: {self.points}"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """The inspected agent's appeal (申诉) against a result, and a second inspector's decision.

    The score as submitted and the score after the decision are both kept; the item answers the
    decision changed are an ``appeal`` stage of the inspection's answers.
    """

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, related_name="appeal")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    filed_at = models.DateTimeField(_("filed"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=AppealOutcome.choices, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    original_score = models.DecimalField(_("score before"), max_digits=5, decimal_places=2)
    original_failed_critical = models.BooleanField(default=False)
    revised_score = models.DecimalField(_("score after"), max_digits=5, decimal_places=2, null=True, blank=True)
    revised_failed_critical = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["decided_at", "filed_at"], name="appeal_pending_idx")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.outcome or 'pending'}"

    @property
    def is_pending(self) -> bool:
        return self.decided_at is None


# --- calibration ---------------------------------------------------------------------------------------


class CalibrationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CalibrationSession(models.Model):
    """Several inspectors score the same tickets with the same scorecard, so their spread and
    agreement (Krippendorff's alpha) show who scores differently and needs coaching."""

    name = models.CharField(_("name"), max_length=120)
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CalibrationStatus.choices, default=CalibrationStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


# --- training needs --------------------------------------------------------------------------------------


class TrainingNeedStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    DISMISSED = "dismissed", _("Dismissed")


class TrainingNeed(models.Model):
    """A training need an inspection proposed: the agent scored below half on a scorecard item (or
    failed a critical one). Recorded now; the training app will plan courses from these rows."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_needs")
    item = models.ForeignKey(
        ScorecardItem, verbose_name=_("scorecard item"), on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="training_needs")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TrainingNeedStatus.choices, default=TrainingNeedStatus.PROPOSED
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspections_training_need_unique")]
        indexes = [models.Index(fields=["agent", "status"], name="training_need_agent_idx")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.item_id} {self.status}"
