"""Process definitions: the steps a ticket goes through and the control points each step requires."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append
from sqm.core.errors import DomainError
from sqm.core.roles import Cap
from sqm.tickets.models import (
    ControlCheck,
    ControlPoint,
    EventKind,
    ProcessDefinition,
    ProcessStep,
    StepProgress,
    Ticket,
)
from sqm.tickets.selectors import process_steps
from sqm.tickets.services.common import audit, clean_text, event, require_cap, touch


def start(ticket: Ticket, actor: Any) -> None:
    """Put a new ticket on the first step of its type's process."""
    steps = process_steps(ticket.type)
    if steps:
        _enter(ticket, steps[0], actor)


def _enter(ticket: Ticket, step: ProcessStep, actor: Any) -> None:
    StepProgress.objects.get_or_create(ticket=ticket, step=step, defaults={"started_at": timezone.now()})
    ticket.current_step = step
    Ticket.objects.filter(pk=ticket.pk).update(current_step=step)
    event(ticket, EventKind.STEP_STARTED, actor, step=step.pk, name=step.name_zh)


def missing_checks(ticket: Ticket, step: ProcessStep) -> list[ControlPoint]:
    ticked = set(ControlCheck.objects.filter(ticket=ticket).values_list("control_point_id", flat=True))
    return [point for point in step.control_points.all() if point.pk not in ticked]


@transaction.atomic
def control_point_tick(*, actor: Any, ticket: Ticket, control_point: ControlPoint, ticked: bool = True) -> None:
    """Tick (or untick) a key control point of the ticket's current step."""
    require_cap(actor, Cap.TICKET_WORK)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if control_point.step_id != ticket.current_step_id:
        raise DomainError(_("This control point belongs to another step."), field="control_point")
    if ticked:
        _check, created = ControlCheck.objects.get_or_create(
            ticket=ticket,
            control_point=control_point,
            defaults={"checked_by": actor, "checked_at": timezone.now()},
        )
        if created:
            event(ticket, EventKind.CHECKED, actor, control_point=control_point.pk, text=control_point.text_zh)
            audit(actor, "check", ticket, {"control_point": {"before": None, "after": control_point.pk}})
    else:
        deleted, _per_model = ControlCheck.objects.filter(ticket=ticket, control_point=control_point).delete()
        if deleted:
            audit(actor, "uncheck", ticket, {"control_point": {"before": control_point.pk, "after": None}})


@transaction.atomic
def step_complete(*, actor: Any, ticket: Ticket) -> ProcessStep | None:
    """End the current step once all its control points are ticked; returns the next step, if any."""
    require_cap(actor, Cap.TICKET_WORK)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    step = ticket.current_step
    if step is None:
        raise DomainError(_("This ticket has no open process step."), field="step")
    missing = missing_checks(ticket, step)
    if missing:
        raise DomainError(
            _("Tick every control point of “%(step)s” first: %(points)s")
            % {"step": step.name, "points": "; ".join(p.text for p in missing)},
            field="control_points",
            code="unchecked",
        )
    now = timezone.now()
    StepProgress.objects.filter(ticket=ticket, step=step).update(completed_at=now, completed_by=actor)
    event(ticket, EventKind.STEP_COMPLETED, actor, step=step.pk, name=step.name_zh)
    audit(actor, "step_complete", ticket, {"step": {"before": step.pk, "after": None}})
    following = [s for s in process_steps(ticket.type) if s.order > step.order]
    if following:
        _enter(ticket, following[0], actor)
        return following[0]
    Ticket.objects.filter(pk=ticket.pk).update(current_step=None, updated_at=now)
    touch(ticket)
    return None


def open_steps_blocking(ticket: Ticket, *, for_closing: bool) -> list[ProcessStep]:
    """Steps not yet completed that must be done before resolving (or, ``for_closing``, closing)."""
    done = set(StepProgress.objects.filter(ticket=ticket, completed_at__isnull=False).values_list("step_id", flat=True))
    return [
        step for step in process_steps(ticket.type) if step.pk not in done and (for_closing or step.before_resolution)
    ]


# --- editing the definitions (quality manager) ---------------------------------------------------


@transaction.atomic
def step_save(
    *,
    actor: Any,
    definition: ProcessDefinition,
    step: ProcessStep | None,
    order: int,
    name_zh: str,
    name_en: str,
    time_limit_minutes: int | None,
    before_resolution: bool = True,
    control_points: list[tuple[str, str]] | None = None,
) -> ProcessStep:
    """Add or change a step of a process and replace its control points (Chinese, English)."""
    require_cap(actor, Cap.PROCESS_MANAGE)
    name_zh = clean_text(name_zh, "name_zh", 100)
    name_en = clean_text(name_en, "name_en", 100)
    if order < 1 or order > 100:
        raise DomainError(_("The order must be between 1 and 100."), field="order")
    if time_limit_minutes is not None and not 1 <= time_limit_minutes <= 60 * 24 * 60:
        raise DomainError(_("The time limit must be between 1 minute and 60 days."), field="time_limit_minutes")
    clash = ProcessStep.objects.filter(definition=definition, order=order)
    if step is not None:
        clash = clash.exclude(pk=step.pk)
    if clash.exists():
        raise DomainError(_("Another step already has this position."), field="order", code="unique")
    before = None if step is None else _step_state(step)
    step = step or ProcessStep(definition=definition)
    step.order, step.name_zh, step.name_en = order, name_zh, name_en
    step.time_limit_minutes, step.before_resolution = time_limit_minutes, before_resolution
    step.save()
    if control_points is not None:
        step.control_points.all().delete()
        ControlPoint.objects.bulk_create(
            ControlPoint(
                step=step,
                order=i,
                text_zh=clean_text(zh, "control_points", 200),
                text_en=clean_text(en, "control_points", 200),
            )
            for i, (zh, en) in enumerate(control_points, start=1)
        )
    after = _step_state(step)
    audit_append(
        actor=actor,
        action="create" if before is None else "update",
        target=step,
        changes={
            k: {"before": (before or {}).get(k), "after": v} for k, v in after.items() if (before or {}).get(k) != v
        },
    )
    return step


def _step_state(step: ProcessStep) -> dict[str, Any]:
    return {
        "order": step.order,
        "name_zh": step.name_zh,
        "name_en": step.name_en,
        "time_limit_minutes": step.time_limit_minutes,
        "before_resolution": step.before_resolution,
        "control_points": [[p.text_zh, p.text_en] for p in step.control_points.order_by("order")],
    }


@transaction.atomic
def step_retire(*, actor: Any, step: ProcessStep) -> None:
    """Take a step out of the process for new progress; tickets already past it keep their history."""
    require_cap(actor, Cap.PROCESS_MANAGE)
    if step.is_active:
        step.is_active = False
        step.save(update_fields=["is_active"])
        audit_append(actor=actor, action="update", target=step, changes={"is_active": {"before": True, "after": False}})
