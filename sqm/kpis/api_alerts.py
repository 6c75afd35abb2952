"""REST endpoints of tiered alerts (``/api/kpis/alerts``) and the contingency-plan library
(``/api/kpis/plans``).

Reading needs ``ALERT_VIEW``; acknowledging, assigning, submitting plans and raising a major
incident ``ALERT_HANDLE``; verifying, sending back and closing alerts, writing plans and recording
drills ``ALERT_VERIFY``. The capability is checked before anything is looked up, so a role without
it gets 403 for every id. Writes go through :mod:`sqm.kpis.services.alerts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.kpis.models import Alert, AlertLevel, AlertStatus, ContingencyPlan, ContingencyScenario
from sqm.kpis.selectors import alerts as sel
from sqm.kpis.services import alerts as services
from sqm.org.models import User
from sqm.org.schemas import Id, InputSchema, UserRef, bounds, omittable

router = Router()
plans_router = Router()

PlanText = Annotated[str, bounds(services.MAX_PLAN, min_length=1)]
Note = Annotated[str, bounds(services.MAX_NOTE)]
RequiredNote = Annotated[str, bounds(services.MAX_NOTE, min_length=1)]
Title200 = Annotated[str, bounds(200, min_length=1)]
Body = Annotated[str, bounds(50_000, min_length=1)]
OptionalBody = Annotated[str, bounds(50_000)]
Code = Annotated[str, bounds(40, min_length=1)]
LongText = Annotated[str, bounds(10_000, min_length=1)]
OptionalLongText = Annotated[str, bounds(10_000)]


def _require(request: HttpRequest, *caps: Cap) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    if not all(can(actor, cap) for cap in caps):
        raise PermissionDeniedError()
    return actor


@contextmanager
def _api_fields() -> Iterator[None]:
    """Name service errors after the request's fields (``owner`` → ``owner_id``)."""
    try:
        yield
    except DomainError as exc:
        exc.errors = {("owner_id" if field == "owner" else field): msgs for field, msgs in exc.errors.items()}
        raise


# --- schemas ----------------------------------------------------------------------------------------


class PlanRef(Schema):
    id: int
    code: str
    scenario: ContingencyScenario
    title: str


class AlertOut(Schema):
    id: int
    rule: str = Field(description="The rule's code.")
    kind: str
    level: AlertLevel
    status: AlertStatus
    title: str = Field(description="In the caller's language.")
    condition_key: str
    dimension: str
    key: str
    period_start: dt.date | None
    raised_at: dt.datetime
    owner: UserRef | None
    plan_due_at: dt.datetime | None
    overdue: bool = Field(description="The rectification plan is due and not submitted.")
    escalation_level: int
    contingency_plan: PlanRef | None

    @staticmethod
    def resolve_rule(obj: Alert) -> str:
        return obj.rule.code

    @staticmethod
    def resolve_kind(obj: Alert) -> str:
        return obj.rule.kind

    @staticmethod
    def resolve_title(obj: Alert) -> str:
        return obj.display_title

    @staticmethod
    def resolve_overdue(obj: Alert) -> bool:
        return (
            obj.plan_submitted_at is None
            and obj.plan_due_at is not None
            and obj.plan_due_at < timezone.now()
            and obj.status != AlertStatus.CLOSED
        )


class EventOut(Schema):
    kind: str
    actor: UserRef | None
    at: dt.datetime
    note: str


class AlertDetailOut(AlertOut):
    evidence: dict[str, Any]
    acknowledged_at: dt.datetime | None
    plan: str
    plan_submitted_at: dt.datetime | None
    plan_submitted_by: UserRef | None
    verified_by: UserRef | None
    verified_at: dt.datetime | None
    verification_note: str
    closed_at: dt.datetime | None
    task_force: list[UserRef]
    events: list[EventOut]

    @staticmethod
    def resolve_task_force(obj: Alert) -> list[User]:
        return list(obj.task_force.all())

    @staticmethod
    def resolve_events(obj: Alert) -> list[Any]:
        return list(obj.events.all())


class AlertListOut(Schema):
    count: int
    items: list[AlertOut]


class AlertFiltersIn(InputSchema):
    level: AlertLevel | None = None
    status: AlertStatus | None = None
    active: bool = Field(default=False, description="Only alerts that are not closed.")
    overdue: bool = Field(default=False, description="Only alerts whose rectification plan is overdue.")
    mine: bool = Field(default=False, description="Only alerts the caller owns or is on the task force of.")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class AssignIn(InputSchema):
    owner_id: Id


class PlanIn(InputSchema):
    plan: PlanText


class NoteIn(InputSchema):
    note: Note = ""


class ReopenIn(InputSchema):
    note: RequiredNote


class MajorIncidentIn(InputSchema):
    title: Title200
    description: Annotated[str, bounds(services.MAX_DESCRIPTION, min_length=1)]
    scenario: ContingencyScenario


class DrillOut(Schema):
    id: int
    held_on: dt.date
    participants: str
    findings: str
    follow_up: str
    recorded_by: UserRef
    recorded_at: dt.datetime


class PlanOut(Schema):
    id: int
    code: str
    scenario: ContingencyScenario
    title: str
    title_zh: str
    title_en: str
    owner: UserRef | None
    is_active: bool
    updated_at: dt.datetime
    drill_count: int = 0
    last_drill: dt.date | None = None


class PlanDetailOut(PlanOut):
    body_zh: str
    body_en: str
    drills: list[DrillOut]

    @staticmethod
    def resolve_drills(obj: ContingencyPlan) -> list[Any]:
        return list(obj.drills.all())

    @staticmethod
    def resolve_drill_count(obj: ContingencyPlan) -> int:
        return len(obj.drills.all())

    @staticmethod
    def resolve_last_drill(obj: ContingencyPlan) -> dt.date | None:
        dates = [d.held_on for d in obj.drills.all()]
        return max(dates) if dates else None


class PlanCreateIn(InputSchema):
    code: Code
    scenario: ContingencyScenario
    title_zh: Title200
    title_en: Title200
    body_zh: Body
    body_en: OptionalBody = ""
    owner_id: Id | None = None


class PlanPatchIn(InputSchema):
    scenario: ContingencyScenario = omittable()
    title_zh: Title200 = omittable()
    title_en: Title200 = omittable()
    body_zh: Body = omittable()
    body_en: OptionalBody = omittable()
    owner_id: Id | None = Field(default=None, description="null clears the owner.")
    is_active: bool = omittable()


class DrillIn(InputSchema):
    held_on: dt.date
    participants: Annotated[str, bounds(2_000, min_length=1)]
    findings: LongText
    follow_up: OptionalLongText = ""


# --- alerts -----------------------------------------------------------------------------------------


def _alert(alert_id: int) -> Alert:
    alert = sel.alert_detail(alert_id)
    if alert is None:
        raise Http404(_("Not found."))
    return alert


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise DomainError(_("There is no user with this id."), field=field, code="not_found")
    return user


@router.get("", response=AlertListOut, summary="List alerts")
def alerts_list(request: HttpRequest, filters: Query[AlertFiltersIn]) -> Any:
    """Alerts newest first, filtered by level, status (or ``active``), overdue plans and ``mine``."""
    actor = _require(request, Cap.ALERT_VIEW)
    status = filters.status or ("active" if filters.active else "")
    rows = sel.alert_list(
        user=actor,
        filters=sel.AlertFilters(level=filters.level or "", status=status, overdue=filters.overdue, mine=filters.mine),
        now=timezone.now(),
    )
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.post("/major-incidents", response={201: AlertDetailOut}, summary="Raise a major incident")
def alerts_major_incident(request: HttpRequest, payload: MajorIncidentIn) -> Any:
    """A red alert at once, linked to the active contingency plan of ``scenario``, with a task force."""
    actor = _require(request, Cap.ALERT_HANDLE)
    alert = services.alert_raise_major_incident(
        actor=actor, title=payload.title, description=payload.description, scenario=payload.scenario
    )
    return Status(201, _alert(alert.pk))


@router.get("/{alert_id}", response=AlertDetailOut, summary="One alert")
def alerts_get(request: HttpRequest, alert_id: Id) -> Any:
    """An alert with its evidence, rectification plan, task force and timeline."""
    _require(request, Cap.ALERT_VIEW)
    return _alert(alert_id)


@router.post("/{alert_id}/acknowledge", response=AlertDetailOut, summary="Acknowledge an alert")
def alerts_acknowledge(request: HttpRequest, alert_id: Id) -> Any:
    """Open → acknowledged; the caller becomes the owner."""
    actor = _require(request, Cap.ALERT_HANDLE)
    services.alert_acknowledge(actor=actor, alert=_alert(alert_id))
    return _alert(alert_id)


@router.post("/{alert_id}/assign", response=AlertDetailOut, summary="Give an alert another owner")
def alerts_assign(request: HttpRequest, alert_id: Id, payload: AssignIn) -> Any:
    actor = _require(request, Cap.ALERT_HANDLE)
    alert = _alert(alert_id)
    with _api_fields():
        services.alert_assign(actor=actor, alert=alert, owner=_user(payload.owner_id, "owner_id"))
    return _alert(alert_id)


@router.post("/{alert_id}/plan", response=AlertDetailOut, summary="Submit the rectification plan")
def alerts_plan(request: HttpRequest, alert_id: Id, payload: PlanIn) -> Any:
    """Acknowledged → plan submitted (the owner, or a quality manager)."""
    actor = _require(request, Cap.ALERT_HANDLE)
    services.alert_plan_submit(actor=actor, alert=_alert(alert_id), plan=payload.plan)
    return _alert(alert_id)


@router.post("/{alert_id}/verify", response=AlertDetailOut, summary="Verify the rectification")
def alerts_verify(request: HttpRequest, alert_id: Id, payload: NoteIn) -> Any:
    """Plan submitted → verified; not by the plan's author."""
    actor = _require(request, Cap.ALERT_VERIFY)
    services.alert_verify(actor=actor, alert=_alert(alert_id), note=payload.note)
    return _alert(alert_id)


@router.post("/{alert_id}/reopen", response=AlertDetailOut, summary="Send the plan back (verification failed)")
def alerts_reopen(request: HttpRequest, alert_id: Id, payload: ReopenIn) -> Any:
    """Plan submitted or verified → acknowledged, with a new due date and the reason."""
    actor = _require(request, Cap.ALERT_VERIFY)
    services.alert_reopen(actor=actor, alert=_alert(alert_id), note=payload.note)
    return _alert(alert_id)


@router.post("/{alert_id}/close", response=AlertDetailOut, summary="Close a verified alert")
def alerts_close(request: HttpRequest, alert_id: Id, payload: NoteIn) -> Any:
    actor = _require(request, Cap.ALERT_VERIFY)
    services.alert_close(actor=actor, alert=_alert(alert_id), note=payload.note)
    return _alert(alert_id)


# --- contingency plans ------------------------------------------------------------------------------


def _plan(plan_id: int) -> ContingencyPlan:
    plan = sel.plan_detail(plan_id)
    if plan is None:
        raise Http404(_("Not found."))
    return plan


@plans_router.get("", response=list[PlanOut], summary="The contingency-plan library")
def plans_list(request: HttpRequest, active: bool = False) -> Any:
    """Every plan (``active=true``: plans in use only), with its number of drills."""
    _require(request, Cap.ALERT_VIEW)
    return list(sel.plan_list(include_retired=not active))


@plans_router.post("", response={201: PlanDetailOut}, summary="Add a contingency plan")
def plans_create(request: HttpRequest, payload: PlanCreateIn) -> Any:
    actor = _require(request, Cap.ALERT_VERIFY)
    with _api_fields():
        plan = services.plan_create(
            actor=actor,
            code=payload.code,
            scenario=payload.scenario,
            title_zh=payload.title_zh,
            title_en=payload.title_en,
            body_zh=payload.body_zh,
            body_en=payload.body_en,
            owner=_user(payload.owner_id, "owner_id"),
        )
    return Status(201, _plan(plan.pk))


@plans_router.get("/{contingency_plan_id}", response=PlanDetailOut, summary="One contingency plan")
def plans_get(request: HttpRequest, contingency_plan_id: Id) -> Any:
    _require(request, Cap.ALERT_VIEW)
    return _plan(contingency_plan_id)


@plans_router.patch("/{contingency_plan_id}", response=PlanDetailOut, summary="Change a contingency plan")
def plans_patch(request: HttpRequest, contingency_plan_id: Id, payload: PlanPatchIn) -> Any:
    """Change the fields given; ``is_active`` retires the plan or brings it back."""
    actor = _require(request, Cap.ALERT_VERIFY)
    plan = _plan(contingency_plan_id)
    data = payload.model_dump(exclude_unset=True)
    owner = _user(data["owner_id"], "owner_id") if "owner_id" in data else plan.owner
    with _api_fields():
        services.plan_update(
            actor=actor,
            plan=plan,
            scenario=data.get("scenario", plan.scenario),
            title_zh=data.get("title_zh", plan.title_zh),
            title_en=data.get("title_en", plan.title_en),
            body_zh=data.get("body_zh", plan.body_zh),
            body_en=data.get("body_en", plan.body_en),
            owner=owner,
        )
    if "is_active" in data:
        services.plan_set_active(actor=actor, plan=plan, active=bool(data["is_active"]))
    return _plan(contingency_plan_id)


@plans_router.post("/{contingency_plan_id}/drills", response={201: DrillOut}, summary="Record a drill of a plan")
def plans_drill(request: HttpRequest, contingency_plan_id: Id, payload: DrillIn) -> Any:
    actor = _require(request, Cap.ALERT_VERIFY)
    drill = services.drill_record(
        actor=actor,
        plan=_plan(contingency_plan_id),
        held_on=payload.held_on,
        participants=payload.participants,
        findings=payload.findings,
        follow_up=payload.follow_up,
    )
    return Status(201, drill)
