"""KPI facts and rollups, tiered alerts and the contingency-plan library (DESIGN.md §2.4).

**Facts** are what each source record (a ticket, a rating) contributes to each KPI: integer
numerator and denominator, the local day it is attributed to and the dimensions it is counted
under. A source's facts are recomputed whenever it changes and *replaced*; the difference between
old and new facts is added to the **rollups** (one row per grain × period × dimension × key ×
KPI). So rollups stay equal to a recomputation from facts, late and corrected events included,
and a dashboard reads a handful of rollup rows instead of rescanning tickets. Drill-down from a
rollup cell to its tickets reads the facts.

**Alerts** are raised by rules (thresholds of standards' indicators, week-on-week complaint
growth, surges, major incidents, p-chart limits) and go open → acknowledged → plan submitted →
verified → closed; ``condition_key`` de-duplicates: one open alert per condition.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sqm.standards.catalogue import KpiCode


class Grain(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class Dimension(models.TextChoices):
    CENTRE = "centre", _("Centre")
    TEAM = "team", _("Team")
    AGENT = "agent", _("Agent")
    CHANNEL = "channel", _("Channel")
    TYPE = "type", _("Ticket type")
    CATEGORY = "category", _("Category")


class FactSource(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    RATING = "rating", _("Rating")


class KpiFact(models.Model):
    """One source record's contribution to one KPI on one day (integers: counts, seconds, points)."""

    source = models.CharField(max_length=10, choices=FactSource.choices)
    source_id = models.BigIntegerField()
    metric = models.CharField(max_length=40, choices=KpiCode.choices)
    day = models.DateField()
    ticket_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    agent_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    ticket_type = models.CharField(max_length=16, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    num = models.BigIntegerField()
    den = models.BigIntegerField()

    class Meta:
        verbose_name = _("KPI fact")
        verbose_name_plural = _("KPI facts")
        indexes = [
            models.Index(fields=["source", "source_id"], name="kpifact_source_idx"),
            models.Index(fields=["metric", "day"], name="kpifact_metric_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} {self.metric} {self.day} {self.num}/{self.den}"


class KpiRollup(models.Model):
    """Sum of facts for one KPI in one period and one slice (``key`` is '' for the centre, else
    the team/agent/category id or the channel/type code)."""

    grain = models.CharField(max_length=5, choices=Grain.choices)
    period_start = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=40, blank=True)
    metric = models.CharField(max_length=40, choices=KpiCode.choices)
    num = models.BigIntegerField(default=0)
    den = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("KPI rollup")
        verbose_name_plural = _("KPI rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period_start", "dimension", "key", "metric"], name="kpirollup_cell_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "grain", "dimension", "period_start"], name="kpirollup_series_idx"),
            models.Index(fields=["grain", "period_start", "dimension"], name="kpirollup_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.period_start} {self.dimension}:{self.key} {self.metric} {self.num}/{self.den}"


class KpiCursor(models.Model):
    """How far the incremental refresh has read a change stream (by time and id), so each run
    picks up only what changed since; ``name`` is e.g. ``tickets`` or ``ratings``.

    Streams are re-read with a safety overlap (commits that land late); ``recent`` remembers
    what was already refreshed inside that overlap, so nothing is refreshed twice."""

    name = models.CharField(max_length=30, unique=True)
    position = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    recent = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("KPI refresh cursor")
        verbose_name_plural = _("KPI refresh cursors")

    def __str__(self) -> str:
        return self.name


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


ALERT_LEVEL_RANK = {AlertLevel.YELLOW: 1, AlertLevel.ORANGE: 2, AlertLevel.RED: 3}


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Indicator crosses its standard's thresholds")
    COMPLAINT_GROWTH = "complaint_growth", _("Complaints up week on week")
    CATEGORY_SURGE = "category_surge", _("Complaint surge on one category")
    GROUP_COMPLAINTS = "group_complaints", _("Several complaints from one group of customers")
    MAJOR_INCIDENT = "major_incident", _("Major incident")
    P_CHART = "p_chart", _("Outside p-chart control limits")


class AlertRule(models.Model):
    """A configurable rule that raises alerts. ``params`` holds the rule's own settings (e.g.
    ``{"growth": "0.30", "min_count": 10}``); threshold rules read the thresholds of the
    indicator version in force, so changing a standard changes the rule."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    level = models.CharField(
        _("level"),
        max_length=6,
        choices=AlertLevel.choices,
        blank=True,
        help_text=_("Fixed level; blank for threshold rules, whose level comes from the thresholds."),
    )
    standard = models.ForeignKey(
        "standards.Standard",
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    indicator_code = models.CharField(_("indicator"), max_length=40, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    plan_due_days = models.PositiveSmallIntegerField(_("rectification plan due within (days)"), default=3)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PLAN_SUBMITTED = "plan_submitted", _("Rectification plan submitted")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")


class ContingencyScenario(models.TextChoices):
    RESOURCE_SHORTAGE = "resource_shortage", _("Resource shortage")
    SYSTEM_OUTAGE = "system_outage", _("System outage")
    MASS_COMPLAINTS = "mass_complaints", _("Mass complaints")
    PUBLIC_OPINION = "public_opinion", _("Public-opinion incident")
    OTHER = "other", _("Other")


class ContingencyPlan(models.Model):
    """An emergency plan (应急预案) the quality manager maintains; red alerts link the one for their scenario."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    scenario = models.CharField(_("scenario"), max_length=20, choices=ContingencyScenario.choices)
    title_zh = models.CharField(_("Chinese title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    body_zh = models.TextField(_("plan (Chinese)"))
    body_en = models.TextField(_("plan (English)"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("contingency plan")
        verbose_name_plural = _("contingency plans")
        ordering = ["scenario", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "").startswith("en") and self.title_en else self.title_zh

    @property
    def body(self) -> str:
        return self.body_en if (get_language() or "").startswith("en") and self.body_en else self.body_zh


class ContingencyDrill(models.Model):
    """A recorded exercise of a contingency plan: when, who took part, what was found."""

    plan = models.ForeignKey(ContingencyPlan, on_delete=models.PROTECT, related_name="drills")
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participants"))
    findings = models.TextField(_("findings"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("contingency drill")
        verbose_name_plural = _("contingency drills")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.held_on}"


class Alert(models.Model):
    """A raised alert and its rectification: who owns it, the plan and its due date, who
    verified it. ``escalation_level`` counts how many times an overdue plan went one level up."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    level = models.CharField(_("level"), max_length=6, choices=AlertLevel.choices)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    condition_key = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=300)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    dimension = models.CharField(_("scope"), max_length=10, choices=Dimension.choices, default=Dimension.CENTRE)
    key = models.CharField(_("scope value"), max_length=40, blank=True)
    period_start = models.DateField(_("period"), null=True, blank=True)
    standard_version = models.ForeignKey(
        "standards.StandardVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_alerts",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    plan_due_at = models.DateTimeField(_("plan due"), null=True, blank=True)
    plan = models.TextField(_("rectification plan"), blank=True)
    plan_submitted_at = models.DateTimeField(_("plan submitted"), null=True, blank=True)
    plan_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("plan written by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Whoever wrote the plan may not verify it (separation of duties)."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_note = models.TextField(_("verification"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    task_force = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("task force"), blank=True, related_name="alert_task_forces"
    )
    contingency_plan = models.ForeignKey(
        ContingencyPlan,
        verbose_name=_("contingency plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition_key"], condition=~Q(status="closed"), name="kpis_alert_one_open_per_condition"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "raised_at"], name="kpis_alert_status_idx"),
            models.Index(
                fields=["plan_due_at"], condition=Q(plan_submitted_at__isnull=True), name="kpis_alert_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the reader's language: rule alerts are described afresh from their evidence."""
        from sqm.kpis.alerting import alert_title

        return alert_title(self)


class AlertEvent(models.Model):
    """One step of an alert's life (raised, acknowledged, plan submitted, escalated, verified, closed, reopened)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"
