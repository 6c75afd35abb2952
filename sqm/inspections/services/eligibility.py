"""Who may inspect what (双随机's second half): never one's own work, never one's own team's.

An inspector may not judge a ticket when they are its agent, handled it (assignee or
first-contact owner), wrote in its thread, belong to the agent's or the ticket's team, or lead
one of those teams. The same rule serves the draw (``sampling.may_inspect`` over stored
inputs), reassignments, calibration sessions and appeal decisions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqm.core.roles import Role
from sqm.inspections import sampling
from sqm.inspections.models import Inspection


def eligible_inspectors() -> list[Any]:
    """Who the draw may pick: active QA inspectors who are not on leave and have not left.

    Quality managers are not drawn: they manage the plans and decide appeals, so they stay free
    to judge anyone's result as the second inspector.
    """
    from sqm.org.models import StaffStatus, User

    return list(
        User.objects.filter(role=Role.QA_INSPECTOR, is_active=True)
        .exclude(profile__status__in=[StaffStatus.ON_LEAVE, StaffStatus.LEFT])
        .order_by("pk")
    )


def inspector_infos(users: Sequence[Any]) -> list[sampling.InspectorInfo]:
    """Each user's team and the teams they lead, as the draw's rule needs them (one query)."""
    from sqm.org.models import Team

    led: dict[int, list[int]] = {}
    for team_id, lead_id in Team.objects.filter(lead__in=[u.pk for u in users]).values_list("pk", "lead_id"):
        led.setdefault(lead_id, []).append(team_id)
    return [sampling.InspectorInfo(u.pk, u.team_id, tuple(sorted(led.get(u.pk, [])))) for u in users]


def thread_writers(ticket_ids: Iterable[int], user_ids: Iterable[int]) -> dict[int, set[int]]:
    """Per ticket, which of ``user_ids`` wrote a message in its thread (a reply or a note makes
    the ticket their work too, whoever handles it now)."""
    from sqm.tickets.models import TicketMessage

    users = list(user_ids)
    tickets = set(ticket_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if not users or not tickets:
        return found
    messages = TicketMessage.objects.filter(author_id__in=users)
    if len(tickets) <= 500:  # a draw's month of tickets: the few messages of its inspectors are fewer
        messages = messages.filter(ticket_id__in=tickets)
    rows = messages.values_list("ticket_id", "author_id").distinct()
    for ticket_id, author_id in rows:
        if ticket_id in tickets:
            found[ticket_id].add(author_id)
    return found


def candidate_of(inspection: Inspection, agent: Any = None) -> sampling.Candidate:
    """The inspection's ticket as the eligibility rule sees it (``agent`` when not yet loaded)."""
    ticket = inspection.ticket
    agent = agent or inspection.agent
    handlers = {h for h in (ticket.assignee_id, ticket.owner_id) if h}
    return sampling.Candidate(
        ticket_id=ticket.pk,
        agent_id=agent.pk,
        ticket_type=ticket.type,
        agent_team_id=inspection.team_id if inspection.team_id is not None else agent.team_id,
        ticket_team_id=ticket.team_id,
        handlers=tuple(sorted(handlers)),
    )


def may_judge_candidate(info: sampling.InspectorInfo, candidate: sampling.Candidate, *, wrote: bool) -> bool:
    """The rule on prepared data: ``wrote`` says whether the inspector wrote in the ticket's thread."""
    return not wrote and sampling.may_inspect(info, candidate)


def may_judge(user: Any, inspection: Inspection) -> bool:
    """Whether ``user`` may inspect (or decide an appeal on) ``inspection``'s ticket: not the agent,
    not a handler of the ticket, not a writer in its thread, not in or leading the agent's or the
    ticket's team."""
    candidate = candidate_of(inspection)
    info = inspector_infos([user])[0]
    wrote = bool(thread_writers([candidate.ticket_id], [user.pk]))
    return may_judge_candidate(info, candidate, wrote=wrote)
