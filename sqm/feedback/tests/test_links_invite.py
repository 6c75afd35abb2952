"""The invitation to rate: the periodic task finds tickets closed since its cursor and mails each
customer once, in their language, with a signed link; running it again mails nothing more."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from sqm import schedule
from sqm.core.roles import Role
from sqm.feedback.links import services
from sqm.feedback.links.models import InvitationStatus, RatingInvitation
from sqm.feedback.models import Rating
from sqm.feedback.tests.factories import RatingFactory, ResolvedTicketFactory
from sqm.org.tests.factories import UserFactory
from sqm.tickets.models import Status

pytestmark = pytest.mark.django_db


def _closed(**kwargs):
    now = timezone.now()
    kwargs.setdefault("customer", UserFactory(role=Role.CUSTOMER, email="kehu@example.com"))
    return ResolvedTicketFactory(status=Status.CLOSED, closed_at=now, updated_at=now, **kwargs)


def test_invites_each_closed_ticket_once_even_when_run_twice(settings):
    settings.SQM_PUBLIC_URL = "https://sqm.example.com"
    ticket = _closed(subject="发票抬头错误")
    open_one = ResolvedTicketFactory(status=Status.OPEN, customer=ticket.customer)
    first = schedule.links_invite_closed.call_local()
    second = schedule.links_invite_closed.call_local()
    assert first == {"created": 1, "sent": 1} and second == {"created": 0, "sent": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kehu@example.com"] and ticket.number in message.subject
    assert "请" in message.subject or "评价" in message.subject or "How did we do" in message.subject
    url = re.search(r"https://sqm\.example\.com/feedback/rate/(\S+)/", message.body)
    assert url, message.body
    claim = services.link_read(url.group(1))
    assert (claim.ticket_id, claim.customer_id) == (ticket.pk, ticket.customer_id)
    invitation = RatingInvitation.objects.get()
    assert invitation.ticket_id == ticket.pk and invitation.status == InvitationStatus.SENT
    assert not RatingInvitation.objects.filter(ticket=open_one).exists()
    assert not Rating.objects.exists(), "an invitation is no rating"


def test_reopened_and_closed_again_is_not_invited_twice():
    ticket = _closed()
    services.invite_closed()
    ticket.updated_at = timezone.now() + dt.timedelta(seconds=1)
    ticket.save()
    services.invite_closed(now=timezone.now() + dt.timedelta(minutes=1))
    assert RatingInvitation.objects.count() == 1 and len(mail.outbox) == 1


def test_mail_is_in_the_customers_language():
    english = _closed(customer=UserFactory(role=Role.CUSTOMER, email="amy@example.com", language="en"))
    chinese = _closed(customer=UserFactory(role=Role.CUSTOMER, email="wang@example.com", language="zh-hans"))
    services.invite_closed()
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "How did we do?" in by_to["amy@example.com"].subject
    assert "valid until" in by_to["amy@example.com"].body
    assert by_to["wang@example.com"].subject.startswith(f"[{chinese.number}]")  # Chinese once translated
    assert {i.language for i in RatingInvitation.objects.all()} == {"en", "zh-hans"}
    assert english.pk != chinese.pk


def test_skips_rated_staff_and_old_tickets_and_notes_missing_addresses():
    rated = _closed()
    RatingFactory(ticket=rated)
    staff_customer = _closed(customer=UserFactory(role=Role.AGENT, email="a@example.com"))
    old = _closed()
    old.closed_at = timezone.now() - dt.timedelta(days=5)
    old.save()
    no_mail = _closed(customer=UserFactory(role=Role.CUSTOMER, email=""))
    result = services.invite_closed()
    assert result == {"created": 1, "sent": 0}
    invitation = RatingInvitation.objects.get()
    assert invitation.ticket_id == no_mail.pk and invitation.status == InvitationStatus.NO_ADDRESS
    assert not mail.outbox
    assert {rated.pk, staff_customer.pk, old.pk}.isdisjoint(
        set(RatingInvitation.objects.values_list("ticket", flat=True))
    )


def test_cursor_moves_on_and_a_failed_mail_is_retried_later():
    ticket = _closed()
    with mock.patch("sqm.feedback.links.services.EmailMessage.send", side_effect=OSError("smtp down")):
        assert services.invite_closed() == {"created": 1, "sent": 0}
    invitation = RatingInvitation.objects.get()
    assert (
        invitation.status == InvitationStatus.PENDING and invitation.attempts == 1 and "smtp down" in invitation.error
    )
    assert services.invite_closed() == {"created": 0, "sent": 1}
    assert len(mail.outbox) == 1 and RatingInvitation.objects.get().status == InvitationStatus.SENT
    later = _closed()
    assert services.invite_closed(now=timezone.now() + dt.timedelta(minutes=5))["created"] == 1
    assert RatingInvitation.objects.filter(ticket=later).exists() and ticket.pk != later.pk


def test_gives_up_after_five_failures():
    _closed()
    with mock.patch("sqm.feedback.links.services.EmailMessage.send", side_effect=OSError("no")):
        for _ in range(services.MAX_ATTEMPTS + 2):
            services.invite_closed()
    invitation = RatingInvitation.objects.get()
    assert invitation.status == InvitationStatus.FAILED and invitation.attempts == services.MAX_ATTEMPTS


def test_task_is_scheduled_every_five_minutes():
    assert "links.invite_closed" in schedule.PERIODIC
    task = schedule.links_invite_closed.task_class()
    assert task.validate_datetime(dt.datetime(2026, 5, 1, 10, 5))
    assert not task.validate_datetime(dt.datetime(2026, 5, 1, 10, 6))
