"""Intake: one way in for every channel (portal, e-mail, API, phone, walk-in), idempotent."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import diff, snapshot
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.org.models import User
from sqm.tickets.models import (
    PRIORITY_RANK,
    Category,
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Ticket,
    TicketMessage,
    TicketType,
)
from sqm.tickets.services import process
from sqm.tickets.services.attachments import IncomingFile, check_files, store_files
from sqm.tickets.services.common import TICKET_AUDIT_FIELDS, audit, clean_text, event, is_customer

CUSTOMER_CHANNELS = {Channel.WEB, Channel.API, Channel.QR}
AGENT_LOGGED_CHANNELS = {Channel.PHONE, Channel.WALK_IN, Channel.CHAT}
LANGUAGES = ("zh", "en", "yue")


def _check_choice(value: str, choices: Any, field: str) -> None:
    if value not in choices.values:
        raise DomainError(
            _("“%(value)s” is not one of the allowed choices.") % {"value": value}, field=field, code="invalid_choice"
        )


def _check_actor(actor: Any, customer: User, channel: str) -> None:
    """Customers open their own tickets online; staff log contacts for customers."""
    if is_customer(actor):
        if actor.pk != customer.pk:
            raise PermissionDeniedError()
        if channel not in CUSTOMER_CHANNELS:
            raise DomainError(_("Customers open tickets through the portal or the API."), field="channel")
        return
    if not can(actor, Cap.TICKET_WORK) and getattr(actor, "pk", None) is not None:
        raise PermissionDeniedError()
    if customer.role != Role.CUSTOMER or not customer.is_active:
        raise DomainError(_("Choose an active customer."), field="customer")


@transaction.atomic
def ticket_create(
    *,
    actor: Any,
    customer: User,
    type: str,
    subject: str,
    channel: str,
    description: str = "",
    priority: str = Priority.NORMAL,
    category: Category | None = None,
    language: str = "zh",
    attachments: list[IncomingFile] | None = None,
    idempotency_key: str | None = None,
    email_message_id: str | None = None,
) -> tuple[Ticket, bool]:
    """Open a ticket from any channel. Returns ``(ticket, created)``.

    The same ``idempotency_key`` from the same actor, or the same e-mail Message-ID, returns the
    ticket made the first time instead of a second one, even when two requests race.
    ``actor=None`` means the system itself (e-mail intake).
    """
    _check_actor(actor, customer, channel)
    existing = _existing(actor, idempotency_key, email_message_id)
    if existing is not None:
        return existing, False
    _check_choice(type, TicketType, "type")
    _check_choice(channel, Channel, "channel")
    _check_choice(priority, Priority, "priority")
    if language not in LANGUAGES:
        raise DomainError(_("Choose zh, en or yue."), field="language", code="invalid_choice")
    if category is not None and not category.is_active:
        raise DomainError(_("This category is no longer in use."), field="category")
    subject = clean_text(subject, "subject", 200)
    description = clean_text(description, "description", 20000, required=False)
    checked = check_files(list(attachments or []))
    if idempotency_key is not None:
        idempotency_key = clean_text(idempotency_key, "Idempotency-Key", 100)
    try:
        with transaction.atomic():
            ticket = _insert(
                actor, customer, type, subject, description, channel, priority, category, language, idempotency_key
            )
            message = TicketMessage.objects.create(
                ticket=ticket,
                kind=MessageKind.CUSTOMER,
                author=customer,
                body=description or subject,
                email_message_id=email_message_id,
                created_at=ticket.created_at,
            )
    except IntegrityError:
        existing = _existing(actor, idempotency_key, email_message_id)
        if existing is None:
            raise
        return existing, False
    store_files(message, checked)
    event(ticket, EventKind.CREATED, actor, channel=channel, type=type, priority=priority)
    audit(actor, "create", ticket, diff(None, snapshot(ticket, TICKET_AUDIT_FIELDS)))
    process.start(ticket, actor)
    _route(actor, ticket)
    return ticket, True


def _insert(
    actor: Any,
    customer: User,
    type: str,
    subject: str,
    description: str,
    channel: str,
    priority: str,
    category: Category | None,
    language: str,
    idempotency_key: str | None,
) -> Ticket:
    now = timezone.now()
    return Ticket.objects.create(
        type=type,
        subject=subject,
        description=description,
        channel=channel,
        priority=priority,
        priority_rank=PRIORITY_RANK[Priority(priority)],
        category=category,
        language=language,
        customer=customer,
        created_by=actor if getattr(actor, "pk", None) else customer,
        idempotency_key=idempotency_key,
        created_at=now,
        updated_at=now,
    )


def _existing(actor: Any, idempotency_key: str | None, email_message_id: str | None) -> Ticket | None:
    if email_message_id:
        message = TicketMessage.objects.select_related("ticket").filter(email_message_id=email_message_id).first()
        if message is not None:
            return message.ticket
    if idempotency_key and getattr(actor, "pk", None):
        return Ticket.objects.filter(created_by=actor, idempotency_key=idempotency_key.strip()).first()
    return None


def _route(actor: Any, ticket: Ticket) -> None:
    """A contact logged by an agent stays with that agent; everything else is assigned automatically."""
    from sqm.tickets.services import assignment

    if ticket.channel in AGENT_LOGGED_CHANNELS and getattr(actor, "role", None) == Role.AGENT:
        assignment.assign_to(actor=actor, ticket=ticket, agent=actor, reason="logged")
        return
    transaction.on_commit(lambda: assignment.queue_auto_assign(ticket.pk))
