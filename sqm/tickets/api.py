"""REST endpoints for tickets (``/api/tickets``): intake, queues, the thread, process steps, assignment.

Access: customers reach only their own tickets (create with the API channel, read, reply, reopen,
upload); for any other ticket they get 403 whether or not it exists. Staff need the capability of
the action (``TICKET_VIEW`` to read, ``TICKET_WORK`` to work, ``TICKET_ASSIGN`` to reassign and
transfer), checked before anything is looked up. Writes go through :mod:`sqm.tickets.services`,
reads through :mod:`sqm.tickets.selectors` (a fixed number of queries per list).

Idempotency: ``POST /api/tickets`` honours the ``Idempotency-Key`` header. The same key from the
same user returns the ticket made the first time (200 with ``Idempotent-Replayed: true``; 201 the
first time), even when the requests race. The same key with a different body is refused with
422 naming ``Idempotency-Key``, as the IETF idempotency-key draft recommends.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import ValidationError as PydanticValidationError

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.org import selectors as org_selectors
from sqm.org.models import Team, User
from sqm.org.schemas import Id
from sqm.tickets import selectors, services
from sqm.tickets.models import Category, Ticket
from sqm.tickets.models import Status as TicketStatus
from sqm.tickets.schemas import (
    AssignIn,
    AttachmentsFormIn,
    AttachmentsIn,
    AvailabilityOut,
    CategoryOut,
    CheckIn,
    CheckStateOut,
    EventOut,
    IdempotencyKey,
    MessageIn,
    MessageOut,
    ProcessOut,
    ReopenIn,
    ShiftIn,
    TicketCreateIn,
    TicketDetailOut,
    TicketFilters,
    TicketPageOut,
    TicketPatchIn,
    TicketSlaOut,
    TransferIn,
    TransitionIn,
)
from sqm.tickets.services.attachments import MAX_FILES, IncomingFile, max_bytes
from sqm.tickets.sla import selectors as sla_selectors

router = Router()
T = TypeVar("T")


# --- helpers ------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _is_customer(user: User) -> bool:
    return user.role == Role.CUSTOMER


def _require(request: HttpRequest, cap: Cap) -> User:
    """The calling user, if their role holds ``cap``; otherwise 403 before anything is read."""
    actor = _actor(request)
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


def _found(obj: T | None) -> T:
    """``obj``, or 404 when the look-up found nothing."""
    if obj is None:
        raise Http404(_("Not found."))
    return obj


def _staff_ticket(request: HttpRequest, ticket_id: int, cap: Cap) -> tuple[User, Ticket]:
    """The caller (who must hold ``cap``) and the ticket; 404 for an unknown id."""
    actor = _require(request, cap)
    return actor, _found(selectors.ticket_row(ticket_id))


def _own_or_staff_ticket(request: HttpRequest, ticket_id: int, cap: Cap) -> tuple[User, Ticket]:
    """A customer's own ticket, or any ticket for staff holding ``cap``.

    A customer gets 403 for every ticket that is not theirs, existing or not, so ids leak nothing.
    """
    actor = _actor(request)
    if _is_customer(actor):
        ticket = selectors.ticket_row(ticket_id)
        if ticket is None or ticket.customer_id != actor.pk:
            raise PermissionDeniedError()
        return actor, ticket
    return _staff_ticket(request, ticket_id, cap)


def _detail(ticket_id: int) -> Ticket:
    return _found(selectors.ticket_page(ticket_id))


@contextmanager
def _api_fields(**renames: str) -> Iterator[None]:
    """Name service errors after the request's fields (the service says ``team``, the API ``team_id``)."""
    try:
        yield
    except DomainError as exc:
        exc.errors = {renames.get(field, field): messages for field, messages in exc.errors.items()}
        raise


def _user_ref(user_id: int, field: str) -> User:
    user = selectors.person(user_id)
    if user is None:
        raise DomainError(_("There is no user with this id."), field=field, code="not_found")
    return user


def _category_ref(category_id: int | None, field: str) -> Category | None:
    if category_id is None:
        return None
    category = selectors.category_by_pk(category_id)
    if category is None:
        raise DomainError(_("There is no category with this id."), field=field, code="not_found")
    return category


def _team_ref(team_id: int, field: str) -> Team:
    team = org_selectors.team_detail(team_id)
    if team is None:
        raise DomainError(_("There is no team with this id."), field=field, code="not_found")
    return team


def _no_unknown_parameters(request: HttpRequest, schema: type[Schema]) -> None:
    """422 for a query parameter the endpoint does not know (a misspelt filter filters nothing)."""
    unknown = sorted(set(request.GET) - set(schema.model_fields))
    if unknown:
        raise ValidationError([{"type": "extra_forbidden", "loc": ("query", name)} for name in unknown])


def _error(request: HttpRequest, status: int, exc: DomainError) -> HttpResponse:
    from sqm.api import error_response

    return error_response(request, status, exc.as_list())


# --- catalogues -----------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="Ticket categories")
def categories_list(request: HttpRequest) -> Any:
    """The active categories of the business tree, for anyone who opens a ticket."""
    return list(selectors.categories())


@router.get("/processes", response=list[ProcessOut], summary="Process definitions")
def processes_list(request: HttpRequest) -> Any:
    """The standard process of each ticket type: ordered steps, time limits and control points."""
    _require(request, Cap.TICKET_VIEW)
    return selectors.process_definitions()


@router.put("/agents/{agent_id}/shift", response=AvailabilityOut, summary="Start or end a shift")
def agent_shift(request: HttpRequest, agent_id: Id, payload: ShiftIn) -> Any:
    """An agent starts or ends their own shift; team leads do it for others. Ending hands tickets on."""
    actor = _actor(request)
    if agent_id != actor.pk:
        _require(request, Cap.TICKET_ASSIGN)
    agent = actor if agent_id == actor.pk else _found(selectors.person(agent_id))
    with _api_fields(agent="agent_id"):
        return services.shift_set(
            actor=actor, agent=agent, on_shift=payload.on_shift, max_concurrent=payload.max_concurrent
        )


# --- tickets --------------------------------------------------------------------------------------


@router.get("", response=TicketPageOut, summary="List tickets (a queue)")
def tickets_list(request: HttpRequest, filters: Query[TicketFilters]) -> Any:
    """One page of a queue, keyset-paginated: pass ``next_after`` back as ``after``.

    Staff with ``TICKET_VIEW`` see every ticket; everyone else only the tickets they are the
    customer of.
    """
    _no_unknown_parameters(request, TicketFilters)
    actor = _actor(request)
    staff = can(actor, Cap.TICKET_VIEW)
    if not staff and filters.customer_id not in (None, actor.pk):
        return {"items": [], "next_after": None}
    assignee = filters.assignee_id
    queue_filters = selectors.QueueFilters(
        status=list(filters.status) or ([] if staff else list(TicketStatus.values)),
        type=filters.type or "",
        priority=filters.priority or "",
        channel=filters.channel or "",
        category_id=filters.category_id,
        team_id=filters.team_id,
        assignee_id=actor.pk if assignee == "mine" else (int(assignee) if assignee else None),
        unassigned=filters.unassigned,
        owner_id=filters.owner_id,
        customer_id=filters.customer_id if staff else actor.pk,
        text=filters.q,
        risk=filters.risk or "",
    )
    sort = filters.sort or ("priority" if staff else "-age")
    page = selectors.queue(queue_filters, sort=sort, after=filters.after, limit=filters.limit)
    return {"items": page.items, "next_after": page.next_cursor}


@router.post("", response={200: TicketDetailOut, 201: TicketDetailOut}, summary="Open a ticket")
def tickets_create(
    request: HttpRequest,
    payload: TicketCreateIn,
    response: HttpResponse,
    idempotency_key: Annotated[IdempotencyKey | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """Customers open their own tickets; staff log a contact for ``customer_id`` (phone, walk-in …).

    Send an ``Idempotency-Key`` header to retry safely: the same key returns the same ticket.
    """
    actor = _actor(request)
    if _is_customer(actor):
        if payload.customer_id not in (None, actor.pk):
            raise PermissionDeniedError()
        customer = actor
    else:
        _require(request, Cap.TICKET_WORK)
        if payload.customer_id is None:
            raise DomainError(_("Give the customer the contact is for."), field="customer_id", code="required")
        customer = _user_ref(payload.customer_id, "customer_id")
    data = payload.model_dump(exclude={"customer_id", "category_id"})
    try:
        with _api_fields(customer="customer_id", category="category_id"):
            ticket, created = services.ticket_create(
                actor=actor,
                customer=customer,
                category=_category_ref(payload.category_id, "category_id"),
                idempotency_key=idempotency_key,
                **data,
            )
    except DomainError as exc:
        if exc.code == "idempotency_key_reused":
            return _error(request, 422, exc)
        raise
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if created else 200, _detail(ticket.pk))


@router.get("/{ticket_id}", response=TicketDetailOut, summary="One ticket with its thread")
def tickets_get(request: HttpRequest, ticket_id: Id) -> Any:
    """The ticket, its thread (customers never see internal notes), process progress and ticks."""
    _own_or_staff_ticket(request, ticket_id, Cap.TICKET_VIEW)
    return _detail(ticket_id)


@router.patch("/{ticket_id}", response=TicketDetailOut, summary="Correct a ticket")
def tickets_patch(request: HttpRequest, ticket_id: Id, payload: TicketPatchIn) -> Any:
    """Change only the fields given: priority, type, subject; ``category_id: null`` clears the category."""
    actor, ticket = _staff_ticket(request, ticket_id, Cap.TICKET_WORK)
    data = payload.model_dump(exclude_unset=True)
    with _api_fields(category="category_id"):
        if "category_id" in data:
            data["category"] = _category_ref(data.pop("category_id"), "category_id")
        services.ticket_update(actor=actor, ticket=ticket, **data)
    return _detail(ticket_id)


@router.post("/{ticket_id}/transition", response=TicketDetailOut, summary="Move a ticket to another status")
def tickets_transition(request: HttpRequest, ticket_id: Id, payload: TransitionIn) -> Any:
    """Open, wait on the customer, resolve or close, as the ticket's process allows (else 400 on ``status``)."""
    actor, ticket = _staff_ticket(request, ticket_id, Cap.TICKET_WORK)
    services.ticket_transition(actor=actor, ticket=ticket, status=payload.status)
    return _detail(ticket_id)


@router.post("/{ticket_id}/messages", response={201: MessageOut}, summary="Write on a ticket")
def tickets_message(request: HttpRequest, ticket_id: Id, payload: MessageIn) -> Any:
    """Staff reply to the customer (or, ``internal``, write a note); customers reply on their own ticket."""
    actor, ticket = _own_or_staff_ticket(request, ticket_id, Cap.TICKET_WORK)
    if _is_customer(actor):
        if payload.internal or payload.wait_for_customer:
            raise PermissionDeniedError(_("Only staff write internal notes or set a ticket to wait."))
        message = services.ticket_customer_reply(actor=actor, ticket=ticket, body=payload.body)
    else:
        message = services.ticket_reply(
            actor=actor,
            ticket=ticket,
            body=payload.body,
            internal=payload.internal,
            wait_for_customer=payload.wait_for_customer,
        )
    return Status(201, message)


@router.post("/{ticket_id}/reopen", response=TicketDetailOut, summary="Reopen a resolved or closed ticket")
def tickets_reopen(request: HttpRequest, ticket_id: Id, payload: ReopenIn) -> Any:
    """Customers reopen their own ticket within the reopen window, giving a reason; staff at any time."""
    actor, ticket = _own_or_staff_ticket(request, ticket_id, Cap.TICKET_WORK)
    services.ticket_reopen(actor=actor, ticket=ticket, reason=payload.reason)
    return _detail(ticket_id)


@router.post("/{ticket_id}/assign", response=TicketDetailOut, summary="Give a ticket to an agent")
def tickets_assign(request: HttpRequest, ticket_id: Id, payload: AssignIn) -> Any:
    """A team lead's reassignment to a named, active agent."""
    actor, ticket = _staff_ticket(request, ticket_id, Cap.TICKET_ASSIGN)
    with _api_fields(assignee="assignee_id"):
        services.assign_to(actor=actor, ticket=ticket, agent=_user_ref(payload.assignee_id, "assignee_id"))
    return _detail(ticket_id)


@router.post("/{ticket_id}/transfer", response=TicketDetailOut, summary="Send a ticket to another team")
def tickets_transfer(request: HttpRequest, ticket_id: Id, payload: TransferIn) -> Any:
    """Move the ticket to another team's queue; a complaint keeps its first-contact owner."""
    actor, ticket = _staff_ticket(request, ticket_id, Cap.TICKET_ASSIGN)
    with _api_fields(team="team_id"):
        services.ticket_transfer(actor=actor, ticket=ticket, team=_team_ref(payload.team_id, "team_id"))
    return _detail(ticket_id)


@router.post("/{ticket_id}/steps/complete", response=TicketDetailOut, summary="Complete the current step")
def tickets_step_complete(request: HttpRequest, ticket_id: Id) -> Any:
    """End the ticket's current process step once its control points are ticked (else 400)."""
    actor, ticket = _staff_ticket(request, ticket_id, Cap.TICKET_WORK)
    services.step_complete(actor=actor, ticket=ticket)
    return _detail(ticket_id)


@router.put("/{ticket_id}/checks/{control_point_id}", response=CheckStateOut, summary="Tick or untick a control point")
def tickets_check(request: HttpRequest, ticket_id: Id, control_point_id: Id, payload: CheckIn) -> Any:
    """Tick (``ticked: true``) or untick a control point of the ticket's current step."""
    actor, ticket = _staff_ticket(request, ticket_id, Cap.TICKET_WORK)
    point = _found(selectors.control_point_by_pk(control_point_id))
    with _api_fields(control_point="control_point_id"):
        services.control_point_tick(actor=actor, ticket=ticket, control_point=point, ticked=payload.ticked)
    return {"control_point_id": point.pk, "ticked": payload.ticked}


@router.get("/{ticket_id}/events", response=list[EventOut], summary="A ticket's history")
def tickets_events(request: HttpRequest, ticket_id: Id) -> Any:
    """Everything that happened to the ticket, oldest first (staff only)."""
    _staff_ticket(request, ticket_id, Cap.TICKET_VIEW)
    return list(selectors.ticket_events(ticket_id))


@router.get("/{ticket_id}/sla", response=TicketSlaOut, summary="A ticket's SLA countdown and clock events")
def tickets_sla(request: HttpRequest, ticket_id: Id) -> Any:
    """Business time left and wall-clock due time for response and resolution, risk, pause state,
    and every SLA event (started, paused, resumed, warned, breached, met, recomputed), staff only."""
    _staff_ticket(request, ticket_id, Cap.TICKET_VIEW)
    view = sla_selectors.clock_view(ticket_id)
    view["events"] = sla_selectors.clock_events(ticket_id) if view["has_clock"] else []
    return view


# --- attachments ----------------------------------------------------------------------------------

_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": 10},
                        "body": {"type": "string", "maxLength": 20000},
                        "internal": {"type": "boolean"},
                    },
                },
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "additionalProperties": False,
                    "properties": {
                        "body": {"type": "string", "maxLength": 20000},
                        "internal": {"type": "boolean"},
                        "files": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 10,
                            "items": {
                                "type": "object",
                                "required": ["name", "content_base64"],
                                "additionalProperties": False,
                                "properties": {
                                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                                    "content_base64": {"type": "string", "format": "byte"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
}


class _Upload:
    """What an upload request carries, whichever encoding it came in."""

    def __init__(self, body: str, internal: bool, files: list[IncomingFile]) -> None:
        self.body, self.internal, self.files = body, internal, files


def _invalid(errors: list[dict[str, Any]], location: str) -> ValidationError:
    return ValidationError([{**e, "loc": (location, *e.get("loc", ()))} for e in errors])


def _too_large() -> DomainError:
    return DomainError(
        _("Each file may have at most %(mb)d MB, and an upload at most %(n)d files.")
        % {"mb": max_bytes() // (1024 * 1024), "n": MAX_FILES},
        field="files",
        code="too_large",
    )


def _upload_from_multipart(request: HttpRequest) -> _Upload:
    try:
        fields, uploads = request.POST, request.FILES
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent) as exc:
        raise DomainError(_("The multipart body is malformed."), field="files", code="malformed") from exc
    unknown = [name for name in uploads if name != "files"]
    if unknown:
        raise _invalid([{"type": "extra_forbidden", "loc": (unknown[0],)}], "form")
    try:
        form = AttachmentsFormIn.model_validate({k: fields.get(k) for k in fields})
    except PydanticValidationError as exc:
        raise _invalid(exc.errors(), "form") from exc
    files = uploads.getlist("files")
    if not files:
        raise _invalid([{"type": "missing", "loc": ("files",)}], "form")
    if any(upload.size > max_bytes() for upload in files):
        raise _too_large()
    incoming = [IncomingFile(_printable(f.name or "") or "file", f.read()) for f in files]
    return _Upload(form.body, form.internal, incoming)


def _printable(name: str) -> str:
    """A file name without control characters (NUL cannot even be stored)."""
    return "".join(c for c in name if c.isprintable())


def _upload_from_json(request: HttpRequest) -> _Upload:
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise DomainError(
            _("JSON uploads are limited to %(mb)d MB; send larger files as multipart/form-data.")
            % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)},
            field="files",
            code="too_large",
        )
    try:
        data = AttachmentsIn.model_validate_json(request.body or b"")
    except PydanticValidationError as exc:
        raise _invalid(exc.errors(), "body") from exc
    files = []
    for i, item in enumerate(data.files):
        try:
            content = base64.b64decode("".join(item.content_base64.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _invalid([{"type": "value_error", "loc": ("files", i, "content_base64")}], "body") from exc
        files.append(IncomingFile(item.name, content))
    return _Upload(data.body, data.internal, files)


def _read_upload(request: HttpRequest) -> _Upload:
    limit = MAX_FILES * max_bytes() + 1024 * 1024  # the files plus room for the form around them
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise _too_large()
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data":
            return _upload_from_multipart(request)
        if content_type == "application/json":
            return _upload_from_json(request)
    except RequestDataTooBig as exc:
        raise _too_large() from exc
    raise DomainError(
        _("Send the files as multipart/form-data (or JSON with base64 content)."),
        field="Content-Type",
        code="unsupported_media_type",
    )


@router.post(
    "/{ticket_id}/attachments",
    response={201: MessageOut},
    summary="Upload files to a ticket",
    openapi_extra=_UPLOAD_DOC,
)
def tickets_attach(request: HttpRequest, ticket_id: Id) -> Any:
    """Attach files (field ``files``, up to 10) in a new message of the caller.

    Customers add them to their own ticket; staff in a reply, or with ``internal`` in a note.
    Too large: 413; wrong type, empty or too many: 400; both name the field ``files``.
    """
    actor, ticket = _own_or_staff_ticket(request, ticket_id, Cap.TICKET_WORK)
    try:
        upload = _read_upload(request)
        if _is_customer(actor) and upload.internal:
            raise PermissionDeniedError(_("Only staff write internal notes or set a ticket to wait."))
        body = upload.body or ", ".join(f.name for f in upload.files)[:20000]
        with _api_fields(attachments="files"):
            if _is_customer(actor):
                message = services.ticket_customer_reply(
                    actor=actor, ticket=ticket, body=body, attachments=upload.files
                )
            else:
                message = services.ticket_reply(
                    actor=actor, ticket=ticket, body=body, internal=upload.internal, attachments=upload.files
                )
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        status = {"too_large": 413, "unsupported_media_type": 415}.get(exc.code)
        if status is None:
            raise
        return _error(request, status, exc)
    return Status(201, message)
