"""Reads of tickets: queues with keyset pagination, the ticket page, the customer's own list."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from sqm.core.errors import DomainError
from sqm.tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    CannedReply,
    ControlCheck,
    ProcessStep,
    StepProgress,
    Ticket,
    TicketEvent,
    TicketMessage,
)

SORTS = {
    "age": ("created_at", "pk"),
    "-age": ("-created_at", "-pk"),
    "priority": ("priority_rank", "created_at", "pk"),
}


@dataclass
class QueueFilters:
    """What a queue shows. Empty values filter nothing; ``status`` defaults to the active ones."""

    status: list[str] = field(default_factory=list)
    type: str = ""
    priority: str = ""
    channel: str = ""
    category_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    owner_id: int | None = None
    customer_id: int | None = None
    text: str = ""


@dataclass
class Page:
    items: list[Ticket]
    next_cursor: str | None


def _base() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("customer", "assignee", "team", "category", "owner", "current_step")


def filtered(filters: QueueFilters) -> QuerySet[Ticket]:
    qs = _base().filter(status__in=filters.status or list(ACTIVE_STATUSES))
    exact = {
        "type": filters.type,
        "priority": filters.priority,
        "channel": filters.channel,
        "category_id": filters.category_id,
        "team_id": filters.team_id,
        "assignee_id": filters.assignee_id,
        "owner_id": filters.owner_id,
        "customer_id": filters.customer_id,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v not in ("", None)})
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if filters.text:
        text = filters.text.strip()
        number = text.upper().removeprefix("T")
        match = Q(subject__icontains=text)
        if number.isdigit():
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    return qs


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        keys = SORTS[sort]
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        return [
            dt.datetime.fromisoformat(v) if k.lstrip("-") == "created_at" else int(v)
            for k, v in zip(keys, values, strict=True)
        ]
    except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
        raise DomainError("invalid cursor", field="after", code="invalid") from exc


def _after(qs: QuerySet[Ticket], sort: str, values: list[Any]) -> QuerySet[Ticket]:
    """Rows strictly after ``values`` in the sort order (a keyset condition the index can use)."""
    keys = SORTS[sort]
    condition = Q()
    for i, key in enumerate(keys):
        name = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        for j in range(i):
            step &= Q(**{keys[j].lstrip("-"): values[j]})
        condition |= step
    return qs.filter(condition)


def queue(filters: QueueFilters, *, sort: str = "priority", after: str = "", limit: int = 50) -> Page:
    """One page of a queue. The cursor is opaque; following it never skips or repeats a ticket."""
    if sort not in SORTS:
        raise DomainError("unknown sort", field="sort", code="invalid_choice")
    qs = filtered(filters).order_by(*SORTS[sort])
    if after:
        qs = _after(qs, sort, _decode(after, sort))
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    cursor = None
    if more and items:
        last = items[-1]
        cursor = _encode([getattr(last, key.lstrip("-")) for key in SORTS[sort]])
    return Page(items=items, next_cursor=cursor)


def ticket_page(pk: int) -> Ticket | None:
    """A ticket with its thread (and attachments), history, process progress and ticks loaded."""
    return (
        _base()
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=TicketMessage.objects.select_related("author")
                .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
                .order_by("created_at", "pk"),
            ),
            Prefetch("events", queryset=TicketEvent.objects.select_related("actor").order_by("at", "pk")),
            Prefetch("step_progress", queryset=StepProgress.objects.order_by("started_at")),
            Prefetch("checks", queryset=ControlCheck.objects.select_related("checked_by")),
        )
        .filter(pk=pk)
        .first()
    )


def process_steps(ticket_type: str) -> list[ProcessStep]:
    return list(
        ProcessStep.objects.filter(definition__ticket_type=ticket_type, is_active=True)
        .prefetch_related("control_points")
        .order_by("order")
    )


def customer_tickets(customer_id: int) -> QuerySet[Ticket]:
    return _base().filter(customer_id=customer_id).order_by("-created_at", "-pk")


def canned_replies(*, ticket_type: str = "", language: str = "") -> QuerySet[CannedReply]:
    qs = CannedReply.objects.filter(is_active=True)
    if ticket_type:
        qs = qs.filter(Q(ticket_type=ticket_type) | Q(ticket_type=""))
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("title")
