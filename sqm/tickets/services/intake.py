"""Intake: one way in for every channel (portal, e-mail, API, phone, walk-in), idempotent."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import diff, snapshot
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.core.validation import check_choice
from sqm.org.models import User
from sqm.tickets.models import (
    PRIORITY_RANK,
    Category,
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketType,
)
from sqm.tickets.services import process
from sqm.tickets.services.attachments import IncomingFile, check_files, store_files
from sqm.tickets.services.common import TICKET_AUDIT_FIELDS, audit, clean_text, event, is_customer, require_cap
from sqm.tickets.sla import services as sla

CUSTOMER_CHANNELS = {Channel.WEB, Channel.API, Channel.QR}
AGENT_LOGGED_CHANNELS = {Channel.PHONE, Channel.WALK_IN, Channel.CHAT}
LANGUAGES = ("zh", "en", "yue")
PHONE_CHARS = frozenset("0123456789+-() ")


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
    fingerprint = (
        _fingerprint(customer, type, subject, description, channel, priority, category, language, attachments)
        if idempotency_key
        else ""
    )
    existing = _existing(actor, idempotency_key, email_message_id)
    if existing is not None:
        _same_request(existing, idempotency_key, fingerprint)
        return existing, False
    check_choice(type, TicketType, "type")
    check_choice(channel, Channel, "channel")
    check_choice(priority, Priority, "priority")
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
        _same_request(existing, idempotency_key, fingerprint)
        return existing, False
    store_files(message, checked)
    request = {"request": fingerprint} if idempotency_key else {}
    event(ticket, EventKind.CREATED, actor, channel=channel, type=type, priority=priority, **request)
    audit(actor, "create", ticket, diff(None, snapshot(ticket, TICKET_AUDIT_FIELDS)))
    process.start(ticket, actor)
    sla.clock_start(ticket, actor=actor)
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


def _fingerprint(
    customer: User,
    type: str,
    subject: str,
    description: str,
    channel: str,
    priority: str,
    category: Category | None,
    language: str,
    attachments: list[IncomingFile] | None,
) -> str:
    """A hash of what a create request asked for, kept with its Idempotency-Key to spot a reused key."""
    files = sorted(hashlib.sha256(f.content).hexdigest() for f in attachments or [])
    parts = [customer.pk, str(type), str(subject or "").strip(), str(description or "").strip(), str(channel)]
    parts += [str(priority), getattr(category, "pk", None), str(language), files]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _same_request(existing: Ticket, idempotency_key: str | None, fingerprint: str) -> None:
    """A reused Idempotency-Key must come with the same request it first came with."""
    if not idempotency_key or existing.idempotency_key is None:
        return
    first = TicketEvent.objects.filter(ticket=existing, kind=EventKind.CREATED).values_list("data", flat=True).first()
    recorded = (first or {}).get("request")
    if recorded is not None and recorded != fingerprint:
        raise DomainError(
            _("This Idempotency-Key was already used for a different request; send a new key."),
            field="Idempotency-Key",
            code="idempotency_key_reused",
        )


def _route(actor: Any, ticket: Ticket) -> None:
    """A contact logged by an agent stays with that agent; everything else is assigned automatically."""
    from sqm.tickets.services import assignment

    if ticket.channel in AGENT_LOGGED_CHANNELS and getattr(actor, "role", None) == Role.AGENT:
        assignment.assign_to(actor=actor, ticket=ticket, agent=actor, reason="logged")
        return
    transaction.on_commit(lambda: assignment.queue_auto_assign(ticket.pk))


@transaction.atomic
def walk_in_customer_create(*, actor: Any, display_name: str, phone: str = "", email: str = "") -> User:
    """A customer record for someone who calls or walks in without an account, made by the agent.

    Agents (``Cap.TICKET_WORK``) may do this so a contact is logged in one go; managing accounts
    stays with administrators (:func:`sqm.org.services.user_create`). The record has no password
    (the customer can be given one later) and needs a phone number or an e-mail address, so the
    centre can reach the customer; a number or address that a customer already has is refused,
    so the agent picks that customer instead of making a double.
    """
    from sqm.audit.services import audit_append
    from sqm.org.services import USER_FIELDS

    require_cap(actor, Cap.TICKET_WORK)
    display_name = clean_text(display_name, "display_name", 100)
    phone = clean_text(phone, "phone", 32, required=False)
    email = clean_text(email, "email", 254, required=False)
    _check_walk_in_contact(phone, email)
    user = User(username=_walk_in_username(), display_name=display_name, role=Role.CUSTOMER, phone=phone, email=email)
    user.set_unusable_password()
    user.save()
    audit_append(actor=actor, action="create", target=user, changes=diff(None, snapshot(user, USER_FIELDS)))
    return user


def _check_walk_in_contact(phone: str, email: str) -> None:
    if not phone and not email:
        raise DomainError(_("Give a phone number or an e-mail address to reach the customer."), field="phone")
    if phone and (not set(phone) <= PHONE_CHARS or sum(c.isdigit() for c in phone) < 5):
        raise DomainError(_("Enter a phone number made of digits (and + - ( ) or spaces)."), field="phone")
    if phone:
        known = User.objects.filter(role=Role.CUSTOMER, phone=phone).first()
        if known is not None:
            raise DomainError(
                _("%(name)s already has this phone number; choose that customer instead.") % {"name": known},
                field="phone",
                code="unique",
            )
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="email") from exc
        known = User.objects.filter(email__iexact=email).first()
        if known is not None:
            raise DomainError(
                _("%(name)s already has this e-mail address; choose that customer instead.") % {"name": known},
                field="email",
                code="unique",
            )


def _walk_in_username() -> str:
    while True:
        username = f"walkin-{secrets.token_hex(4)}"
        if not User.objects.filter(username__iexact=username).exists():
            return username
