"""Reads of tickets: queues with keyset pagination, the ticket page, the customer's own list."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F, OrderBy, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError
from sqm.core.roles import Role
from sqm.org.models import Team, User
from sqm.tickets.models import (
    ACTIVE_STATUSES,
    AgentAvailability,
    Attachment,
    CannedReply,
    Category,
    ControlCheck,
    ControlPoint,
    ProcessDefinition,
    ProcessStep,
    Status,
    StepProgress,
    Ticket,
    TicketEvent,
    TicketMessage,
)

SORTS = {
    "age": ("created_at", "pk"),
    "-age": ("-created_at", "-pk"),
    "priority": ("priority_rank", "created_at", "pk"),
    # Soonest SLA due time first; tickets without one (no clock) come after all the others.
    "due": ("due_resolution_at", "pk"),
    "due_response": ("due_response_at", "pk"),
}
TIME_KEYS = {"created_at", "due_resolution_at", "due_response_at"}
# Ascending keys that may be NULL: they sort NULLs last (as PostgreSQL's B-tree indexes store
# them), and the keyset condition treats NULL as larger than every time.
NULLABLE_KEYS = {"due_resolution_at", "due_response_at"}
RISKS = ("on_track", "warning", "breached")


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
    risk: str = ""  # SLA risk: on_track (also tickets without a clock) | warning | breached


@dataclass
class Page:
    items: list[Ticket]
    next_cursor: str | None


def _base() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("customer", "assignee", "team", "category", "owner", "current_step")


def filtered(filters: QueueFilters) -> QuerySet[Ticket]:
    statuses = filters.status or list(ACTIVE_STATUSES)
    # Every status chosen: no condition at all, so an ordered index can serve "newest first".
    qs = _base() if set(statuses) >= set(Status.values) else _base().filter(status__in=statuses)
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
        history = not set(filters.status or ACTIVE_STATUSES) <= set(ACTIVE_STATUSES)
        match = _subject_contains(text) if history else Q(subject__icontains=text)  # few active: scan them
        if number.isdigit():
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    if filters.risk:
        qs = _with_risk(qs, filters.risk)
    return qs


# --- text search (index from migration 0008_search) ---------------------------------------------

SEARCH_FEW = 2000  # up to this many matches in all tickets: fetch them by id
SEARCH_MANY = 50_000  # SQLite, up to this many: a subquery of the matches; beyond: scan plainly


def search_grams(text: str, positions: int = 0) -> str:
    """``text`` as overlapping two-character grams, space-separated: "宽带断网" → "宽带 带断 断网".

    A query is the phrase of its grams, so a match means the subject contains the query, Chinese
    words of two characters included. The index holds each subject with one gram per position up
    to ``positions`` (200, as the SQLite triggers write it: the last character alone, then blanks).
    """
    if positions:
        return " ".join(text[i : i + 2] for i in range(positions))
    return " ".join(text[i : i + 2] for i in range(len(text) - 1))


def _search_ready() -> bool:
    """Whether this database has the search index (it may not: an old schema, a ``C`` locale)."""
    key = (connection.alias, connection.vendor, str(connection.settings_dict.get("NAME")))
    if key not in _SEARCH_READY:
        check = _SEARCH_CHECKS.get(connection.vendor)
        ready = False
        if check is not None:
            sql, param, expected = check
            with connection.cursor() as cursor:
                cursor.execute(sql, [param])
                ready = cursor.fetchone()[0] == expected
        _SEARCH_READY[key] = ready
    return _SEARCH_READY[key]


_SEARCH_READY: dict[tuple[str, str, str], bool] = {}
_SEARCH_CHECKS = {  # vendor: (query, parameter, expected count)
    "sqlite": (
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
        "tickets_ticket_search%",
        3,
    ),
    "postgresql": ("SELECT count(*) FROM pg_indexes WHERE indexname = %s", "ticket_subject_grams_idx", 1),
}


def _search_sql(grams: str) -> tuple[str, list[Any]]:
    """SQL for the ids of tickets whose subject holds the phrase of ``grams``, and its parameters."""
    if connection.vendor == "sqlite":
        phrase = '"' + grams.replace('"', '""') + '"'
        return "SELECT rowid FROM tickets_ticket_search WHERE tickets_ticket_search MATCH %s", [phrase]
    return (
        "SELECT id FROM tickets_ticket WHERE to_tsvector('simple', sqm_bigrams(subject)) @@ phraseto_tsquery('simple', %s)",
        [grams],
    )


def _search_ids(grams: str, limit: int) -> list[int]:
    """Ids of tickets whose subject holds the phrase of ``grams`` (at most ``limit``)."""
    sql, params = _search_sql(grams)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def _search_count(grams: str, limit: int) -> int:
    sql, params = _search_sql(grams)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) AS found", [*params, limit])
        return int(cursor.fetchone()[0])


def _subject_contains(text: str) -> Q:
    """The subject contains ``text``, in any case; through the search index when that is faster.

    Up to SEARCH_FEW matches in all tickets, the tickets are fetched by id. On SQLite, up to
    SEARCH_MANY, the matches are handed to the query as a subquery (SQLite then reads only
    matching rows); PostgreSQL plans that worse than its plain (parallel) scan, so it scans. A
    commoner word is left to the ordered scan, which meets a page of matches within a few hundred
    rows. One-character queries, and databases without the index, just scan.
    """
    contains = Q(subject__icontains=text)
    if len(text) < 2 or not any(ch.isalnum() for ch in text) or not _search_ready():
        return contains
    grams = search_grams(text)
    ids = _search_ids(grams, SEARCH_FEW + 1)
    if len(ids) <= SEARCH_FEW:
        return Q(pk__in=ids) & contains
    if connection.vendor == "sqlite" and _search_count(grams, SEARCH_MANY + 1) <= SEARCH_MANY:
        return Q(pk__in=RawSQL(*_search_sql(grams))) & contains
    return contains


def _with_risk(qs: QuerySet[Ticket], risk: str) -> QuerySet[Ticket]:
    from sqm.tickets.sla.selectors import with_risk  # the SLA module imports this app's models

    if risk not in RISKS:
        raise DomainError(_("Unknown SLA risk."), field="risk", code="invalid_choice")
    return with_risk(qs, risk)


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        keys = SORTS[sort]
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        decoded = [_decode_value(k.lstrip("-"), v) for k, v in zip(keys, values, strict=True)]
        if any(isinstance(v, dt.datetime) and v.tzinfo is None for v in decoded):
            raise ValueError("naive time")
        if any(isinstance(v, int) and not 0 <= v < 2**63 for v in decoded):
            raise ValueError("out of range")  # the database would overflow
        return decoded
    except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
        raise DomainError(_("This cursor is not valid here; start again from the first page."), field="after") from exc


def _decode_value(name: str, value: Any) -> Any:
    if value is None and name in NULLABLE_KEYS:
        return None
    if name in TIME_KEYS:
        if not isinstance(value, str):
            raise ValueError("not a time")
        return dt.datetime.fromisoformat(value)
    return int(value)


def _beyond(key: str, value: Any) -> Q:
    """Rows whose ``key`` comes strictly after ``value`` (NULLs last for nullable keys)."""
    name = key.lstrip("-")
    if name in NULLABLE_KEYS:
        if value is None:
            return Q(pk__in=[])  # nothing comes after NULL
        return Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})
    op = "lt" if key.startswith("-") else "gt"
    return Q(**{f"{name}__{op}": value})


def _same(key: str, value: Any) -> Q:
    name = key.lstrip("-")
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def _after(qs: QuerySet[Ticket], sort: str, values: list[Any]) -> QuerySet[Ticket]:
    """Rows strictly after ``values`` in the sort order (a keyset condition the index can use)."""
    keys = SORTS[sort]
    condition = Q()
    for i, key in enumerate(keys):
        step = _beyond(key, values[i])
        for j in range(i):
            step &= _same(keys[j], values[j])
        condition |= step
    return qs.filter(condition)


def _ordering(sort: str) -> list[str | OrderBy]:
    return [F(key).asc(nulls_last=True) if key in NULLABLE_KEYS else key for key in SORTS[sort]]


def queue(filters: QueueFilters, *, sort: str = "priority", after: str = "", limit: int = 50) -> Page:
    """One page of a queue. The cursor is opaque; following it never skips or repeats a ticket."""
    if sort not in SORTS:
        raise DomainError("unknown sort", field="sort", code="invalid_choice")
    qs = filtered(filters).select_related("sla_clock").order_by(*_ordering(sort))
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


# --- reads for the agent and quality-manager pages ---------------------------------------------


def customer_search(text: str, *, limit: int = 20) -> list[User]:
    """Active customers whose phone, name, user name or e-mail contains ``text`` (for logging a contact)."""
    text = (text or "").strip()
    if not text:
        return []
    match = Q(phone__icontains=text) | Q(display_name__icontains=text) | Q(username__icontains=text)
    match |= Q(email__icontains=text)
    rows = User.objects.filter(match, role=Role.CUSTOMER, is_active=True)
    return list(rows.order_by("display_name", "pk")[:limit])


def customer_lookup(text: str) -> User | None:
    """The customer whose user name, phone number or e-mail address is exactly ``text``."""
    text = (text or "").strip()
    if not text:
        return None
    match = Q(username__iexact=text) | Q(phone=text) | Q(email__iexact=text)
    return User.objects.filter(match, role=Role.CUSTOMER).order_by("pk").first()


def customers_by_pk(pks: list[int]) -> list[User]:
    return list(User.objects.filter(pk__in=pks, role=Role.CUSTOMER, is_active=True))


def assignable_agents(*, team_id: int | None = None) -> list[User]:
    """Active agents and team leads who can take tickets, with team and availability loaded."""
    rows = User.objects.filter(role__in=(Role.AGENT, Role.TEAM_LEAD), is_active=True)
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    return list(rows.select_related("team", "availability").order_by("team__code", "display_name", "pk"))


def availability_of(user_id: int) -> AgentAvailability | None:
    return AgentAvailability.objects.filter(user_id=user_id).first()


def attachment_with_ticket(pk: int) -> Attachment | None:
    """An attachment with its message and ticket, to check who may download it."""
    return Attachment.objects.select_related("message__ticket").filter(pk=pk).first()


def categories(*, include_pk: int | None = None) -> QuerySet[Category]:
    """Categories to choose from: the active ones, plus the one a ticket already has."""
    cond = Q(is_active=True)
    if include_pk is not None:
        cond |= Q(pk=include_pk)
    return Category.objects.filter(cond).select_related("parent").order_by("code")


def process_definitions() -> list[ProcessDefinition]:
    """Every process with all its steps (retired ones too) and their control points."""
    steps = ProcessStep.objects.prefetch_related("control_points").order_by("order")
    return list(ProcessDefinition.objects.prefetch_related(Prefetch("steps", queryset=steps)).order_by("ticket_type"))


def process_definition(pk: int) -> ProcessDefinition | None:
    return ProcessDefinition.objects.filter(pk=pk).first()


def process_step(pk: int) -> ProcessStep | None:
    return ProcessStep.objects.select_related("definition").prefetch_related("control_points").filter(pk=pk).first()


def canned_reply(pk: int) -> CannedReply | None:
    return CannedReply.objects.filter(pk=pk).first()


def canned_reply_list(*, include_retired: bool = True) -> QuerySet[CannedReply]:
    qs = CannedReply.objects.all() if include_retired else CannedReply.objects.filter(is_active=True)
    return qs.order_by("-is_active", "ticket_type", "title", "pk")


def names_for_history(user_ids: set[int], team_ids: set[int], category_ids: set[int]) -> dict[str, dict[int, str]]:
    """Display names of the people, teams and categories a ticket's history refers to, by id."""
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    teams = {t.pk: str(t) for t in Team.objects.filter(pk__in=team_ids)} if team_ids else {}
    cats = {c.pk: str(c) for c in Category.objects.filter(pk__in=category_ids)} if category_ids else {}
    return {"user": users, "team": teams, "category": cats}


# --- reads for the REST API ----------------------------------------------------------------------


def ticket_row(pk: int) -> Ticket | None:
    """One ticket with the rows its list entry shows (customer, agent, team, category, step)."""
    return _base().filter(pk=pk).first()


def ticket_events(ticket_id: int) -> QuerySet[TicketEvent]:
    """A ticket's history, oldest first, with who did each thing."""
    return TicketEvent.objects.filter(ticket_id=ticket_id).select_related("actor").order_by("at", "pk")


def category_by_pk(pk: int) -> Category | None:
    return Category.objects.filter(pk=pk).first()


def control_point_by_pk(pk: int) -> ControlPoint | None:
    return ControlPoint.objects.select_related("step").filter(pk=pk).first()


def person(pk: int) -> User | None:
    """Any user by id (a customer a contact is logged for, an agent a ticket goes to)."""
    return User.objects.select_related("team").filter(pk=pk).first()
