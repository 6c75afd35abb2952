"""REST endpoints of SLA policies (``/api/sla``): list the versions, save a draft, publish it.

Quality managers (``Cap.PROCESS_MANAGE``) only, checked before anything is read. A policy may
name a customer tier (``standard``, ``vip``, ``key_account``; see
:class:`sqm.org.models.CustomerTier`); an unknown tier, type or priority is refused with 400
naming the field, by the same service check as the policy page.
Writes go through :mod:`sqm.tickets.sla.services`, so they are validated and audited like the
policy pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from pydantic import Field

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.org.models import CustomerTier, User
from sqm.org.schemas import Id, InputSchema, bounds
from sqm.tickets.models import Priority, SlaPolicy, TicketType, WorkCalendar
from sqm.tickets.sla import selectors, services

router = Router()

PolicyCode = Annotated[str, bounds(40, min_length=1)]
PolicyName = Annotated[str, bounds(100, min_length=1)]


class PolicyOut(Schema):
    id: int
    code: str
    version: int
    name: str
    status: str
    effective_from: dt.date
    ticket_type: str = Field(description="Blank: any type.")
    priority: str = Field(description="Blank: any priority.")
    tier: str = Field(description="Customer tier the policy is limited to; blank: any tier.")
    response_minutes: int
    resolution_minutes: int
    warn_fraction: float
    escalate_after_minutes: int
    calendar_id: int | None = Field(description="Blank: the team's or the centre's calendar.")

    @staticmethod
    def resolve_tier(obj: SlaPolicy) -> str:
        return obj.tier or ""


class PolicyIn(InputSchema):
    code: PolicyCode
    name: PolicyName
    effective_from: dt.date
    ticket_type: str = Field(default="", max_length=16, json_schema_extra={"enum": ["", *TicketType.values]})
    priority: str = Field(default="", max_length=8, json_schema_extra={"enum": ["", *Priority.values]})
    tier: str = Field(
        default="",
        max_length=20,
        description="A customer tier (standard, vip, key_account); blank: any tier.",
        json_schema_extra={"enum": ["", *CustomerTier.values]},
    )
    response_minutes: int = Field(ge=1, le=10_000_000)
    resolution_minutes: int = Field(ge=1, le=10_000_000)
    warn_fraction: float = Field(default=0.75, gt=0, lt=1)
    escalate_after_minutes: int = Field(default=60, ge=0, le=10_000_000)
    calendar_id: Id | None = None


def _require(request: HttpRequest, cap: Cap) -> User:
    actor: User = request.auth  # type: ignore[attr-defined]
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


@router.get("/policies", response=list[PolicyOut], summary="SLA policy versions")
def policies_list(request: HttpRequest) -> Any:
    """Every version of every SLA policy, newest first within a code."""
    _require(request, Cap.PROCESS_MANAGE)
    return list(selectors.policies())


@router.post("/policies", response={201: PolicyOut}, summary="Save a draft SLA policy version")
def policies_create(request: HttpRequest, payload: PolicyIn) -> Any:
    """A new policy, or the next version of an existing code, as a draft (publish it to apply it)."""
    actor = _require(request, Cap.PROCESS_MANAGE)
    data = payload.model_dump(exclude={"calendar_id"})
    calendar = None
    if payload.calendar_id is not None:
        calendar = WorkCalendar.objects.filter(pk=payload.calendar_id).first()
        if calendar is None:
            raise DomainError(_("There is no calendar with this id."), field="calendar_id", code="not_found")
    policy = services.policy_draft_save(actor=actor, calendar=calendar, **data)
    return Status(201, policy)


@router.post("/policies/{policy_id}/publish", response=PolicyOut, summary="Put a draft SLA policy into effect")
def policies_publish(request: HttpRequest, policy_id: Id) -> Any:
    """Publish a draft: it applies to tickets arriving from its date; older versions are superseded then."""
    actor = _require(request, Cap.PROCESS_MANAGE)
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise Http404
    return services.policy_publish(actor=actor, policy=policy)
