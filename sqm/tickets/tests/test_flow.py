"""The main path of a ticket through the services: intake, assignment, process, replies, closure."""

from __future__ import annotations

import pytest

from sqm.audit.services import chain_verify
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.org.tests.factories import UserFactory
from sqm.tickets import services
from sqm.tickets.models import AgentAvailability, ControlPoint, EventKind, Status, Ticket, TicketType
from sqm.tickets.tests.factories import on_shift_agent

pytestmark = pytest.mark.django_db(transaction=True)  # on-commit assignment runs as in production


def _customer():
    return UserFactory(role=Role.CUSTOMER, email="kehu@example.com")


def test_customer_ticket_is_assigned_to_the_least_loaded_skilled_agent():
    busy = on_shift_agent()
    free = on_shift_agent()
    AgentAvailability.objects.filter(user=busy).update(load=3)
    unskilled = on_shift_agent()
    unskilled.skills.all().delete()  # no Mandarin: cannot take a Chinese ticket
    customer = _customer()
    ticket, created = services.ticket_create(
        actor=customer, customer=customer, type=TicketType.CONSULTATION, subject="套餐资费咨询", channel="web"
    )
    ticket.refresh_from_db()
    assert created and ticket.assignee == free and ticket.status == Status.OPEN
    assert AgentAvailability.objects.get(user=free).load == 1
    assert list(ticket.events.values_list("kind", flat=True))[:3] == [
        EventKind.CREATED,
        EventKind.STEP_STARTED,
        EventKind.ASSIGNED,
    ]
    assert chain_verify().ok


def test_same_idempotency_key_gives_the_same_ticket():
    customer = _customer()
    first, created = services.ticket_create(
        actor=customer, customer=customer, type="consultation", subject="A", channel="api", idempotency_key="k-1"
    )
    again, created_again = services.ticket_create(
        actor=customer, customer=customer, type="consultation", subject="A", channel="api", idempotency_key="k-1"
    )
    assert created and not created_again and again.pk == first.pk
    assert Ticket.objects.count() == 1


def test_complaint_owner_stays_through_transfer_and_process_guards_resolution():
    from sqm.org.tests.factories import TeamFactory

    team_a, team_b = TeamFactory(), TeamFactory()
    first = on_shift_agent(team=team_a)
    second = on_shift_agent(team=team_b)
    lead = UserFactory(role=Role.TEAM_LEAD)
    customer = _customer()
    ticket, _ = services.ticket_create(
        actor=customer, customer=customer, type=TicketType.COMPLAINT, subject="装机师傅迟到三小时", channel="web"
    )
    ticket.refresh_from_db()
    assert ticket.assignee == first and ticket.owner == first
    services.ticket_transfer(actor=lead, ticket=ticket, team=team_b)
    ticket.refresh_from_db()
    assert ticket.team == team_b and ticket.assignee == second and ticket.owner == first
    assert AgentAvailability.objects.get(user=first).load == 0

    with pytest.raises(DomainError) as blocked:
        services.ticket_transition(actor=second, ticket=ticket, status=Status.RESOLVED)
    assert blocked.value.errors.keys() == {"status"}
    with pytest.raises(DomainError) as unchecked:
        services.step_complete(actor=second, ticket=ticket)
    assert "control_points" in unchecked.value.errors
    for _step in range(3):  # every step before resolution, ticking its control points
        ticket.refresh_from_db()
        for point in ControlPoint.objects.filter(step=ticket.current_step):
            services.control_point_tick(actor=second, ticket=ticket, control_point=point)
        services.step_complete(actor=second, ticket=ticket)
    services.ticket_reply(actor=second, ticket=ticket, body="已为您处理，请确认。")
    services.ticket_transition(actor=second, ticket=ticket, status=Status.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.first_response_at is not None
    assert AgentAvailability.objects.get(user=second).load == 0
    with pytest.raises(DomainError):  # the follow-up call step still blocks closing
        services.ticket_transition(actor=second, ticket=ticket, status=Status.CLOSED)


def test_customer_sees_and_touches_only_own_tickets():
    customer, stranger = _customer(), _customer()
    ticket, _ = services.ticket_create(
        actor=customer, customer=customer, type="consultation", subject="S", channel="web"
    )
    with pytest.raises(PermissionDeniedError):
        services.ticket_customer_reply(actor=stranger, ticket=ticket, body="hi")
    with pytest.raises(PermissionDeniedError):
        services.ticket_create(actor=stranger, customer=customer, type="consultation", subject="S", channel="web")


def test_customer_reply_wakes_pending_and_reopens_resolved():
    agent = on_shift_agent()
    customer = _customer()
    ticket, _ = services.ticket_create(actor=customer, customer=customer, type="praise", subject="谢谢", channel="web")
    services.ticket_reply(actor=agent, ticket=ticket, body="请问是哪位同事？", wait_for_customer=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    services.ticket_customer_reply(actor=customer, ticket=ticket, body="是王小姐")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    ticket.step_progress.update(completed_at=ticket.created_at)
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.RESOLVED)
    services.ticket_reopen(actor=customer, ticket=ticket, reason="还有问题")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1
    assert AgentAvailability.objects.get(user=agent).load == 1


def test_going_off_shift_hands_tickets_to_colleagues():
    leaving = on_shift_agent()
    customer = _customer()
    tickets = [
        services.ticket_create(actor=customer, customer=customer, type="consultation", subject=f"Q{i}", channel="web")[
            0
        ]
        for i in range(2)
    ]
    staying = on_shift_agent()
    services.shift_set(actor=leaving, agent=leaving, on_shift=False)
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("assignee", flat=True)) == {staying.pk}
    assert AgentAvailability.objects.get(user=leaving).load == 0
    assert AgentAvailability.objects.get(user=staying).load == 2
