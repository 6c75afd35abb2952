"""Permission-matrix rows of the tickets API (merged by sqm/core/tests/test_permission_matrix.py).

The rows use a ticket of another customer: there only staff holding the capability get in, and a
customer gets 403 like every other role without it. What customers may do on their own tickets
(open, read, reply, reopen, upload) is tested in test_api.py.

``refresh`` puts the ticket back before every call (open, on its first step with every control
point ticked), so each operation has something to act on; the reopen row resolves it first.
"""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import ANY_SIGNED_IN
from sqm.org.models import User
from sqm.org.tests.factories import UserFactory
from sqm.tickets.defaults import install_default_processes
from sqm.tickets.models import ControlCheck, ProcessStep, Status, Ticket, TicketType
from sqm.tickets.tests.factories import TicketFactory

T = "/api/tickets/{ticket_id}"


def _resolved(w: SimpleNamespace, body: dict[str, Any]) -> dict[str, Any]:
    Ticket.objects.filter(pk=w.ticket.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())
    return body


def _file(text: str) -> dict[str, str]:
    return {"name": "通话记录.txt", "content_base64": base64.b64encode(text.encode()).decode()}


API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("POST", "/api/tickets"): (
        Cap.TICKET_WORK,
        lambda w: {"customer_id": w.ticket_customer.pk, "type": "fault", "subject": "来电报修", "channel": "phone"},
    ),
    ("GET", "/api/tickets"): (ANY_SIGNED_IN, None),
    ("GET", "/api/tickets/categories"): (ANY_SIGNED_IN, None),
    ("GET", "/api/tickets/processes"): (Cap.TICKET_VIEW, None),
    ("PUT", "/api/tickets/agents/{agent_id}/shift"): (
        Cap.TICKET_ASSIGN,
        lambda w: {"on_shift": True, "max_concurrent": 6},
    ),
    ("GET", T): (Cap.TICKET_VIEW, None),
    ("PATCH", T): (Cap.TICKET_WORK, lambda w: {"priority": "high"}),
    ("POST", T + "/transition"): (Cap.TICKET_WORK, lambda w: {"status": "pending"}),
    ("POST", T + "/messages"): (Cap.TICKET_WORK, lambda w: {"body": "已联系装维师傅上门", "internal": True}),
    ("POST", T + "/reopen"): (Cap.TICKET_WORK, lambda w: _resolved(w, {"reason": "客户来电表示仍无法上网"})),
    ("POST", T + "/assign"): (Cap.TICKET_ASSIGN, lambda w: {"assignee_id": w.agent.pk}),
    ("POST", T + "/transfer"): (Cap.TICKET_ASSIGN, lambda w: {"team_id": w.team.pk}),
    ("POST", T + "/steps/complete"): (Cap.TICKET_WORK, None),
    ("PUT", T + "/checks/{control_point_id}"): (Cap.TICKET_WORK, lambda w: {"ticked": True}),
    ("GET", T + "/events"): (Cap.TICKET_VIEW, None),
    ("POST", T + "/attachments"): (Cap.TICKET_WORK, lambda w: {"internal": True, "files": [_file("通话要点")]}),
}


def prepare(w: SimpleNamespace) -> None:
    install_default_processes()
    w.ticket_customer = UserFactory(role=Role.CUSTOMER, username="matrix-customer")
    w.shift_agent = UserFactory(role=Role.AGENT, username="matrix-shift-agent")
    w.first_step = (
        ProcessStep.objects.filter(definition__ticket_type=TicketType.CONSULTATION, is_active=True)
        .order_by("order")
        .first()
    )
    w.control_point = w.first_step.control_points.first()
    w.ticket = TicketFactory(customer=w.ticket_customer, type=TicketType.CONSULTATION)


def refresh(w: SimpleNamespace) -> None:
    Ticket.objects.filter(pk=w.ticket.pk).update(
        status=Status.OPEN, current_step=w.first_step, resolved_at=None, closed_at=None
    )
    for point in w.first_step.control_points.all():
        ControlCheck.objects.get_or_create(
            ticket=w.ticket, control_point=point, defaults={"checked_by": w.agent, "checked_at": timezone.now()}
        )


def path_params(w: SimpleNamespace, user: User) -> dict[str, Any]:
    return {"ticket_id": w.ticket.pk, "control_point_id": w.control_point.pk, "agent_id": w.shift_agent.pk}
