"""Shared pieces of the ticket services: permissions, events, audit and load bookkeeping."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import F
from django.utils import timezone

from sqm.audit.services import audit_append
from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.core.validation import clean_text  # noqa: F401  (re-exported for the ticket services)
from sqm.tickets.models import ACTIVE_STATUSES, AgentAvailability, EventKind, Ticket, TicketEvent

TICKET_AUDIT_FIELDS = (
    "type",
    "priority",
    "status",
    "channel",
    "category",
    "subject",
    "customer",
    "team",
    "assignee",
    "owner",
)


def is_customer(user: Any) -> bool:
    return getattr(user, "role", None) == Role.CUSTOMER


def require_cap(actor: Any, cap: Cap) -> None:
    if not can(actor, cap):
        raise PermissionDeniedError()


def require_can_see(actor: Any, ticket: Ticket) -> None:
    """Customers only ever reach their own tickets; staff need the ticket-work capability."""
    if is_customer(actor):
        if ticket.customer_id != actor.pk:
            raise PermissionDeniedError()
        return
    require_cap(actor, Cap.TICKET_VIEW)


def event(ticket: Ticket, kind: EventKind, actor: Any = None, **data: Any) -> TicketEvent:
    """Record what happened to ``ticket`` now; SLA clocks and KPIs read these rows."""
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor if getattr(actor, "pk", None) else None, at=timezone.now(), data=data
    )


def audit(actor: Any, action: str, ticket: Ticket, changes: dict[str, Any]) -> None:
    audit_append(actor=actor, action=action, target=ticket, object_repr=str(ticket)[:300], changes=changes)


def text_fingerprint(body: str) -> dict[str, Any]:
    """What the audit chain keeps of a message: its length and hash, not the text itself."""
    return {"length": len(body), "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}


def load_add(agent_id: int | None, delta: int) -> None:
    """Move an agent's active-ticket count; never below zero."""
    if agent_id is None or delta == 0:
        return
    rows = AgentAvailability.objects.filter(user_id=agent_id)
    if delta < 0:
        rows = rows.filter(load__gte=-delta)
    rows.update(load=F("load") + delta)


def touch(ticket: Ticket) -> None:
    ticket.updated_at = timezone.now()


def active(status: str) -> bool:
    return status in ACTIVE_STATUSES
