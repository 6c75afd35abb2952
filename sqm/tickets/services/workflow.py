"""Working a ticket: replies, notes, status transitions, reopening, edits and transfers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap
from sqm.org.models import Team
from sqm.tickets.models import (
    PRIORITY_RANK,
    Category,
    EventKind,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketMessage,
    TicketType,
)
from sqm.tickets.services import assignment, process
from sqm.tickets.services.attachments import IncomingFile, check_files, store_files
from sqm.tickets.services.common import (
    active,
    audit,
    clean_text,
    event,
    is_customer,
    load_add,
    require_can_see,
    require_cap,
    text_fingerprint,
)
from sqm.tickets.sla import services as sla

# Which status may follow which, for staff. Customers only reply and reopen.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.RESOLVED},
    Status.OPEN: {Status.PENDING, Status.RESOLVED},
    Status.PENDING: {Status.OPEN, Status.RESOLVED},
    Status.RESOLVED: {Status.CLOSED, Status.OPEN},
    Status.CLOSED: set(),
}


def reopen_window() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "SQM_REOPEN_DAYS", 7)))


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("category").get(pk=ticket.pk)


def _message(
    ticket: Ticket,
    kind: str,
    author: Any,
    body: str,
    files: list[IncomingFile] | None,
    email_message_id: str | None = None,
) -> TicketMessage:
    checked = check_files(list(files or []))
    message = TicketMessage.objects.create(
        ticket=ticket,
        kind=kind,
        author=author if getattr(author, "pk", None) else None,
        body=body,
        email_message_id=email_message_id,
        created_at=timezone.now(),
    )
    store_files(message, checked)
    return message


@transaction.atomic
def ticket_reply(
    *,
    actor: Any,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    wait_for_customer: bool = False,
    attachments: list[IncomingFile] | None = None,
) -> TicketMessage:
    """An agent writes to the customer (or, ``internal``, a note only staff see)."""
    require_cap(actor, Cap.TICKET_WORK)
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise DomainError(_("This ticket is closed."), field="body")
    body = clean_text(body, "body", 20000)
    kind = MessageKind.NOTE if internal else MessageKind.REPLY
    message = _message(ticket, kind, actor, body, attachments)
    if internal:
        event(ticket, EventKind.NOTE, actor, message=message.pk)
        audit(actor, "note", ticket, {"note": {"before": None, "after": text_fingerprint(body)}})
        return message
    changes: dict[str, Any] = {"reply": {"before": None, "after": text_fingerprint(body)}}
    if ticket.first_response_at is None:
        ticket.first_response_at = message.created_at
    if ticket.type == TicketType.COMPLAINT and ticket.owner_id is None:
        ticket.owner = actor
        changes["owner"] = {"before": None, "after": actor.pk}
        event(ticket, EventKind.OWNER, actor, owner=actor.pk)
    target = Status.PENDING if wait_for_customer else (Status.OPEN if ticket.status == Status.NEW else ticket.status)
    if target != ticket.status:
        changes["status"] = {"before": ticket.status, "after": target}
        event(ticket, EventKind.STATUS, actor, before=ticket.status, after=target)
        ticket.status = target
    ticket.updated_at = message.created_at
    ticket.save(update_fields=["first_response_at", "owner", "status", "updated_at"])
    sla.clock_on_reply(ticket, actor=actor, before=changes.get("status", {}).get("before", ticket.status))
    event(ticket, EventKind.REPLIED, actor, message=message.pk)
    audit(actor, "reply", ticket, changes)
    transaction.on_commit(lambda: _notify(message.pk))
    return message


def _notify(message_id: int) -> None:
    from sqm import schedule

    schedule.send_reply(message_id)


@transaction.atomic
def ticket_customer_reply(
    *,
    actor: Any,
    ticket: Ticket,
    body: str,
    attachments: list[IncomingFile] | None = None,
    email_message_id: str | None = None,
) -> TicketMessage:
    """The customer writes on their ticket. It wakes a waiting ticket, and reopens a resolved one."""
    if actor is not None:
        require_can_see(actor, ticket)
        if not is_customer(actor):
            raise PermissionDeniedError()
    ticket = _locked(ticket)
    if email_message_id and TicketMessage.objects.filter(email_message_id=email_message_id).exists():
        return TicketMessage.objects.get(email_message_id=email_message_id)
    if ticket.status == Status.CLOSED:
        raise DomainError(_("This ticket is closed; reopen it or open a new one."), field="body")
    if (
        ticket.status == Status.RESOLVED
        and timezone.now() - (ticket.resolved_at or ticket.updated_at) > reopen_window()
    ):
        raise DomainError(
            _("This ticket can no longer be reopened (%(days)d days have passed); please open a new one.")
            % {"days": reopen_window().days},
            field="body",
            code="reopen_window",
        )
    body = clean_text(body, "body", 20000)
    message = _message(ticket, MessageKind.CUSTOMER, ticket.customer, body, attachments, email_message_id)
    event(ticket, EventKind.CUSTOMER_REPLIED, actor, message=message.pk)
    if ticket.status in (Status.PENDING, Status.RESOLVED):
        _set_status(ticket, Status.OPEN, actor, reopening=ticket.status == Status.RESOLVED)
    else:
        ticket.updated_at = message.created_at
        ticket.save(update_fields=["updated_at"])
    audit(actor, "customer_reply", ticket, {"message": {"before": None, "after": text_fingerprint(body)}})
    return message


@transaction.atomic
def ticket_transition(*, actor: Any, ticket: Ticket, status: str) -> Ticket:
    """Move a ticket on (open, waiting on customer, resolved, closed) as the process allows."""
    require_cap(actor, Cap.TICKET_WORK)
    ticket = _locked(ticket)
    if status not in Status.values:
        raise DomainError(_("Unknown status."), field="status", code="invalid_choice")
    if status == ticket.status:
        return ticket
    if status not in TRANSITIONS[ticket.status]:
        raise DomainError(
            _("A ticket that is “%(now)s” cannot become “%(to)s”.")
            % {"now": Status(ticket.status).label, "to": Status(status).label},
            field="status",
            code="transition",
        )
    if status in (Status.RESOLVED, Status.CLOSED):
        blocking = process.open_steps_blocking(ticket, for_closing=status == Status.CLOSED)
        if blocking:
            raise DomainError(
                _("The process requires these steps first: %(steps)s") % {"steps": "; ".join(s.name for s in blocking)},
                field="status",
                code="process",
            )
    _set_status(ticket, status, actor, reopening=ticket.status == Status.RESOLVED and status == Status.OPEN)
    return ticket


def _set_status(ticket: Ticket, status: str, actor: Any, *, reopening: bool = False) -> None:
    before = ticket.status
    now = timezone.now()
    if active(before) and not active(status):
        load_add(ticket.assignee_id, -1)
    if not active(before) and active(status):
        load_add(ticket.assignee_id, +1)
    ticket.status = status
    if status == Status.RESOLVED:
        ticket.resolved_at = now
    if status == Status.CLOSED:
        ticket.closed_at = now
    if reopening:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        event(ticket, EventKind.REOPENED, actor, before=before)
    ticket.updated_at = now
    ticket.save(update_fields=["status", "resolved_at", "closed_at", "reopen_count", "updated_at"])
    sla.clock_on_status(ticket, before=before, after=status, actor=actor)
    event(ticket, EventKind.STATUS, actor, before=before, after=status)
    audit(actor, "status", ticket, {"status": {"before": before, "after": status}})
    if status == Status.CLOSED:
        transaction.on_commit(lambda: _notify_status(ticket.pk))


def _notify_status(ticket_id: int) -> None:
    from sqm import schedule

    schedule.send_status(ticket_id)


@transaction.atomic
def ticket_reopen(*, actor: Any, ticket: Ticket, reason: str) -> Ticket:
    """The customer (or staff) reopens a resolved or closed ticket within the reopen window."""
    require_can_see(actor, ticket)
    ticket = _locked(ticket)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise DomainError(_("Only resolved or closed tickets can be reopened."), field="status", code="transition")
    finished = ticket.closed_at or ticket.resolved_at or ticket.updated_at
    if is_customer(actor) and timezone.now() - finished > reopen_window():
        raise DomainError(
            _("This ticket can no longer be reopened (%(days)d days have passed); please open a new one.")
            % {"days": reopen_window().days},
            field="status",
            code="reopen_window",
        )
    reason = clean_text(reason, "reason", 2000)
    if is_customer(actor):
        _message(ticket, MessageKind.CUSTOMER, actor, reason, None)
    else:
        require_cap(actor, Cap.TICKET_WORK)
        _message(ticket, MessageKind.NOTE, actor, reason, None)
    _set_status(ticket, Status.OPEN, actor, reopening=True)
    if ticket.assignee_id is None:
        transaction.on_commit(lambda: assignment.queue_auto_assign(ticket.pk))
    return ticket


@transaction.atomic
def ticket_update(
    *,
    actor: Any,
    ticket: Ticket,
    priority: str | None = None,
    type: str | None = None,
    category: Category | Any | None = ...,
    subject: str | None = None,
) -> Ticket:
    """Correct a ticket's priority, type, category or subject (staff)."""
    require_cap(actor, Cap.TICKET_WORK)
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise DomainError(_("This ticket is closed."), field="status")
    changes: dict[str, Any] = {}
    if priority is not None and priority != ticket.priority:
        if priority not in Priority.values:
            raise DomainError(_("Unknown priority."), field="priority", code="invalid_choice")
        changes["priority"] = {"before": ticket.priority, "after": priority}
        ticket.priority, ticket.priority_rank = priority, PRIORITY_RANK[Priority(priority)]
        event(ticket, EventKind.PRIORITY, actor, before=changes["priority"]["before"], after=priority)
    if type is not None and type != ticket.type:
        if type not in TicketType.values:
            raise DomainError(_("Unknown ticket type."), field="type", code="invalid_choice")
        changes["type"] = {"before": ticket.type, "after": type}
        ticket.type = type
        event(ticket, EventKind.TYPE, actor, before=changes["type"]["before"], after=type)
    if category is not ... and getattr(category, "pk", None) != ticket.category_id:
        if category is not None and not category.is_active:
            raise DomainError(_("This category is no longer in use."), field="category")
        changes["category"] = {"before": ticket.category_id, "after": getattr(category, "pk", None)}
        ticket.category = category
        event(ticket, EventKind.CATEGORY, actor, before=changes["category"]["before"], after=ticket.category_id)
    if subject is not None:
        subject = clean_text(subject, "subject", 200)
        if subject != ticket.subject:
            changes["subject"] = {"before": ticket.subject, "after": subject}
            ticket.subject = subject
    if changes:
        ticket.updated_at = timezone.now()
        ticket.save()
        audit(actor, "update", ticket, changes)
        if "type" in changes and not ticket.step_progress.exists():
            process.start(ticket, actor)
        if "priority" in changes or "type" in changes:
            sla.clock_recompute(ticket, actor=actor, reason="update")
    return ticket


@transaction.atomic
def ticket_transfer(*, actor: Any, ticket: Ticket, team: Team) -> Ticket:
    """Send a ticket to another team's queue. A complaint keeps its first-contact owner."""
    require_cap(actor, Cap.TICKET_ASSIGN)
    ticket = _locked(ticket)
    if not active(ticket.status):
        raise DomainError(_("Only open tickets can be transferred."), field="team")
    if not team.is_active:
        raise DomainError(_("This team is no longer active."), field="team")
    if team.pk == ticket.team_id:
        return ticket
    before = ticket.team_id
    ticket.team = team
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["team", "updated_at"])
    event(ticket, EventKind.TRANSFERRED, actor, before=before, after=team.pk)
    sla.clock_team_changed(ticket, actor=actor)
    audit(actor, "transfer", ticket, {"team": {"before": before, "after": team.pk}})
    if ticket.assignee_id is not None:
        assignment.unassign(ticket, actor, reason="transfer")  # queues it for the new team
    else:
        transaction.on_commit(lambda: assignment.queue_auto_assign(ticket.pk))
    return ticket
