"""The service-standards library (DESIGN.md §2.1): standards in six categories, their versions,
clauses (some published as SOP pages), measurable indicators with alert thresholds, SLA terms
(the process standards that drive ticket SLA policies) and change proposals.

A version is edited only while it is a draft. Once effective it is frozen; the next change is a
new version, and superseding sets ``effective_until`` so that the version in force on any day is
one query (see ``selectors.version_in_force``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sqm.standards.catalogue import Direction, KpiCode


def _localised(obj: object, field: str) -> str:
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    return (en or zh) if (get_language() or "").startswith("en") else (zh or en)


class StandardCategory(models.TextChoices):
    QUALITY = "quality", _("Service quality")
    PROCESS = "process", _("Service process")
    STAFF = "staff", _("Service staff")
    ENVIRONMENT = "environment", _("Service environment")
    COMMUNICATION = "communication", _("Communication")
    SAFETY = "safety", _("Safety")


class Standard(models.Model):
    """A service standard (e.g. 投诉处理标准): the stable identity its versions share."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=StandardCategory.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_retired = models.BooleanField(_("retired"), default=False)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return _localised(self, "name")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    EFFECTIVE = "effective", _("Effective")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected")


class StandardVersion(models.Model):
    """One version of a standard: draft → in review → approved → effective (from a date) → superseded.

    Approved versions become effective on ``effective_from`` (a periodic task, or at once when
    the date has come); the version they replace gets ``effective_until`` = that date.
    """

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    title_zh = models.CharField(_("Chinese title"), max_length=200, blank=True)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    purpose_zh = models.TextField(_("purpose (Chinese)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    change_note = models.TextField(_("what changed and why"), blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    proposal = models.ForeignKey(
        "standards.ChangeProposal",
        verbose_name=_("from proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        ordering = ["standard", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="standards_version_number_unique"),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status__in=["draft", "in_review"]),
                name="standards_one_open_version",
            ),
        ]
        indexes = [models.Index(fields=["standard", "status", "effective_from"], name="standards_version_force_idx")]

    def __str__(self) -> str:
        return f"{self.standard.code} v{self.number}"

    @property
    def title(self) -> str:
        return _localised(self, "title") or self.standard.name

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class SopKind(models.TextChoices):
    NONE = "", _("Not an SOP")
    STEPS = "steps", _("Process steps")
    SCRIPT = "script", _("Script")
    PHRASING = "phrasing", _("Polite phrasing")


class Clause(models.Model):
    """A numbered clause of a standard version; clauses staff must follow can be published as an SOP page."""

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(_("clause number"), max_length=20)
    position = models.PositiveIntegerField(default=0)
    title_zh = models.CharField(_("Chinese title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    sop_kind = models.CharField(_("SOP kind"), max_length=10, choices=SopKind.choices, blank=True, default="")
    ticket_types = models.JSONField(
        _("ticket types it applies to"),
        default=list,
        blank=True,
        help_text=_("An SOP is linked from the screen of tickets of these types; empty: every ticket."),
    )

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["version", "position", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="standards_clause_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def title(self) -> str:
        return _localised(self, "title")

    @property
    def body(self) -> str:
        return _localised(self, "body")


class ScopeDimension(models.TextChoices):
    CENTRE = "centre", _("Whole centre")
    TEAM = "team", _("Team")
    CHANNEL = "channel", _("Channel")
    TYPE = "type", _("Ticket type")


class Indicator(models.Model):
    """A measurable indicator of a standard version: the KPI it reads, its target and its
    yellow/orange/red thresholds (each at least as bad as the one before, in the indicator's
    direction), its weight in evaluations and the scope it is judged on.

    ``review_margin`` and ``review_periods`` drive automatic review proposals: beating the
    target by the margin (a fraction of the target) for that many consecutive periods proposes
    raising the bar; missing it for that many periods proposes an investigation.
    """

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    position = models.PositiveIntegerField(default=0)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    kpi = models.CharField(_("KPI it reads"), max_length=40, choices=KpiCode.choices)
    unit = models.CharField(_("unit"), max_length=30)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=4)
    yellow = models.DecimalField(_("yellow threshold"), max_digits=12, decimal_places=4)
    orange = models.DecimalField(_("orange threshold"), max_digits=12, decimal_places=4)
    red = models.DecimalField(_("red threshold"), max_digits=12, decimal_places=4)
    weight = models.DecimalField(_("weight (%)"), max_digits=6, decimal_places=2)
    scope = models.CharField(_("scope"), max_length=10, choices=ScopeDimension.choices, default=ScopeDimension.CENTRE)
    scope_key = models.CharField(
        _("scope value"), max_length=40, blank=True, help_text=_("Team code, channel or ticket type; blank: each one.")
    )
    min_volume = models.PositiveIntegerField(
        _("minimum volume"), default=30, help_text=_("Periods with fewer cases than this are not judged.")
    )
    review_margin = models.DecimalField(_("review margin"), max_digits=5, decimal_places=3, default="0.100")
    review_periods = models.PositiveSmallIntegerField(_("review after consecutive periods"), default=3)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["version", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="standards_indicator_code_unique")]
        indexes = [models.Index(fields=["kpi"], name="standards_indicator_kpi_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def unit_label(self) -> str:
        """The unit in the reader's language (units of the KPI catalogue are stored as their English msgid)."""
        from django.utils.translation import gettext

        return gettext(self.unit) if self.unit else ""


class SlaTerm(models.Model):
    """An SLA promise of a process standard (e.g. complaints: respond in 1 h, resolve in 24 h).

    When the version becomes effective, each term becomes a version of the ticket SLA policy
    ``policy_code`` with the same effective date, so ticket clocks run under the standard.
    """

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="sla_terms")
    policy_code = models.CharField(_("SLA policy code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    ticket_type = models.CharField(_("ticket type"), max_length=16, blank=True)
    priority = models.CharField(_("priority"), max_length=8, blank=True)
    tier = models.CharField(_("customer tier"), max_length=20, blank=True)
    response_minutes = models.PositiveIntegerField(_("first response target (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (business minutes)"))
    warn_fraction = models.DecimalField(_("warn at fraction of target"), max_digits=4, decimal_places=2, default="0.75")
    escalate_after_minutes = models.PositiveIntegerField(
        _("escalate to the quality manager after (business minutes past breach)"), default=60
    )
    calendar = models.ForeignKey(
        "tickets.WorkCalendar",
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    policy = models.ForeignKey(
        "tickets.SlaPolicy",
        verbose_name=_("SLA policy version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Set when the standard version is approved: the policy version takes effect on the same date."),
    )

    class Meta:
        verbose_name = _("SLA term")
        verbose_name_plural = _("SLA terms")
        constraints = [
            models.UniqueConstraint(fields=["version", "policy_code"], name="standards_slaterm_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_code} {self.response_minutes}/{self.resolution_minutes}"


class ProposalKind(models.TextChoices):
    CHANGE = "change", _("Change proposal")
    RAISE_BAR = "raise_bar", _("Raise the bar (target beaten)")
    INVESTIGATE = "investigate", _("Investigate (target missed)")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EvidenceKind(models.TextChoices):
    KPI_TREND = "kpi_trend", _("KPI trend")
    EVALUATION = "evaluation", _("Evaluation result")
    CUSTOMER_SUGGESTION = "customer_suggestion", _("Customer suggestions")
    CORRECTIVE_ACTION = "corrective_action", _("Corrective action")
    OTHER = "other", _("Other")


class ChangeProposal(models.Model):
    """A request to change a standard, citing its evidence; the quality manager approves it
    (which opens the next draft version) or rejects it. The system raises its own proposals
    (``is_automatic``) when an indicator beats or misses its target for N periods; at most one
    automatic proposal per indicator and kind is open at a time.
    """

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="proposals")
    base_version = models.ForeignKey(StandardVersion, on_delete=models.PROTECT, related_name="proposals")
    indicator_code = models.CharField(_("indicator"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ProposalKind.choices, default=ProposalKind.CHANGE)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    title = models.CharField(_("title"), max_length=200)
    rationale = models.TextField(_("rationale"))
    evidence = models.JSONField(
        _("evidence"), default=list, help_text=_("[{kind, reference, note}] — kind from EvidenceKind")
    )
    is_automatic = models.BooleanField(_("raised by the system"), default=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    result_version = models.ForeignKey(
        StandardVersion,
        verbose_name=_("resulting version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "indicator_code", "kind"],
                condition=Q(is_automatic=True, status="open"),
                name="standards_one_open_auto_proposal",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="standards_proposal_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def heading(self) -> str:
        """The title in the reader's language: system proposals are titled by kind and indicator."""
        if self.is_automatic:
            return f"{ProposalKind(self.kind).label} · {self.indicator_code}"
        return self.title
