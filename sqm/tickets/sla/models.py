"""SLA clocks: working calendars, versioned SLA policies, one clock per ticket and its events.

These models belong to the ``tickets`` app (``sqm/tickets/models.py`` imports them at its end).
The arithmetic lives in :mod:`sqm.tickets.sla.calendar` and :mod:`sqm.tickets.sla.clock`; the
writes in :mod:`sqm.tickets.sla.services` and :mod:`sqm.tickets.sla.sweep`.

A clock keeps the business time already spent in a form that survives any change of policy or
calendar: ``spent_before`` (active business time before ``base_at``, counted in earlier
calendars) plus the business time since ``base_at`` in the current calendar, minus
``paused_business`` (business time spent waiting since ``base_at``). Every alarm (warning,
due, escalation) is then ``calendar.add(base_at, offset - spent_before + paused_business)``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CalendarDay",
    "DayKind",
    "Notification",
    "PolicyStatus",
    "Risk",
    "SlaEvent",
    "SlaEventKind",
    "SlaPolicy",
    "SlaTarget",
    "TeamCalendar",
    "TicketClock",
    "WorkCalendar",
]


class WorkCalendar(models.Model):
    """Working time of the centre (or of a team, or for a policy): weekly hours plus special days.

    ``weekly_hours`` has seven entries, Monday first, each a list of ``["HH:MM", "HH:MM"]``
    intervals (``"24:00"`` ends at midnight); an empty list is a closed day.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    weekly_hours = models.JSONField(_("weekly hours"), default=list)
    is_24x7 = models.BooleanField(_("open 24×7"), default=False)
    is_default = models.BooleanField(
        _("centre default"),
        default=False,
        help_text=_("Tickets use this calendar unless a team or policy names another."),
    )
    version = models.PositiveIntegerField(default=1, help_text="bumped on every change; keys the in-process cache")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (closed)")
    MAKEUP = "makeup", _("Make-up working day (调休, open)")


class CalendarDay(models.Model):
    """A date that differs from the weekly hours: a holiday, or a weekend make-up working day."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"


class TeamCalendar(models.Model):
    """A team that works to its own calendar (e.g. a 24×7 night team)."""

    team = models.OneToOneField("org.Team", on_delete=models.CASCADE, related_name="sla_calendar")
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, related_name="teams")

    class Meta:
        verbose_name = _("team calendar")
        verbose_name_plural = _("team calendars")

    def __str__(self) -> str:
        return f"{self.team_id} → {self.calendar_id}"


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    EFFECTIVE = "effective", _("Effective")
    SUPERSEDED = "superseded", _("Superseded")


class SlaPolicy(models.Model):
    """One version of an SLA policy: the targets for the tickets it matches.

    Blank ``ticket_type``/``priority``/``tier`` match anything; the most specific effective
    policy in force on the ticket's day wins. Targets are business minutes on ``calendar``
    (blank: the team's or the centre's calendar).
    """

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    effective_from = models.DateField(_("effective from"))
    ticket_type = models.CharField(_("ticket type"), max_length=16, blank=True)
    priority = models.CharField(_("priority"), max_length=8, blank=True)
    tier = models.CharField(_("customer tier"), max_length=20, null=True, blank=True)
    response_minutes = models.PositiveIntegerField(_("first response target (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (business minutes)"))
    warn_fraction = models.FloatField(_("warn at fraction of target"), default=0.75)
    escalate_after_minutes = models.PositiveIntegerField(
        _("escalate to the quality manager after (business minutes past breach)"), default=60
    )
    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("calendar"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="sla_policy_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def applies_to(self) -> str:
        """``Complaint · Urgent``, with ``any`` for a blank criterion (in the reader's language)."""
        from sqm.org.models import CustomerTier
        from sqm.tickets.models import Priority, TicketType

        kind = TicketType(self.ticket_type).label if self.ticket_type else _("any type")
        priority = Priority(self.priority).label if self.priority else _("any priority")
        tier_label = CustomerTier(self.tier).label if self.tier in CustomerTier.values else self.tier
        tier = f" · {tier_label}" if self.tier else ""
        return f"{kind} · {priority}{tier}"


class SlaTarget(models.TextChoices):
    RESPONSE = "response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class Risk(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    WARNING = "warning", _("Warning")
    BREACHED = "breached", _("Breached")


class TicketClock(models.Model):
    """The SLA clock of one ticket: which policy version and calendar it runs under, what is
    spent and paused, the alarm times and which alarms have fired.

    ``next_check_at`` is the earliest alarm still to fire (NULL while paused or when nothing is
    left to fire); the sweep reads only rows whose ``next_check_at`` has passed, through a
    partial index, so its cost follows the tickets falling due, not the open ones.
    """

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clock")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="clocks")
    policy_pinned = models.BooleanField(default=False, help_text="set by hand: not re-matched on priority/type changes")
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, related_name="clocks")
    response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    warn_fraction = models.FloatField(default=0.75)
    escalate_after_minutes = models.PositiveIntegerField(default=60)
    started_at = models.DateTimeField()
    base_at = models.DateTimeField()
    spent_before = models.DurationField()
    paused_business = models.DurationField()
    paused_since = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=20, blank=True)
    response_met_at = models.DateTimeField(null=True, blank=True)
    resolution_met_at = models.DateTimeField(null=True, blank=True)
    warn_response_at = models.DateTimeField(null=True, blank=True)
    due_response_at = models.DateTimeField(null=True, blank=True)
    escalate_response_at = models.DateTimeField(null=True, blank=True)
    warn_resolution_at = models.DateTimeField(null=True, blank=True)
    due_resolution_at = models.DateTimeField(null=True, blank=True)
    escalate_resolution_at = models.DateTimeField(null=True, blank=True)
    response_warned = models.BooleanField(default=False)
    response_breached = models.BooleanField(default=False)
    response_escalated = models.BooleanField(default=False)
    resolution_warned = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    resolution_escalated = models.BooleanField(default=False)
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.ON_TRACK)
    next_check_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            models.Index(
                fields=["next_check_at"], condition=Q(next_check_at__isnull=False), name="sla_clock_next_check_idx"
            ),
            models.Index(fields=["risk"], name="sla_clock_risk_idx"),
            models.Index(
                fields=["calendar"], condition=Q(resolution_met_at__isnull=True), name="sla_clock_open_cal_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"clock of {self.ticket_id}"


class SlaEventKind(models.TextChoices):
    STARTED = "started", _("Clock started")
    PAUSED = "paused", _("Clock paused")
    RESUMED = "resumed", _("Clock resumed")
    WARNED = "warned", _("Warning")
    BREACHED = "breached", _("Breached")
    ESCALATED = "escalated", _("Escalated")
    MET = "met", _("Target met")
    RECOMPUTED = "recomputed", _("Due times recomputed")


class SlaEvent(models.Model):
    """Every change of a ticket's SLA clock, with its time: the raw material of SLA KPIs.

    The ticket's type, priority, team and agent at that moment are copied in, so compliance per
    agent, team, type and period is a plain ``GROUP BY`` over these rows. For ``met`` events
    ``on_time`` says whether the target was met by its due time.
    """

    # No single-column index: ``slaevent_ticket_idx`` (ticket, at, id) starts with it (migration 0012).
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_events", db_index=False)
    kind = models.CharField(_("event"), max_length=12, choices=SlaEventKind.choices)
    target = models.CharField(_("target"), max_length=12, choices=SlaTarget.choices, blank=True)
    at = models.DateTimeField(_("time"))
    on_time = models.BooleanField(null=True, blank=True)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ticket_type = models.CharField(max_length=16, blank=True)
    priority = models.CharField(max_length=8, blank=True)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        indexes = [
            models.Index(fields=["ticket", "at", "id"], name="slaevent_ticket_idx"),
            models.Index(fields=["kind", "target", "at"], name="slaevent_kpi_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.target}"


class Notification(models.Model):
    """A message to a staff member (SLA warning, breach, escalation), shown in the UI and mailed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sla_event = models.ForeignKey(SlaEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True, help_text="page to open; blank: the ticket's page")
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_status = models.CharField(max_length=8, default="pending")  # pending | sent | none
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["created_at"], condition=Q(email_status="pending"), name="notification_mail_pending_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sla_event", "user"], condition=Q(sla_event__isnull=False), name="notification_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
