"""The agent, team-lead and quality-manager pages: queues, the ticket page, logging a contact,
process definitions and canned replies, driven through the web client as people use them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from sqm.audit.models import AuditEntry
from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Role
from sqm.org.models import User
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets import services, views
from sqm.tickets.models import (
    AgentAvailability,
    Attachment,
    CannedReply,
    Channel,
    ControlCheck,
    MessageKind,
    Priority,
    ProcessDefinition,
    ProcessStep,
    Status,
    StepProgress,
    Ticket,
    TicketMessage,
    TicketType,
)
from sqm.tickets.services.attachments import IncomingFile
from sqm.tickets.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def en(make_user: Callable[..., User]) -> Callable[..., User]:
    """Users who read the pages in English, so the tests can look for the English wording."""

    def make(role: str = Role.AGENT, **kwargs: Any) -> User:
        return make_user(role, language="en", **kwargs)

    return make


@pytest.fixture
def agent(en: Callable[..., User]) -> User:
    return en(Role.AGENT, team=TeamFactory(), display_name="王小明")


@pytest.fixture
def customer() -> User:
    return UserFactory(role=Role.CUSTOMER, display_name="张三", phone="13800138000")


def _logged(agent: User, customer: User, **kwargs: Any) -> Ticket:
    """A ticket the agent logged from a call: it is assigned to them and on its first process step."""
    fields = {"type": TicketType.CONSULTATION, "subject": "宽带资费咨询", "channel": Channel.PHONE, **kwargs}
    ticket, _created = services.ticket_create(actor=agent, customer=customer, **fields)
    ticket.refresh_from_db()
    return ticket


def _page(response: Any) -> str:
    return response.content.decode()


def _rows(response: Any) -> list[str]:
    """The ticket numbers listed in a queue table, in order."""
    return re.findall(r'<td class="mono"><a href="/tickets/\d+/">(T\d{8})</a>', _page(response))


# --- queues ------------------------------------------------------------------------------------


def test_my_queue_lists_my_active_tickets_with_their_facts(client_for, agent, customer):
    mine = TicketFactory(
        assignee=agent, team=agent.team, status=Status.OPEN, priority=Priority.URGENT, customer=customer
    )
    TicketFactory(assignee=agent, status=Status.CLOSED)
    TicketFactory(assignee=UserFactory(role=Role.AGENT), status=Status.OPEN)
    response = client_for(agent).get(reverse("tickets:my_queue"))
    page = _page(response)
    assert response.status_code == 200
    assert _rows(response) == [mine.number]
    for fact in (mine.subject, "张三", "13800138000", "Urgent", "Open", "王小明", agent.team.name):
        assert fact in page


def test_team_queue_shows_an_agents_own_team_and_filters_unassigned(client_for, agent):
    other_team = TeamFactory()
    waiting = TicketFactory(team=agent.team)
    taken = TicketFactory(team=agent.team, assignee=UserFactory(role=Role.AGENT, team=agent.team))
    TicketFactory(team=other_team)
    client = client_for(agent)
    url = reverse("tickets:team_queue")
    assert sorted(_rows(client.get(url))) == sorted([waiting.number, taken.number])
    assert _rows(client.get(url, {"assignee": "none"})) == [waiting.number]
    assert sorted(_rows(client.get(url, {"team": other_team.pk}))) == sorted([waiting.number, taken.number])


def test_an_agent_without_a_team_gets_no_team_queue(client_for, en):
    TicketFactory()
    response = client_for(en(Role.AGENT)).get(reverse("tickets:team_queue"))
    assert response.status_code == 200 and _rows(response) == []
    assert "You are not in a team yet" in _page(response)


def test_a_lead_sees_their_team_first_and_can_pick_another_or_all(client_for, en):
    team_a, team_b = TeamFactory(), TeamFactory()
    lead = en(Role.TEAM_LEAD, team=team_a)
    in_a, in_b = TicketFactory(team=team_a), TicketFactory(team=team_b)
    client = client_for(lead)
    url = reverse("tickets:team_queue")
    assert _rows(client.get(url)) == [in_a.number]
    assert _rows(client.get(url, {"team": team_b.pk})) == [in_b.number]
    assert sorted(_rows(client.get(url, {"team": ""}))) == sorted([in_a.number, in_b.number])


def test_owned_lists_the_complaints_i_own_wherever_they_are_until_closed(client_for, agent):
    elsewhere = TeamFactory()
    colleague = UserFactory(role=Role.AGENT, team=elsewhere)
    moved = TicketFactory(type=TicketType.COMPLAINT, owner=agent, team=elsewhere, assignee=colleague)
    resolved = TicketFactory(type=TicketType.COMPLAINT, owner=agent, status=Status.RESOLVED)
    TicketFactory(type=TicketType.COMPLAINT, owner=agent, status=Status.CLOSED)
    TicketFactory(type=TicketType.COMPLAINT, owner=colleague)
    response = client_for(agent).get(reverse("tickets:owned"))
    assert sorted(_rows(response)) == sorted([moved.number, resolved.number])
    assert str(colleague) in _page(response) and "王小明" in _page(response)  # assignee and owner columns


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "pending"}, "pending"),
        ({"status": "all", "type": "complaint"}, "complaint"),
        ({"priority": "high"}, "high"),
        ({"channel": "email"}, "email"),
        ({"q": "发票"}, "text"),
    ],
)
def test_queue_filters(client_for, en, params, expected):
    lead = en(Role.QUALITY_MANAGER)
    plain = TicketFactory(subject="宽带报修")
    tickets = {
        "pending": TicketFactory(status=Status.PENDING),
        "complaint": TicketFactory(type=TicketType.COMPLAINT, status=Status.CLOSED),
        "high": TicketFactory(priority=Priority.HIGH, priority_rank=1),
        "email": TicketFactory(channel=Channel.EMAIL),
        "text": TicketFactory(subject="发票开错了"),
    }
    response = client_for(lead).get(reverse("tickets:team_queue"), params)
    assert _rows(response) == [tickets[expected].number]
    assert plain.number not in _page(response)


def test_queue_filters_by_category_assignee_customer_and_number(client_for, en, customer):
    manager = en(Role.QUALITY_MANAGER)
    category = CategoryFactory()
    worker = UserFactory(role=Role.AGENT)
    in_category = TicketFactory(category=category)
    assigned = TicketFactory(assignee=worker)
    of_customer = TicketFactory(customer=customer)
    TicketFactory()
    client = client_for(manager)
    url = reverse("tickets:team_queue")
    assert _rows(client.get(url, {"category": category.pk})) == [in_category.number]
    assert _rows(client.get(url, {"assignee": worker.pk})) == [assigned.number]
    assert _rows(client.get(url, {"customer": "13800138000"})) == [of_customer.number]
    assert _rows(client.get(url, {"customer": customer.username})) == [of_customer.number]
    assert _rows(client.get(url, {"q": assigned.number})) == [assigned.number]
    unknown = client.get(url, {"customer": "nobody-here"})
    assert _rows(unknown) == [] and "No customer has this user name" in _page(unknown)


def test_queue_sorts_by_priority_or_age_and_pages_by_cursor(client_for, en, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 4)
    manager = en(Role.QUALITY_MANAGER)
    low = TicketFactory(priority=Priority.LOW, priority_rank=3)
    tickets = [TicketFactory() for _ in range(8)]
    urgent = TicketFactory(priority=Priority.URGENT, priority_rank=0)
    client = client_for(manager)
    url = reverse("tickets:team_queue")
    first = client.get(url)
    assert _rows(first)[0] == urgent.number
    seen: list[str] = []
    response = client.get(url, {"sort": "age"})
    while True:
        seen += _rows(response)
        found = re.search(r'<a href="(\?[^"]*after=[^"]+)"[^>]*rel="next"', _page(response))
        if not found:
            break
        response = client.get(url + found.group(1).replace("&amp;", "&"))
    assert seen == [t.number for t in [low, *tickets, urgent]]  # oldest first, each exactly once
    assert "First page" in _page(response)


def test_a_broken_cursor_falls_back_to_the_first_page(client_for, en):
    ticket = TicketFactory()
    response = client_for(en(Role.ADMIN)).get(reverse("tickets:team_queue"), {"after": "not-a-cursor"})
    assert response.status_code == 200 and _rows(response) == [ticket.number]
    assert "That page link no longer works" in _page(response)


def test_htmx_gets_only_the_table(client_for, agent):
    ticket = TicketFactory(assignee=agent)
    response = client_for(agent).get(reverse("tickets:my_queue"), **HTMX)
    page = _page(response)
    assert page.lstrip().startswith('<div id="ticket-table">') and "<html" not in page
    assert _rows(response) == [ticket.number]
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("name", ["tickets:my_queue", "tickets:team_queue", "tickets:owned"])
def test_queue_query_count_does_not_grow_with_rows(client_for, django_assert_num_queries, name, en):
    team = TeamFactory()
    lead = en(Role.TEAM_LEAD, team=team)
    AgentAvailability.objects.create(user=lead, on_shift=True)

    def add(n: int) -> None:
        for _ in range(n):
            TicketFactory(
                team=team,
                assignee=lead,
                owner=lead,
                type=TicketType.COMPLAINT,
                category=CategoryFactory(),
                customer=UserFactory(role=Role.CUSTOMER),
            )

    client = client_for(lead)
    url = reverse(name)
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client.get(url))) == 2
    add(25)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(_rows(client.get(url))) == 27
    assert len(few.captured_queries) <= 12


# --- shift ---------------------------------------------------------------------------------------


def test_an_agent_starts_and_ends_their_shift_from_my_queue(client_for, agent, customer):
    client = client_for(agent)
    response = client.post(reverse("tickets:shift_set"), {"on_shift": "1"}, follow=True)
    availability = AgentAvailability.objects.get(user=agent)
    assert availability.on_shift
    assert AuditEntry.objects.filter(object_type="tickets.agentavailability", action="update").exists()
    page = _page(response)
    assert "End my shift" in page and "Load: 0 of 8 active tickets" in page
    ticket = _logged(agent, customer)
    assert "Load: 1 of 8" in _page(client.get(reverse("tickets:my_queue")))
    response = client.post(reverse("tickets:shift_set"), {"on_shift": ""}, follow=True)
    ticket.refresh_from_db()
    assert not AgentAvailability.objects.get(user=agent).on_shift
    assert ticket.assignee is None  # handed on to colleagues on shift
    assert "Start my shift" in _page(response)


def test_roles_that_work_no_shifts_see_no_shift_panel_and_get_an_error(client_for, en):
    manager = en(Role.QUALITY_MANAGER)
    client = client_for(manager)
    assert "Start my shift" not in _page(client.get(reverse("tickets:my_queue")))
    response = client.post(reverse("tickets:shift_set"), {"on_shift": "1"}, follow=True)
    assert "Only agents work shifts." in _page(response)
    assert not AgentAvailability.objects.filter(user=manager).exists()


# --- the ticket page -----------------------------------------------------------------------------


def test_ticket_page_shows_thread_notes_files_process_and_history(client_for, agent, customer):
    ticket = _logged(
        agent, customer, type=TicketType.COMPLAINT, subject="装机师傅迟到", description="约好上午，下午才到。"
    )
    services.ticket_reply(actor=agent, ticket=ticket, body="内部：已联系装维班组", internal=True)
    services.ticket_reply(
        actor=agent, ticket=ticket, body="您好，已为您登记。", attachments=[IncomingFile("说明.txt", b"details")]
    )
    response = client_for(agent).get(reverse("tickets:ticket_detail", args=[ticket.pk]))
    page = _page(response)
    assert response.status_code == 200
    assert ticket.number in page and "装机师傅迟到" in page
    assert re.search(r'class="msg msg-customer"[^>]*>.*约好上午', page, re.S)
    assert re.search(r'class="msg msg-note"[^>]*>.*Internal note: staff only.*内部：已联系装维班组', page, re.S)
    attachment = Attachment.objects.get()
    assert reverse("tickets:attachment_download", args=[attachment.pk]) in page
    first_step = ProcessStep.objects.filter(definition__ticket_type="complaint").order_by("order").first()
    assert re.search(rf'class="current" aria-current="step" data-step="{first_step.pk}"', page)
    assert first_step.name_en in page and "Time limit 1 hour" in page
    for point in first_step.control_points.all():
        assert escape(point.text_en) in page
    assert "The standard requires next:" in page
    for event in ("Created", "Process step started", "Assigned", "First-contact owner set", "Internal note", "Replied"):
        assert f"<td>{event}</td>" in page
    assert "王小明 · logged the contact" in page


def test_reply_to_the_customer_with_a_file_and_wait_for_their_answer(client_for, agent, customer):
    ticket = _logged(agent, customer)
    upload = SimpleUploadedFile("报价.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
    response = client_for(agent).post(
        reverse("tickets:ticket_reply", args=[ticket.pk]),
        {"kind": "reply", "body": "您好，报价单见附件。", "wait_for_customer": "on", "attachments": [upload]},
    )
    assert response.status_code == 302 and response["Location"].endswith("#thread")
    message = TicketMessage.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert message.body == "您好，报价单见附件。" and message.author == agent
    assert message.attachments.get().name == "报价.pdf"
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.first_response_at is not None
    assert AuditEntry.objects.filter(object_id=str(ticket.pk), action="reply").exists()


def test_an_internal_note_stays_internal(client_for, agent, customer):
    ticket = _logged(agent, customer)
    client_for(agent).post(reverse("tickets:ticket_reply", args=[ticket.pk]), {"kind": "note", "body": "客户情绪激动"})
    note = TicketMessage.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    ticket.refresh_from_db()
    assert note.body == "客户情绪激动" and ticket.first_response_at is None


@pytest.mark.parametrize(
    "data, field, text",
    [
        ({"kind": "reply", "body": ""}, "body", "This field is required."),
        (
            {"kind": "reply", "body": "见附件", "attachments": [SimpleUploadedFile("x.exe", b"MZ...")]},
            "attachments",
            "this type of file is not accepted",
        ),
        (
            {"kind": "reply", "body": "见附件", "attachments": [SimpleUploadedFile("fake.png", b"not a png")]},
            "attachments",
            "does not contain what its name says",
        ),
    ],
)
def test_a_bad_reply_shows_the_error_and_stores_nothing(client_for, agent, customer, data, field, text):
    ticket = _logged(agent, customer)
    before = TicketMessage.objects.count()
    response = client_for(agent).post(reverse("tickets:ticket_reply", args=[ticket.pk]), data)
    assert response.status_code == 200
    assert re.search(rf'id="id_{field}_error".*{re.escape(text)}', _page(response), re.S)
    assert TicketMessage.objects.count() == before and not Attachment.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(client_for, agent, customer, settings):
    settings.SQM_ATTACHMENT_MAX_BYTES = 10
    ticket = _logged(agent, customer)
    big = SimpleUploadedFile("big.txt", b"x" * 11)
    response = client_for(agent).post(
        reverse("tickets:ticket_reply", args=[ticket.pk]), {"kind": "reply", "body": "hi", "attachments": [big]}
    )
    assert "is larger than" in _page(response)
    assert not TicketMessage.objects.filter(kind=MessageKind.REPLY).exists()


def test_a_canned_reply_is_inserted_into_the_message(client_for, agent, customer):
    ticket = _logged(agent, customer)
    canned = CannedReply.objects.create(title="致歉", body="非常抱歉给您带来不便。")
    CannedReply.objects.create(title="投诉专用", body="x", ticket_type=TicketType.COMPLAINT)
    client = client_for(agent)
    page = _page(client.get(reverse("tickets:ticket_detail", args=[ticket.pk])))
    assert "致歉" in page and "投诉专用" not in page  # only replies for this ticket type
    data = {"kind": "reply", "body": "张先生您好：", "canned": canned.pk, "action": "insert"}
    response = client.post(reverse("tickets:ticket_reply", args=[ticket.pk]), data)
    assert response.status_code == 200 and "张先生您好：\n\n非常抱歉给您带来不便。</textarea>" in _page(response)
    partial = client.post(reverse("tickets:ticket_reply", args=[ticket.pk]), data, **HTMX)
    assert _page(partial).lstrip().startswith('<section class="card" id="reply-form">')
    assert "非常抱歉给您带来不便。</textarea>" in _page(partial)
    assert not TicketMessage.objects.filter(kind=MessageKind.REPLY).exists()


def test_tick_control_points_and_complete_the_step(client_for, agent, customer):
    ticket = _logged(agent, customer, type=TicketType.COMPLAINT)
    step = ticket.current_step
    points = list(step.control_points.all())
    client = client_for(agent)
    shown = [p.pk for p in points]
    tick_url = reverse("tickets:control_point_tick", args=[ticket.pk])

    refused = client.post(reverse("tickets:step_complete", args=[ticket.pk]), **HTMX)
    assert "Tick every control point" in _page(refused) and 'role="alert"' in _page(refused)

    partial = client.post(tick_url, {"shown": shown, "ticked": [points[0].pk]}, **HTMX)
    assert _page(partial).lstrip().startswith('<section class="card" id="process">')
    assert list(ControlCheck.objects.filter(ticket=ticket).values_list("control_point", flat=True)) == [points[0].pk]
    response = client.post(tick_url, {"shown": shown, "ticked": shown})  # without JavaScript
    assert response.status_code == 302 and response["Location"].endswith("#process")
    assert ControlCheck.objects.filter(ticket=ticket).count() == len(points)

    done = client.post(reverse("tickets:step_complete", args=[ticket.pk]), **HTMX)
    ticket.refresh_from_db()
    assert StepProgress.objects.get(ticket=ticket, step=step).completed_by == agent
    assert ticket.current_step.order == step.order + 1
    assert f"Step done. Next: {ticket.current_step.name_en}" in _page(done)


def test_unticking_a_control_point(client_for, agent, customer):
    ticket = _logged(agent, customer, type=TicketType.COMPLAINT)
    point = ticket.current_step.control_points.first()
    services.control_point_tick(actor=agent, ticket=ticket, control_point=point)
    client_for(agent).post(reverse("tickets:control_point_tick", args=[ticket.pk]), {"shown": [point.pk]})
    assert not ControlCheck.objects.filter(ticket=ticket).exists()
    assert AuditEntry.objects.filter(object_id=str(ticket.pk), action="uncheck").exists()


def test_completing_a_step_without_ticks_shows_the_error_without_javascript(client_for, agent, customer):
    ticket = _logged(agent, customer, type=TicketType.COMPLAINT)
    response = client_for(agent).post(reverse("tickets:step_complete", args=[ticket.pk]), follow=True)
    assert "Tick every control point" in _page(response)
    assert not StepProgress.objects.filter(ticket=ticket, completed_at__isnull=False).exists()


def test_a_forbidden_transition_shows_the_error_and_changes_nothing(client_for, agent, customer):
    ticket = _logged(agent, customer, type=TicketType.COMPLAINT)
    client = client_for(agent)
    url = reverse("tickets:ticket_transition", args=[ticket.pk])
    response = client.post(url, {"status": "closed"}, follow=True)
    assert "A ticket that is “Open” cannot become “Closed”." in _page(response)
    blocked = client.post(url, {"status": "resolved"}, follow=True)
    assert "The process requires these steps first" in _page(blocked)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_status_buttons_follow_the_allowed_transitions(client_for, agent, customer):
    ticket = _logged(agent, customer)
    client = client_for(agent)
    page = _page(client.get(reverse("tickets:ticket_detail", args=[ticket.pk])))
    assert re.findall(r'data-status="(\w+)"', page) == ["pending", "resolved"]
    client.post(reverse("tickets:ticket_transition", args=[ticket.pk]), {"status": "pending"})
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


def test_a_lead_reassigns_and_transfers_and_the_complaint_keeps_its_owner(client_for, agent, customer, en):
    lead = en(Role.TEAM_LEAD, team=agent.team)
    other_team = TeamFactory()
    colleague = UserFactory(role=Role.AGENT, team=agent.team, display_name="李四")
    ticket = _logged(agent, customer, type=TicketType.COMPLAINT)
    client = client_for(lead)
    page = _page(client.get(reverse("tickets:ticket_detail", args=[ticket.pk])))
    assert "李四" in page and "Transfer to another team" in page
    response = client.post(reverse("tickets:ticket_assign", args=[ticket.pk]), {"assignee": colleague.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == colleague and ticket.owner == agent
    assert AgentAvailability.objects.get(user=colleague).load == 1
    client.post(reverse("tickets:ticket_transfer", args=[ticket.pk]), {"team": other_team.pk})
    ticket.refresh_from_db()
    assert ticket.team == other_team and ticket.owner == agent and ticket.assignee is None


def test_an_agent_cannot_reassign_or_transfer(client_for, agent, customer):
    colleague = UserFactory(role=Role.AGENT, team=agent.team)
    ticket = _logged(agent, customer)
    client = client_for(agent)
    page = _page(client.get(reverse("tickets:ticket_detail", args=[ticket.pk])))
    assert "Reassign" not in page and "Transfer to another team" not in page
    assert (
        client.post(reverse("tickets:ticket_assign", args=[ticket.pk]), {"assignee": colleague.pk}).status_code == 403
    )
    assert (
        client.post(reverse("tickets:ticket_transfer", args=[ticket.pk]), {"team": TeamFactory().pk}).status_code == 403
    )
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_reassigning_to_someone_who_is_not_an_agent_is_refused(client_for, agent, customer, en):
    lead = en(Role.TEAM_LEAD)
    ticket = _logged(agent, customer)
    trainer = UserFactory(role=Role.TRAINER)
    response = client_for(lead).post(reverse("tickets:ticket_assign", args=[ticket.pk]), {"assignee": trainer.pk})
    assert response.status_code == 200 and 'id="id_assignee_error"' in _page(response)
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_correct_priority_type_and_category(client_for, agent, customer):
    ticket = _logged(agent, customer)
    category = CategoryFactory()
    data = {"subject": "宽带资费咨询（续）", "type": "fault", "priority": "high", "category": category.pk}
    response = client_for(agent).post(reverse("tickets:ticket_edit", args=[ticket.pk]), data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.type, ticket.priority, ticket.priority_rank, ticket.category) == (
        "宽带资费咨询（续）",
        "fault",
        "high",
        1,
        category,
    )
    bad = client_for(agent).post(reverse("tickets:ticket_edit", args=[ticket.pk]), {**data, "subject": ""})
    assert 'id="id_subject_error"' in _page(bad)


def test_a_closed_ticket_can_be_reopened_with_a_reason(client_for, agent, customer):
    ticket = _logged(agent, customer)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    client = client_for(agent)
    page = _page(client.get(reverse("tickets:ticket_detail", args=[ticket.pk])))
    assert "Reopen this ticket" in page and 'id="reply-form"' not in page
    client.post(reverse("tickets:ticket_reopen", args=[ticket.pk]), {"reason": "客户来电说问题仍在"})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1


def test_readers_without_work_rights_see_the_ticket_but_no_forms(client_for, agent, customer, en):
    ticket = _logged(agent, customer, type=TicketType.COMPLAINT)
    page = _page(client_for(en(Role.QA_INSPECTOR)).get(reverse("tickets:ticket_detail", args=[ticket.pk])))
    assert ticket.subject in page
    assert 'id="reply-form"' not in page and "Complete step" not in page and 'id="actions"' not in page
    assert 'type="checkbox" name="ticked"' in page and "disabled" in page


def test_the_knowledge_suggestions_slot_is_there_only_when_the_knowledge_app_offers_it(
    client_for, agent, customer, monkeypatch
):
    ticket = _logged(agent, customer)
    client = client_for(agent)
    url = reverse("tickets:ticket_detail", args=[ticket.pk])
    try:
        suggest = reverse("knowledge:suggest")
    except NoReverseMatch:
        suggest = None
    if suggest is not None:
        assert f'hx-get="{suggest}?ticket={ticket.pk}"' in _page(client.get(url))

    def missing(name: str, *args: Any, **kwargs: Any) -> str:
        if name == "knowledge:suggest":
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", missing)
    assert 'id="kb-suggestions"' not in _page(client.get(url))


def test_ticket_page_query_count_does_not_grow_with_the_thread(client_for, agent, customer, django_assert_num_queries):
    ticket = _logged(agent, customer, type=TicketType.COMPLAINT)
    client = client_for(agent)
    url = reverse("tickets:ticket_detail", args=[ticket.pk])
    services.ticket_reply(actor=agent, ticket=ticket, body="第一条", attachments=[IncomingFile("a.txt", b"a")])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        services.ticket_reply(actor=agent, ticket=ticket, body=f"备注{n}", internal=True)
        services.ticket_reply(actor=agent, ticket=ticket, body=f"回复{n}", attachments=[IncomingFile(f"{n}.txt", b"b")])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


# --- attachments ---------------------------------------------------------------------------------


def test_attachment_download_checks_who_asks(client_for, agent, customer, client):
    ticket, _created = services.ticket_create(
        actor=customer,
        customer=customer,
        type="fault",
        subject="路由器坏了",
        channel="web",
        attachments=[IncomingFile("照片.png", b"\x89PNG\r\n\x1a\n....")],
    )
    services.ticket_reply(
        actor=agent, ticket=ticket, body="内部", internal=True, attachments=[IncomingFile("n.txt", b"x")]
    )
    public = Attachment.objects.get(message__kind=MessageKind.CUSTOMER)
    internal = Attachment.objects.get(message__kind=MessageKind.NOTE)
    url = reverse("tickets:attachment_download", args=[public.pk])

    response = client_for(agent).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "attachment;" in response["Content-Disposition"] and response["Content-Type"] == "image/png"
    assert client_for(customer).get(url).status_code == 200
    assert client_for(UserFactory(role=Role.CUSTOMER)).get(url).status_code == 403
    assert client_for(UserFactory(role=Role.TRAINER)).get(url).status_code == 403
    assert client_for(customer).get(reverse("tickets:attachment_download", args=[internal.pk])).status_code == 403
    assert client_for(agent).get(reverse("tickets:attachment_download", args=[internal.pk])).status_code == 200
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


# --- logging a call or a visit -------------------------------------------------------------------


def test_logging_a_call_for_a_known_customer_gives_the_ticket_to_the_agent(client_for, agent, customer):
    data = {
        "customer": customer.pk,
        "channel": "phone",
        "type": "fault",
        "priority": "high",
        "language": "zh",
        "subject": "",
        "description": "家里宽带断网\n从昨晚开始，光猫红灯。",
    }
    response = client_for(agent).post(reverse("tickets:log_contact"), data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tickets:ticket_detail", args=[ticket.pk])
    assert (ticket.customer, ticket.channel, ticket.type, ticket.priority) == (customer, "phone", "fault", "high")
    assert ticket.subject == "家里宽带断网"  # the first line, when no subject was typed
    assert ticket.created_by == agent and ticket.assignee == agent and ticket.status == Status.OPEN


def test_logging_a_walk_in_for_a_new_customer_creates_both(client_for, agent):
    data = {
        "new_name": "刘女士",
        "new_phone": "13911112222",
        "channel": "walk_in",
        "type": "complaint",
        "priority": "normal",
        "language": "zh",
        "subject": "营业厅办理业务等待太久",
        "description": "",
    }
    response = client_for(agent).post(reverse("tickets:log_contact"), data)
    assert response.status_code == 302
    new = User.objects.get(display_name="刘女士")
    assert new.role == Role.CUSTOMER and new.phone == "13911112222" and not new.has_usable_password()
    entry = AuditEntry.objects.get(object_type="org.user", object_id=str(new.pk))
    assert entry.action == "create" and entry.actor_id == agent.pk
    ticket = Ticket.objects.get()
    assert ticket.customer == new and ticket.channel == "walk_in" and ticket.owner == agent


@pytest.mark.parametrize(
    "data, field, text",
    [
        ({}, "customer", "Choose a customer, or enter a new customer"),
        ({"new_name": "王先生", "new_phone": "13800138000"}, "new_phone", "already has this phone number"),
        ({"new_name": "王先生"}, "new_phone", "Give a phone number or an e-mail address"),
        ({"new_name": "王先生", "new_email": "not-an-address"}, "new_email", "valid email"),
        ({"new_name": "王先生", "new_phone": "13911112222", "subject": ""}, "subject", "This field is required."),
    ],
)
def test_logging_a_contact_with_missing_facts_stores_nothing(client_for, agent, customer, data, field, text):
    base = {"channel": "phone", "type": "consultation", "priority": "normal", "language": "zh", "subject": "咨询"}
    response = client_for(agent).post(reverse("tickets:log_contact"), {**base, **data})
    assert response.status_code == 200
    assert re.search(rf'id="id_{field}_error".*{re.escape(text)}', _page(response), re.S)
    assert not Ticket.objects.exists()
    assert list(User.objects.filter(role=Role.CUSTOMER)) == [customer]


def test_finding_the_customer_with_and_without_javascript(client_for, agent, customer):
    UserFactory(role=Role.CUSTOMER, display_name="张三丰", phone="13700000000")
    UserFactory(role=Role.AGENT, display_name="张三的同事")
    client = client_for(agent)
    page = _page(client.post(reverse("tickets:log_contact"), {"customer_q": "张三", "action": "search"}))
    assert page.count('type="radio" name="customer"') == 2 and "张三的同事" not in page
    assert 'id="id_customer_error"' not in page and not Ticket.objects.exists()
    partial = client.get(reverse("tickets:customer_search"), {"customer_q": "138001"}, **HTMX)
    assert _page(partial).lstrip().startswith('<div id="customer-matches">')
    assert f'value="{customer.pk}" checked' in _page(partial)
    preselected = client.get(reverse("tickets:log_contact"), {"customer": customer.pk})
    assert f'value="{customer.pk}" checked' in _page(preselected)


def test_walk_in_customer_create_needs_ticket_work(make_user):
    with pytest.raises(PermissionDeniedError):
        services.walk_in_customer_create(actor=make_user(Role.TRAINER), display_name="赵六", phone="13600000000")
    with pytest.raises(PermissionDeniedError):
        services.walk_in_customer_create(actor=make_user(Role.CUSTOMER), display_name="赵六", phone="13600000000")
    assert not User.objects.filter(display_name="赵六").exists()


# --- processes and canned replies ----------------------------------------------------------------


def test_the_process_list_shows_every_type_with_steps_and_control_points(client_for, en):
    page = _page(client_for(en(Role.QUALITY_MANAGER)).get(reverse("tickets:process_list")))
    for definition in ProcessDefinition.objects.all():
        assert f'id="process-{definition.ticket_type}"' in page
    for step in ProcessStep.objects.all():
        assert step.name_zh in page
    assert "核实客户身份与联系方式" in page


def test_editing_a_step_saves_its_control_points_and_audits(client_for, en):
    manager = en(Role.QUALITY_MANAGER)
    step = ProcessStep.objects.get(definition__ticket_type="complaint", order=1)
    client = client_for(manager)
    form = _page(client.get(reverse("tickets:step_edit", args=[step.pk])))
    assert "核实客户身份与联系方式 | Verify the customer&#x27;s identity and contact details" in form
    data = {
        "order": 1,
        "name_zh": "受理登记",
        "name_en": "Register",
        "time_limit_minutes": 30,
        "before_resolution": "on",
        "control_points": "核实身份 | Verify identity\n\n记录诉求 | Record the request\n",
    }
    response = client.post(reverse("tickets:step_edit", args=[step.pk]), data)
    assert response.status_code == 302 and response["Location"].endswith("#process-complaint")
    step.refresh_from_db()
    assert (step.name_en, step.time_limit_minutes) == ("Register", 30)
    assert [(p.text_zh, p.text_en) for p in step.control_points.all()] == [
        ("核实身份", "Verify identity"),
        ("记录诉求", "Record the request"),
    ]
    assert AuditEntry.objects.filter(object_type="tickets.processstep", object_id=str(step.pk)).exists()


@pytest.mark.parametrize(
    "change, field, text",
    [
        ({"control_points": "只有中文"}, "control_points", "Line 1: write the Chinese text"),
        ({"order": 2}, "order", "Another step already has this position."),
        ({"name_zh": ""}, "name_zh", "This field is required."),
    ],
)
def test_a_bad_step_is_refused_with_the_field_named(client_for, en, change, field, text):
    step = ProcessStep.objects.get(definition__ticket_type="complaint", order=1)
    data = {"order": 1, "name_zh": "受理", "name_en": "Register", "control_points": "", **change}
    response = client_for(en(Role.QUALITY_MANAGER)).post(reverse("tickets:step_edit", args=[step.pk]), data)
    assert response.status_code == 200
    assert re.search(rf'id="id_{field}_error".*{re.escape(text)}', _page(response), re.S)
    step.refresh_from_db()
    assert step.name_en == "Register the complaint"


def test_adding_and_retiring_a_step(client_for, en):
    definition = ProcessDefinition.objects.get(ticket_type="praise")
    client = client_for(en(Role.ADMIN))
    form = _page(client.get(reverse("tickets:step_create", args=[definition.pk])))
    next_order = definition.steps.count() + 1
    assert f'name="order" value="{next_order}"' in form
    data = {
        "order": next_order,
        "name_zh": "分享表扬",
        "name_en": "Share the praise",
        "control_points": "通报团队 | Tell the team",
    }
    assert client.post(reverse("tickets:step_create", args=[definition.pk]), data).status_code == 302
    step = definition.steps.get(order=next_order)
    assert step.control_points.get().text_en == "Tell the team" and step.time_limit_minutes is None
    assert not step.before_resolution  # an unticked box: needed before closing only
    client.post(reverse("tickets:step_retire", args=[step.pk]))
    step.refresh_from_db()
    assert not step.is_active


def test_canned_replies_are_written_changed_and_retired_with_audit(client_for, en):
    client = client_for(en(Role.QUALITY_MANAGER))
    data = {"title": "问候", "body": "您好，很高兴为您服务。", "language": "zh", "ticket_type": ""}
    assert client.post(reverse("tickets:canned_create"), data).status_code == 302
    reply = CannedReply.objects.get()
    assert _page(client.get(reverse("tickets:canned_list"))).count("<td>问候</td>") == 1
    client.post(reverse("tickets:canned_edit", args=[reply.pk]), {**data, "ticket_type": "complaint"})
    client.post(reverse("tickets:canned_retire", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.ticket_type == "complaint" and not reply.is_active
    actions = list(
        AuditEntry.objects.filter(object_type="tickets.cannedreply").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update"]
    refused = client.post(reverse("tickets:canned_create"), {**data, "title": ""})
    assert refused.status_code == 200 and 'id="id_title_error"' in _page(refused)
    assert CannedReply.objects.count() == 1


def test_canned_reply_services_need_process_manage(make_user):
    with pytest.raises(PermissionDeniedError):
        services.canned_reply_save(actor=make_user(Role.AGENT), reply=None, title="x", body="y")
    reply = CannedReply.objects.create(title="x", body="y")
    with pytest.raises(PermissionDeniedError):
        services.canned_reply_retire(actor=make_user(Role.TEAM_LEAD), reply=reply)


def test_only_process_managers_reach_the_process_pages(client_for, agent):
    client: Client = client_for(agent)
    assert client.get(reverse("tickets:process_list")).status_code == 403
    assert client.get(reverse("tickets:canned_list")).status_code == 403


@pytest.mark.parametrize(
    "minutes, text",
    [
        (None, ""),
        (45, "45 minutes"),
        (60, "1 hour"),
        (480, "8 hours"),
        (1440, "1 day"),
        (4320, "3 days"),
        (90, "90 minutes"),
    ],
)
def test_time_limits_read_as_people_say_them(minutes, text):
    from django.utils import translation

    with translation.override("en"):
        assert views.duration_text(minutes) == text


def test_ticket_text_is_escaped(client_for, agent, customer):
    ticket = _logged(agent, customer, subject="<script>alert(1)</script>", description="<b>粗体</b>")
    page = _page(client_for(agent).get(reverse("tickets:ticket_detail", args=[ticket.pk])))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>粗体</b>" not in page
    queue = _page(client_for(agent).get(reverse("tickets:my_queue")))
    assert "<script>alert(1)</script>" not in queue


def test_a_bad_filter_value_is_shown_and_ignored(client_for, en):
    ticket = TicketFactory()
    response = client_for(en(Role.ADMIN)).get(reverse("tickets:team_queue"), {"priority": "sky-high", "team": ""})
    assert _rows(response) == [ticket.number]
    assert 'id="id_priority_error"' in _page(response)
