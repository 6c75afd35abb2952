"""Automatic and manual assignment, shifts and first-contact ownership.

Automatic assignment picks, among agents who are active, on shift, under their cap and hold
every skill the ticket needs (category, language, channel), the one with the lowest load, then
the one assigned longest ago (round robin among equals). All candidate availability rows are
locked in id order for the decision, so concurrent assigners from any number of processes take
turns: no ticket is assigned twice and loads stay balanced.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append
from sqm.core.errors import DomainError
from sqm.core.roles import Cap, Role
from sqm.org.models import AgentSkill, Skill, SkillKind, User
from sqm.tickets.models import ACTIVE_STATUSES, AgentAvailability, EventKind, Ticket, TicketType
from sqm.tickets.services.common import active, audit, event, load_add, require_cap
from sqm.tickets.sla.services import clock_team_changed as sla_team_changed

ASSIGNABLE_ROLES = (Role.AGENT,)


def queue_auto_assign(ticket_id: int) -> None:
    """Hand the ticket to the task queue for automatic assignment (inline in tests)."""
    from sqm import schedule

    schedule.auto_assign(ticket_id)


def required_skills(ticket: Ticket) -> list[int]:
    """The ids of the skills an agent must hold to take ``ticket``."""
    wanted = Q(kind=SkillKind.LANGUAGE, code=ticket.language) | Q(kind=SkillKind.CHANNEL, code=ticket.channel)
    ids = list(Skill.objects.filter(wanted, is_active=True).values_list("pk", flat=True))
    if ticket.category_id and ticket.category and ticket.category.skill_id:
        ids.append(ticket.category.skill_id)
    return ids


def _candidates(ticket: Ticket, skill_ids: list[int]) -> Any:
    rows = AgentAvailability.objects.filter(
        on_shift=True,
        load__lt=F("max_concurrent"),
        user__is_active=True,
        user__role__in=ASSIGNABLE_ROLES,
    )
    if ticket.team_id:
        rows = rows.filter(user__team_id=ticket.team_id)
    for skill_id in set(skill_ids):
        rows = rows.filter(user_id__in=AgentSkill.objects.filter(skill_id=skill_id).values("user_id"))
    return rows


def auto_assign(*, ticket_id: int) -> User | None:
    """Assign an unassigned active ticket to the best available agent; None if nobody fits now.

    Idempotent: a ticket that already has an agent, or is no longer active, is left alone.
    """
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("category").filter(pk=ticket_id).first()
        if ticket is None or ticket.assignee_id is not None or not active(ticket.status):
            return None
        candidates = list(_candidates(ticket, required_skills(ticket)).select_for_update(of=("self",)).order_by("pk"))
        if not candidates:
            return None
        never = timezone.now().replace(year=1970)
        chosen = min(candidates, key=lambda a: (a.load, a.last_assigned_at or never, a.pk))
        agent = User.objects.get(pk=chosen.user_id)
        _assign(ticket, agent, actor=None, reason="auto")
        return agent


def assign_to(*, actor: Any, ticket: Ticket, agent: User, reason: str = "manual") -> Ticket:
    """Give a ticket to a named agent: a team lead's reassignment, or the agent who logged a call."""
    if reason == "manual":
        require_cap(actor, Cap.TICKET_ASSIGN)
    if agent.role not in (*ASSIGNABLE_ROLES, Role.TEAM_LEAD) or not agent.is_active:
        raise DomainError(_("Tickets can only go to active agents."), field="assignee")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not active(ticket.status):
            raise DomainError(_("Only open tickets can be assigned."), field="assignee")
        if ticket.assignee_id == agent.pk:
            return ticket
        AgentAvailability.objects.get_or_create(user=agent)
        _assign(ticket, agent, actor=actor, reason=reason)
    return ticket


def _assign(ticket: Ticket, agent: User, *, actor: Any, reason: str) -> None:
    previous = ticket.assignee_id
    if active(ticket.status):
        load_add(previous, -1)
        load_add(agent.pk, +1)
    now = timezone.now()
    AgentAvailability.objects.filter(user=agent).update(last_assigned_at=now)
    changes: dict[str, Any] = {"assignee": {"before": previous, "after": agent.pk}}
    ticket.assignee = agent
    if ticket.team_id is None and agent.team_id is not None:
        changes["team"] = {"before": None, "after": agent.team_id}
        ticket.team_id = agent.team_id
    if ticket.type == TicketType.COMPLAINT and ticket.owner_id is None:
        ticket.owner = agent  # 首问负责制: the first agent stays the owner until closure
        changes["owner"] = {"before": None, "after": agent.pk}
        event(ticket, EventKind.OWNER, actor, owner=agent.pk)
    if ticket.status == "new":
        changes["status"] = {"before": "new", "after": "open"}
        ticket.status = "open"
    ticket.updated_at = now
    ticket.save(update_fields=["assignee", "team", "owner", "status", "updated_at"])
    if "team" in changes:
        sla_team_changed(ticket, actor=actor)
    event(ticket, EventKind.ASSIGNED, actor, assignee=agent.pk, previous=previous, reason=reason)
    audit(actor, "assign", ticket, changes)


def unassign(ticket: Ticket, actor: Any, reason: str) -> None:
    """Take the agent off a ticket (transfer, agent off shift) and queue it for a new one."""
    previous = ticket.assignee_id
    if previous is None:
        return
    if active(ticket.status):
        load_add(previous, -1)
    ticket.assignee = None
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["assignee", "updated_at"])
    event(ticket, EventKind.UNASSIGNED, actor, previous=previous, reason=reason)
    audit(actor, "unassign", ticket, {"assignee": {"before": previous, "after": None}})
    if active(ticket.status):
        transaction.on_commit(lambda: queue_auto_assign(ticket.pk))


@transaction.atomic
def shift_set(*, actor: Any, agent: User, on_shift: bool, max_concurrent: int | None = None) -> AgentAvailability:
    """Start or end an agent's shift. Ending it hands their open tickets to colleagues on shift."""
    if getattr(actor, "pk", None) != agent.pk:
        require_cap(actor, Cap.TICKET_ASSIGN)
    if agent.role not in (*ASSIGNABLE_ROLES, Role.TEAM_LEAD):
        raise DomainError(_("Only agents work shifts."), field="agent")
    if max_concurrent is not None and not 1 <= max_concurrent <= 50:
        raise DomainError(_("The cap must be between 1 and 50 tickets."), field="max_concurrent")
    availability, _created = AgentAvailability.objects.select_for_update().get_or_create(user=agent)
    before = {"on_shift": availability.on_shift, "max_concurrent": availability.max_concurrent}
    availability.on_shift = on_shift
    if max_concurrent is not None:
        availability.max_concurrent = max_concurrent
    availability.changed_at = timezone.now()
    availability.save()
    after = {"on_shift": availability.on_shift, "max_concurrent": availability.max_concurrent}
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changes:
        audit_append(actor=actor, action="update", target=availability, changes=changes)
    if not on_shift:
        for ticket in Ticket.objects.select_for_update().filter(assignee=agent, status__in=ACTIVE_STATUSES):
            unassign(ticket, actor, reason="off_shift")
    else:
        transaction.on_commit(_assign_waiting)
    return availability


def _assign_waiting() -> None:
    """When someone comes on shift, offer them the unassigned backlog."""
    for ticket_id in backlog_ids():
        queue_auto_assign(ticket_id)


def backlog_ids(limit: int = 500) -> list[int]:
    """Unassigned active tickets, most urgent and oldest first."""
    return list(
        Ticket.objects.filter(assignee__isnull=True, status__in=ACTIVE_STATUSES)
        .order_by("priority_rank", "created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
