"""Calibration sessions (校准): several inspectors score the same tickets with the same scorecard
version, so their spread and agreement show who scores differently. Calibration inspections never
count as results, KPIs or training needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append
from sqm.core.errors import DomainError
from sqm.core.roles import Cap, can
from sqm.core.validation import clean_text
from sqm.inspections.models import (
    CalibrationSession,
    CalibrationStatus,
    Inspection,
    SampleReason,
    Scorecard,
)
from sqm.inspections.services.base import (
    MAX_CALIBRATION_INSPECTORS,
    MAX_CALIBRATION_TICKETS,
    MAX_TEXT,
    now,
    require,
)
from sqm.inspections.services.eligibility import (
    candidate_of,
    inspector_infos,
    may_judge_candidate,
    thread_writers,
)
from sqm.inspections.services.scorecards import check_published, scorecard_in_force


def _check_choice(tickets: Sequence[Any], people: Sequence[Any]) -> None:
    """1 … 50 tickets and 2 … 12 people who hold ``INSPECTION_PERFORM``."""
    if not tickets:
        raise DomainError(_("Choose at least one ticket."), field="tickets", code="required")
    if len(tickets) > MAX_CALIBRATION_TICKETS:
        raise DomainError(
            _("A session has at most %(max)d tickets.") % {"max": MAX_CALIBRATION_TICKETS}, field="tickets"
        )
    if not 2 <= len(people) <= MAX_CALIBRATION_INSPECTORS:
        raise DomainError(
            _("Choose 2 to %(max)d inspectors.") % {"max": MAX_CALIBRATION_INSPECTORS}, field="inspectors"
        )
    for person in people:
        if not can(person, Cap.INSPECTION_PERFORM):
            raise DomainError(
                _("%(name)s is not a QA inspector or quality manager.") % {"name": person}, field="inspectors"
            )


def _session_rows(
    session: CalibrationSession, scorecard: Scorecard, tickets: Sequence[Any], people: Sequence[Any]
) -> list[Inspection]:
    """One inspection per ticket and person, refused where it would be own or own team's work."""
    from sqm.org.models import User

    agents = User.objects.in_bulk({t.assignee_id or t.owner_id for t in tickets if t.assignee_id or t.owner_id})
    infos = dict(zip([p.pk for p in people], inspector_infos(people), strict=True))
    writers = thread_writers([t.pk for t in tickets], infos)
    rows = []
    for ticket in tickets:
        agent = agents.get(ticket.assignee_id or ticket.owner_id)
        if agent is None:
            raise DomainError(
                _("Ticket %(ticket)s has no agent to inspect.") % {"ticket": ticket.number}, field="tickets"
            )
        candidate = candidate_of(Inspection(ticket=ticket, team_id=agent.team_id), agent)
        for person in people:
            if not may_judge_candidate(infos[person.pk], candidate, wrote=person.pk in writers.get(ticket.pk, ())):
                raise DomainError(
                    _("%(name)s may not score %(ticket)s: own or own team's work.")
                    % {"name": person, "ticket": ticket.number},
                    field="inspectors",
                )
            rows.append(
                Inspection(
                    calibration=session,
                    ticket=ticket,
                    agent=agent,
                    team_id=agent.team_id,
                    inspector=person,
                    scorecard=scorecard,
                    reason=SampleReason.CALIBRATION,
                    assigned_at=session.created_at,
                    updated_at=session.created_at,
                )
            )
    return rows


@transaction.atomic
def calibration_create(
    *,
    actor: Any,
    name: str,
    tickets: Sequence[Any],
    inspectors: Sequence[Any],
    scorecard: Scorecard | None = None,
    note: str = "",
) -> CalibrationSession:
    """A calibration session: every inspector scores every ticket with the same scorecard version.
    At least two inspectors (holding ``INSPECTION_PERFORM``), none of them the ticket's agent or in
    its team."""
    require(actor, Cap.INSPECTION_MANAGE)
    title = clean_text(name, "name", 120)
    scorecard = scorecard or scorecard_in_force()
    if scorecard is None:
        raise DomainError(_("Choose the scorecard: none or several are in force."), field="scorecard", code="required")
    check_published(scorecard)
    ticket_list = list({t.pk: t for t in tickets}.values())
    people = list({u.pk: u for u in inspectors}.values())
    _check_choice(ticket_list, people)
    session = CalibrationSession.objects.create(
        name=title,
        scorecard=scorecard,
        note=clean_text(note, "note", MAX_TEXT, required=False),
        created_by=actor,
        created_at=now(),
    )
    Inspection.objects.bulk_create(_session_rows(session, scorecard, ticket_list, people))
    audit_append(
        actor=actor,
        action="create",
        target=session,
        changes={
            "name": {"before": None, "after": title},
            "scorecard": {"before": None, "after": scorecard.pk},
            "tickets": {"before": None, "after": sorted(t.pk for t in ticket_list)},
            "inspectors": {"before": None, "after": sorted(p.pk for p in people)},
        },
    )
    return session


@transaction.atomic
def calibration_close(*, actor: Any, session: CalibrationSession) -> CalibrationSession:
    """Close a session: no more scoring; its results stay readable. Closing twice changes nothing."""
    require(actor, Cap.INSPECTION_MANAGE)
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if session.status == CalibrationStatus.CLOSED:
        return session
    session.status = CalibrationStatus.CLOSED
    session.closed_at = now()
    session.save(update_fields=["status", "closed_at"])
    audit_append(
        actor=actor,
        action="close",
        target=session,
        changes={"status": {"before": CalibrationStatus.OPEN, "after": CalibrationStatus.CLOSED}},
    )
    return session
