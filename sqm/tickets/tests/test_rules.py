"""Business rules of the ticket services that the main-path tests do not reach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.org.tests.factories import UserFactory
from sqm.tickets import services
from sqm.tickets.models import Attachment, ProcessDefinition, ProcessStep, Status, Ticket, TicketMessage
from sqm.tickets.services.attachments import IncomingFile, check_files
from sqm.tickets.tests.factories import CategoryFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _open(customer=None, **kwargs):
    customer = customer or UserFactory(role=Role.CUSTOMER)
    fields = {"type": "consultation", "subject": "发票开错了", "channel": "web", **kwargs}
    return services.ticket_create(actor=customer, customer=customer, **fields)[0]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "type"),
        ("photo.png", b"GIF89a fake", "type"),
        ("notes.txt", b"text\x00binary", "type"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_attachments_are_refused_with_the_field(name, content, code):
    with pytest.raises(DomainError) as error:
        check_files([IncomingFile(name=name, content=content)])
    assert error.value.code == code and list(error.value.errors) == ["attachments"]


def test_oversized_attachment_is_refused(settings):
    settings.SQM_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(DomainError) as error:
        check_files([IncomingFile(name="big.png", content=PNG + b"0" * 1000)])
    assert error.value.code == "too_large"


def test_path_in_file_name_is_dropped():
    [(incoming, content_type)] = check_files([IncomingFile(name="../../etc/截图.png", content=PNG)])
    assert incoming.name == "截图.png" and content_type == "image/png"


@pytest.mark.django_db
def test_rejected_attachment_stores_nothing():
    customer = UserFactory(role=Role.CUSTOMER)
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError):
        services.ticket_create(
            actor=customer,
            customer=customer,
            type="fault",
            subject="x",
            channel="web",
            attachments=[IncomingFile(name="a.png", content=PNG), IncomingFile(name="b.exe", content=b"MZ")],
        )
    assert Ticket.objects.count() == 0 and TicketMessage.objects.count() == 0 and Attachment.objects.count() == 0
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_attachments_are_stored_once_by_content(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    ticket = _open(attachments=[IncomingFile(name="a.png", content=PNG), IncomingFile(name="b.png", content=PNG)])
    files = list(Attachment.objects.filter(message__ticket=ticket).order_by("pk"))
    assert [f.name for f in files] == ["a.png", "b.png"]
    assert files[0].file.name == files[1].file.name and files[0].file.read() == PNG


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "gossip"}, "type"),
        ({"channel": "fax"}, "channel"),
        ({"priority": "asap"}, "priority"),
        ({"language": "fr"}, "language"),
        ({"subject": "   "}, "subject"),
        ({"subject": "长" * 201}, "subject"),
        ({"description": "a\x00b"}, "description"),
    ],
)
def test_bad_ticket_fields_are_named(fields, field):
    with pytest.raises(DomainError) as error:
        _open(**fields)
    assert field in error.value.errors
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_customers_may_not_use_agent_channels_or_retired_categories():
    with pytest.raises(DomainError) as channel:
        _open(channel="phone")
    assert "channel" in channel.value.errors
    with pytest.raises(DomainError) as category:
        _open(category=CategoryFactory(is_active=False))
    assert "category" in category.value.errors


@pytest.mark.django_db
def test_agent_logging_a_call_needs_a_customer_and_keeps_the_ticket():
    agent = UserFactory(role=Role.AGENT)
    colleague = UserFactory(role=Role.AGENT)
    with pytest.raises(DomainError):
        services.ticket_create(actor=agent, customer=colleague, type="fault", subject="x", channel="phone")
    customer = UserFactory(role=Role.CUSTOMER)
    ticket, _ = services.ticket_create(
        actor=agent, customer=customer, type="complaint", subject="来电投诉", channel="phone"
    )
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.owner == agent and ticket.created_by == agent


@pytest.mark.django_db
def test_reopen_window_applies_to_customers_not_staff(settings):
    settings.SQM_REOPEN_DAYS = 7
    customer = UserFactory(role=Role.CUSTOMER)
    agent = UserFactory(role=Role.AGENT)
    ticket = _open(customer)
    long_ago = timezone.now() - dt.timedelta(days=8)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED, closed_at=long_ago, resolved_at=long_ago)
    with pytest.raises(DomainError) as late:
        services.ticket_reopen(actor=customer, ticket=ticket, reason="又坏了")
    assert late.value.code == "reopen_window"
    services.ticket_reopen(actor=agent, ticket=ticket, reason="客户来电，问题复发")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1


@pytest.mark.django_db
def test_transitions_follow_the_table():
    agent = UserFactory(role=Role.AGENT)
    ticket = _open()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    with pytest.raises(DomainError) as error:
        services.ticket_transition(actor=agent, ticket=ticket, status=Status.OPEN)
    assert error.value.code == "transition"
    with pytest.raises(PermissionDeniedError):
        services.ticket_transition(actor=UserFactory(role=Role.TRAINER), ticket=ticket, status=Status.OPEN)


@pytest.mark.django_db
def test_priority_change_moves_the_queue_rank_and_is_audited():
    agent = UserFactory(role=Role.AGENT)
    ticket = _open()
    services.ticket_update(actor=agent, ticket=ticket, priority="urgent")
    ticket.refresh_from_db()
    assert ticket.priority == "urgent" and ticket.priority_rank == 0
    entry = AuditEntry.objects.filter(object_type="tickets.ticket", action="update").latest("seq")
    assert entry.changes["priority"] == {"before": "normal", "after": "urgent"}


@pytest.mark.django_db
def test_quality_manager_edits_a_process_step():
    manager = UserFactory(role=Role.QUALITY_MANAGER)
    definition = ProcessDefinition.objects.get(ticket_type="praise")
    step = services.step_save(
        actor=manager,
        definition=definition,
        step=None,
        order=2,
        name_zh="通报表扬",
        name_en="Announce the praise",
        time_limit_minutes=1440,
        control_points=[("在班前会通报", "Announce at the team briefing")],
    )
    assert [s.name_zh for s in ProcessStep.objects.filter(definition=definition).order_by("order")] == [
        "登记表扬",
        "通报表扬",
    ]
    assert step.control_points.get().text_en == "Announce at the team briefing"
    with pytest.raises(DomainError) as clash:
        services.step_save(
            actor=manager,
            definition=definition,
            step=None,
            order=2,
            name_zh="重复",
            name_en="Dup",
            time_limit_minutes=None,
        )
    assert "order" in clash.value.errors
    with pytest.raises(PermissionDeniedError):
        services.step_save(
            actor=UserFactory(role=Role.AGENT),
            definition=definition,
            step=step,
            order=2,
            name_zh="x",
            name_en="x",
            time_limit_minutes=None,
        )
