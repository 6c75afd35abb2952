"""Canned replies: the standard texts agents insert and adapt (polite phrasing from the SOPs).

The quality manager keeps them (``Cap.PROCESS_MANAGE``); every change is on the audit chain.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError
from sqm.core.roles import Cap
from sqm.tickets.models import CannedReply, TicketType
from sqm.tickets.services.common import clean_text, require_cap
from sqm.tickets.services.intake import LANGUAGES

CANNED_FIELDS = ("title", "body", "language", "ticket_type", "is_active")


@transaction.atomic
def canned_reply_save(
    *,
    actor: Any,
    reply: CannedReply | None,
    title: str,
    body: str,
    language: str = "zh",
    ticket_type: str = "",
) -> CannedReply:
    """Add a canned reply (``reply=None``) or change one; ``ticket_type=""`` offers it on every type."""
    require_cap(actor, Cap.PROCESS_MANAGE)
    title = clean_text(title, "title", 100)
    body = clean_text(body, "body", 5000)
    if language not in LANGUAGES:
        raise DomainError(_("Choose zh, en or yue."), field="language", code="invalid_choice")
    if ticket_type and ticket_type not in TicketType.values:
        raise DomainError(_("Unknown ticket type."), field="ticket_type", code="invalid_choice")
    if reply is not None:
        reply = CannedReply.objects.select_for_update().get(pk=reply.pk)
    before = None if reply is None else snapshot(reply, CANNED_FIELDS)
    reply = reply or CannedReply()
    reply.title, reply.body, reply.language, reply.ticket_type = title, body, language, ticket_type
    changes = diff(before, snapshot(reply, CANNED_FIELDS))
    if changes:
        reply.save()
        audit_append(actor=actor, action="create" if before is None else "update", target=reply, changes=changes)
    return reply


@transaction.atomic
def canned_reply_retire(*, actor: Any, reply: CannedReply) -> CannedReply:
    """Stop offering a canned reply; the row stays so the audit trail still points at it."""
    require_cap(actor, Cap.PROCESS_MANAGE)
    reply = CannedReply.objects.select_for_update().get(pk=reply.pk)
    if reply.is_active:
        reply.is_active = False
        reply.save(update_fields=["is_active"])
        changes = {"is_active": {"before": True, "after": False}}
        audit_append(actor=actor, action="update", target=reply, changes=changes)
    return reply
