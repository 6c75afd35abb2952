"""Request and response shapes of the tickets API (``/api/tickets``).

Input schemas forbid unknown fields and bound every length and range, so a bad request is
answered with 422 naming the field before any service runs. PATCH schemas tell "omitted" from
"null" (see :mod:`sqm.org.schemas`): only ``category_id`` may be null, meaning "no category".
Responses never show internal notes to customers (see :func:`visible_messages`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from sqm.core.roles import Role
from sqm.org.schemas import Id, InputSchema, TeamRef, bounds, omittable
from sqm.tickets.models import Channel, MessageKind, Priority, Status, TicketType

# --- building blocks ---------------------------------------------------------------------------

Subject = Annotated[str, bounds(200, min_length=1)]
Description = Annotated[str, bounds(20000)]
MessageBody = Annotated[str, bounds(20000, min_length=1)]
OptionalBody = Annotated[str, bounds(20000)]
Reason = Annotated[str, bounds(2000, min_length=1)]
SearchText = Annotated[str, bounds(100)]
TicketLanguage = Literal["zh", "en", "yue"]
Sort = Literal["priority", "age", "-age", "due", "due_response"]
SlaRisk = Literal["on_track", "warning", "breached"]
#: The opaque cursor of a queue page (base64url of the last row's sort keys).
Cursor = Annotated[str, StringConstraints(max_length=300, pattern=r"^[A-Za-z0-9_-]*$")]
#: An agent id, or ``mine`` for the caller.
AssigneeRef = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(mine|[1-9][0-9]{0,17})$")]
#: Visible ASCII (spaces allowed inside), as clients put UUIDs or request ids in the header.
IdempotencyKey = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[\x20-\x7e]+$")
]
ConcurrentCap = Annotated[int, Field(ge=1, le=50, description="Most active tickets the agent holds at once.")]
FileName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00/\\]+$")]
#: Base64 of at most 10 MB (the JSON body limit of the server is lower still, see the endpoint).
Base64 = Annotated[str, StringConstraints(min_length=1, max_length=14_000_000, pattern=r"^[A-Za-z0-9+/=\s]*$")]


def _statuses(values: list[str]) -> list[str]:
    """Every value a ticket status; the error names the parameter (not its position)."""
    if any(value not in Status.values for value in values):
        expected = ", ".join(f"'{value}'" for value in Status.values)
        raise PydanticCustomError("enum", "Must be one of: {expected}", {"expected": expected})
    return values


#: Ticket statuses in a query (``status=new&status=open``).
StatusList = Annotated[
    list[str], AfterValidator(_statuses), WithJsonSchema({"type": "array", "items": {"enum": list(Status.values)}})
]


# --- references ---------------------------------------------------------------------------------


class PersonRef(Schema):
    """Someone a ticket refers to. No user names: customers read these too."""

    id: int
    display_name: str
    role: str


class CategoryRef(Schema):
    id: int
    code: str
    name: str


class StepRef(Schema):
    id: int
    order: int
    name: str


# --- tickets ------------------------------------------------------------------------------------


class TicketOut(Schema):
    """A ticket as queues list it (no thread)."""

    id: int
    number: str
    type: TicketType
    priority: Priority
    status: Status
    channel: Channel
    language: str
    subject: str
    category: CategoryRef | None
    customer: PersonRef
    team: TeamRef | None
    assignee: PersonRef | None
    owner: PersonRef | None = Field(description="First-contact owner of a complaint (首问负责制).")
    current_step: StepRef | None
    reopen_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    due_response_at: dt.datetime | None
    due_resolution_at: dt.datetime | None


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_after: str | None = Field(description="Pass as ``after`` for the next page; null on the last page.")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


class MessageOut(Schema):
    id: int
    kind: MessageKind
    author: PersonRef | None
    body: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class StepProgressOut(Schema):
    step_id: int
    started_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by_id: int | None


class CheckOut(Schema):
    control_point_id: int
    checked_by: PersonRef
    checked_at: dt.datetime


def visible_messages(ticket: Any, viewer: Any) -> list[Any]:
    """The thread as ``viewer`` may read it: customers never see internal notes."""
    messages = list(ticket.messages.all())
    if getattr(viewer, "role", None) == Role.CUSTOMER:
        messages = [m for m in messages if m.kind != MessageKind.NOTE]
    return messages


class TicketDetailOut(TicketOut):
    """A ticket with its thread, where it stands in its process, and the ticked control points."""

    description: str
    messages: list[MessageOut]
    steps: list[StepProgressOut]
    checks: list[CheckOut]

    @staticmethod
    def resolve_messages(obj: Any, context: Any) -> list[Any]:
        request = (context or {}).get("request")
        return visible_messages(obj, getattr(request, "auth", None))

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.step_progress.all())

    @staticmethod
    def resolve_checks(obj: Any) -> list[Any]:
        return list(obj.checks.all())


class EventOut(Schema):
    id: int
    kind: str
    actor: PersonRef | None
    at: dt.datetime
    data: dict[str, Any]


class TicketFilters(InputSchema):
    """Queue filters. Without ``status`` a staff queue shows active tickets, a customer all of theirs."""

    status: StatusList = Field(default_factory=list, description="Repeat for several: status=new&status=open.")
    type: TicketType | None = None
    priority: Priority | None = None
    channel: Channel | None = None
    category_id: Id | None = None
    team_id: Id | None = None
    assignee_id: AssigneeRef | None = Field(default=None, description="An agent's id, or ``mine``.")
    unassigned: bool = False
    owner_id: Id | None = Field(default=None, description="First-contact owner.")
    customer_id: Id | None = None
    q: SearchText = Field(default="", description="Part of the subject, or a ticket number (T00000042).")
    risk: SlaRisk | None = Field(
        default=None, description="SLA risk of the ticket's clock; on_track also takes tickets without a clock."
    )
    sort: Sort | None = Field(
        default=None,
        description=(
            "Staff default: priority; customers: -age (newest first). due / due_response: soonest resolution / "
            "response due time first, tickets without an SLA clock last."
        ),
    )
    after: Cursor = Field(default="", description="The ``next_after`` of the previous page.")
    limit: int = Field(default=50, ge=1, le=200)


class TicketCreateIn(InputSchema):
    type: TicketType
    subject: Subject
    description: Description = ""
    channel: Channel = Field(default=Channel.API, description="Customers: api (or web, qr). Staff: any channel.")
    priority: Priority = Priority.NORMAL
    category_id: Id | None = None
    language: TicketLanguage = "zh"
    customer_id: Id | None = Field(
        default=None, description="Staff: the customer the contact is logged for (required). Customers: leave out."
    )


class TicketPatchIn(InputSchema):
    priority: Priority = omittable()
    type: TicketType = omittable()
    category_id: Id | None = Field(default=None, description="null takes the ticket out of its category.")
    subject: Subject = omittable()


class TransitionIn(InputSchema):
    status: Status


class MessageIn(InputSchema):
    body: MessageBody
    internal: bool = Field(default=False, description="Staff only: an internal note the customer never sees.")
    wait_for_customer: bool = Field(default=False, description="Staff only: the ticket then waits on the customer.")


class ReopenIn(InputSchema):
    reason: Reason


class AssignIn(InputSchema):
    assignee_id: Id


class TransferIn(InputSchema):
    team_id: Id


class CheckIn(InputSchema):
    ticked: bool


class CheckStateOut(Schema):
    control_point_id: int
    ticked: bool


class ShiftIn(InputSchema):
    on_shift: bool
    max_concurrent: ConcurrentCap = omittable()


class AvailabilityOut(Schema):
    user_id: int
    on_shift: bool
    max_concurrent: int
    load: int
    changed_at: dt.datetime | None


class FileIn(InputSchema):
    name: FileName
    content_base64: Base64


class AttachmentsIn(InputSchema):
    """JSON form of an upload, for clients that cannot send multipart (bodies up to 5 MB)."""

    body: OptionalBody = Field(default="", description="Text of the message; the file names when empty.")
    internal: bool = False
    files: list[FileIn] = Field(min_length=1, max_length=10)


class AttachmentsFormIn(InputSchema):
    """The non-file fields of a multipart upload."""

    body: OptionalBody = ""
    internal: bool = False


# --- categories and processes -----------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    name_zh: str
    name_en: str
    skill_id: int | None
    is_active: bool


class ControlPointOut(Schema):
    id: int
    order: int
    text: str
    text_zh: str
    text_en: str


class ProcessStepOut(Schema):
    id: int
    order: int
    name: str
    name_zh: str
    name_en: str
    time_limit_minutes: int | None
    before_resolution: bool
    is_active: bool
    control_points: list[ControlPointOut]

    @staticmethod
    def resolve_control_points(obj: Any) -> list[Any]:
        return list(obj.control_points.all())


class ProcessOut(Schema):
    id: int
    ticket_type: TicketType
    name: str
    steps: list[ProcessStepOut]

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


# --- SLA clock ------------------------------------------------------------------------------------


class SlaTargetOut(Schema):
    """One target of a ticket's SLA clock (first response or resolution), worked out at request time."""

    target: Literal["response", "resolution"]
    minutes: int = Field(description="The target in business minutes.")
    due_at: dt.datetime | None = Field(description="Wall-clock due time (a lower bound while the clock is paused).")
    warn_at: dt.datetime | None
    met_at: dt.datetime | None
    met_on_time: bool | None
    business_left_seconds: int = Field(description="Business time left; negative when overdue.")
    business_spent_seconds: int
    state: Literal["met", "paused", "on_track", "warning", "breached"]
    risk: SlaRisk

    @staticmethod
    def resolve_business_spent_seconds(obj: dict[str, Any]) -> int:
        return int(obj["business_spent"].total_seconds())


class SlaEventOut(Schema):
    id: int
    kind: str
    target: str
    at: dt.datetime
    on_time: bool | None
    policy_id: int | None
    data: dict[str, Any]


class TicketSlaOut(Schema):
    """A ticket's SLA countdown and every clock event. ``has_clock`` is false (and the rest empty)
    for a ticket no SLA policy applies to."""

    has_clock: bool
    policy: str | None = None
    policy_id: int | None = None
    calendar: str | None = None
    time_zone: str | None = None
    started_at: dt.datetime | None = None
    paused: bool = False
    stopped: bool = False
    paused_since: dt.datetime | None = None
    pause_reason: str = ""
    risk: SlaRisk | None = None
    targets: list[SlaTargetOut] = Field(default_factory=list)
    events: list[SlaEventOut] = Field(default_factory=list)
