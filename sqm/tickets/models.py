"""Tickets from every channel, their threads, process steps and history (DESIGN.md §2.2).

The SLA issue attaches to this model through the due-time fields on :class:`Ticket` and the
:class:`TicketEvent` stream; nothing here computes business time yet.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

NUMBER_PATTERN = re.compile(r"\bT(\d{8})\b")


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    FAULT = "fault", _("Fault / repair")
    PRAISE = "praise", _("Praise")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Channel(models.TextChoices):
    WEB = "web", _("Web portal")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    CHAT = "chat", _("Live chat")
    QR = "qr", _("QR-code rating")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket status", "New")
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    PENDING = "pending", pgettext_lazy("ticket status", "Waiting on customer")
    RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)


class Category(models.Model):
    """A node of the business category tree (e.g. 宽带 › 故障 › 断网); may require an agent skill."""

    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    skill = models.ForeignKey(
        "org.Skill",
        verbose_name=_("required skill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Ticket(models.Model):
    """One customer request, whatever channel it came by, from intake to closure."""

    type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    priority_rank = models.PositiveSmallIntegerField(default=2, help_text="0 urgent … 3 low; the queue sorts by it")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10, default="zh")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # No single-column indexes on these four: the composite indexes in Meta start with them, and
    # SQLite would otherwise pick the narrow index and sort a whole team's history (migration 0009).
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first-contact owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tickets",
        db_index=False,
        help_text=_("The first agent who handled a complaint; stays its owner until closure."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    current_step = models.ForeignKey(
        "tickets.ProcessStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Filled by the SLA clocks (next issue): the due times the queue sorts by.
    due_response_at = models.DateTimeField(_("response due"), null=True, blank=True)
    due_resolution_at = models.DateTimeField(_("resolution due"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="tickets_ticket_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="ticket_status_age_idx"),
            models.Index(fields=["status", "priority_rank", "created_at", "id"], name="ticket_status_prio_idx"),
            models.Index(fields=["assignee", "status", "created_at", "id"], name="ticket_assignee_idx"),
            models.Index(fields=["team", "status", "created_at", "id"], name="ticket_team_idx"),
            models.Index(fields=["customer", "created_at", "id"], name="ticket_customer_idx"),
            models.Index(fields=["owner", "status"], name="ticket_owner_idx"),
            # The queues' "soonest due" sorts (keyset on due time, id; NULLs last like the index).
            models.Index(fields=["status", "due_resolution_at", "id"], name="ticket_status_due_idx"),
            models.Index(fields=["status", "due_response_at", "id"], name="ticket_status_due_resp_idx"),
            # The KPI refresh reads tickets changed since its cursor.
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        """The number people quote: ``T`` and eight digits (also matched in e-mail subjects)."""
        return f"T{self.pk:08d}" if self.pk else ""

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer message")
    REPLY = "reply", _("Reply to customer")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System")


class TicketMessage(models.Model):
    """One message of a ticket's thread: from the customer, a reply to them, or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("message"))
    email_message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("time"))
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="ticketmessage_thread_idx")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.kind}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file sent with a message; stored under its SHA-256, size- and type-checked on the way in."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ASSIGNED = "assigned", _("Assigned")
    UNASSIGNED = "unassigned", _("Unassigned")
    STATUS = "status", _("Status changed")
    PRIORITY = "priority", _("Priority changed")
    TYPE = "type", _("Type changed")
    CATEGORY = "category", _("Category changed")
    TRANSFERRED = "transferred", _("Transferred to another team")
    OWNER = "owner", _("First-contact owner set")
    STEP_STARTED = "step_started", _("Process step started")
    STEP_COMPLETED = "step_completed", _("Process step completed")
    CHECKED = "checked", _("Control point ticked")
    REPLIED = "replied", _("Replied")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    NOTE = "note", _("Internal note")
    REOPENED = "reopened", _("Reopened")


class TicketEvent(models.Model):
    """Everything that happened to a ticket, in order, with its time: the history view and the
    raw material for SLA clocks and KPIs."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [
            models.Index(fields=["ticket", "at", "id"], name="ticketevent_ticket_idx"),
            models.Index(fields=["kind", "at"], name="ticketevent_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ProcessDefinition(models.Model):
    """The standard process (service blueprint) for one ticket type: its ordered steps."""

    ticket_type = models.CharField(_("ticket type"), max_length=16, choices=TicketType.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        ordering = ["ticket_type"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of a process, with its time limit; its control points must be ticked before it ends."""

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), null=True, blank=True)
    before_resolution = models.BooleanField(
        _("done before resolving"),
        default=True,
        help_text=_("Steps after resolution (e.g. the follow-up call) must be done before closing."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["definition", "order"]
        constraints = [models.UniqueConstraint(fields=["definition", "order"], name="tickets_step_order_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class ControlPoint(models.Model):
    """A key control point (关键控制点): a checklist item that must be ticked before its step ends."""

    step = models.ForeignKey(ProcessStep, on_delete=models.CASCADE, related_name="control_points")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("Chinese text"), max_length=200)
    text_en = models.CharField(_("English text"), max_length=200)

    class Meta:
        verbose_name = _("control point")
        verbose_name_plural = _("control points")
        ordering = ["step", "order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "").startswith("en") else self.text_zh


class StepProgress(models.Model):
    """Where a ticket stands in one step of its process: started, and completed or not."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="step_progress")
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "step"], name="tickets_stepprogress_unique")]

    def __str__(self) -> str:
        return f"{self.ticket_id} step {self.step_id} {'done' if self.completed_at else 'open'}"


class ControlCheck(models.Model):
    """A ticked control point on one ticket: who ticked it and when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checks")
    control_point = models.ForeignKey(ControlPoint, on_delete=models.PROTECT, related_name="+")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "control_point"], name="tickets_check_unique")]

    def __str__(self) -> str:
        return f"{self.ticket_id} ✓ {self.control_point_id}"


class CannedReply(models.Model):
    """A standard reply text agents insert and adapt (polite phrasing from the SOPs)."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=10, default="zh")
    ticket_type = models.CharField(_("ticket type"), max_length=16, choices=TicketType.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class AgentAvailability(models.Model):
    """Whether an agent is on shift and how many active tickets they hold, for assignment.

    ``load`` is kept in step with the agent's active tickets by the assignment services, in the
    same transaction, so assignment never counts over all tickets.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability")
    on_shift = models.BooleanField(_("on shift"), default=False)
    max_concurrent = models.PositiveSmallIntegerField(_("concurrent-ticket cap"), default=8)
    load = models.PositiveIntegerField(_("active tickets"), default=0)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agent availability")
        indexes = [models.Index(fields=["on_shift", "load"], name="availability_pick_idx")]

    def __str__(self) -> str:
        return f"{self.user} {'on' if self.on_shift else 'off'} {self.load}/{self.max_concurrent}"


class InboundStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DUPLICATE = "duplicate", _("Duplicate")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundEmail(models.Model):
    """Every e-mail that reached SQM, and what became of it; malformed mail is kept in quarantine."""

    message_id = models.CharField(max_length=255, db_index=True)
    sender = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=12, choices=InboundStatus.choices)
    error = models.TextField(blank=True)
    raw = models.BinaryField()
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.status} {self.message_id}"


from sqm.tickets.sla.models import *  # noqa: E402, F403  (SLA clock models, issue 4)
