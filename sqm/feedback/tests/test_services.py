"""Rating rules: one rating per ticket, changed only within the window, only for resolved or closed
tickets, only by the ticket's own customer and never by someone who worked on it; scores
checked with messages naming the field; the rated agent and team taken from the ticket; every
write audited; quality managers exclude abusive ratings from the KPIs."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from sqm.audit.models import AuditEntry
from sqm.audit.services import chain_verify
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.feedback import selectors, services
from sqm.feedback.models import Rating
from sqm.feedback.tests.factories import RatingFactory, ResolvedTicketFactory
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import MessageKind, Status, Ticket, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket() -> Ticket:
    team = TeamFactory()
    agent = UserFactory(role=Role.AGENT, team=team)
    return ResolvedTicketFactory(assignee=agent, team=team, owner=agent)


def _rate(ticket: Ticket, **kwargs) -> tuple[Rating, bool]:
    data = {"ticket": ticket, "customer": ticket.customer, "score": 5, **kwargs}
    return services.rating_submit(**data)


def _errors(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return list(exc.value.errors)


def test_the_customer_rates_a_resolved_ticket_and_the_agent_and_team_come_from_it(ticket):
    rating, created = _rate(ticket, score=4, recommend=8, comment="师傅很专业，修得很快。")
    assert created and rating.pk
    assert (rating.agent_id, rating.team_id, rating.customer_id) == (
        ticket.assignee_id,
        ticket.team_id,
        ticket.customer_id,
    )
    assert (rating.score, rating.recommend, rating.source, rating.counted) == (4, 8, "portal", True)
    assert rating.created_at == rating.updated_at
    entry = AuditEntry.objects.get(object_type="feedback.rating", object_id=str(rating.pk))
    assert entry.action == "create" and entry.actor_id == ticket.customer_id
    assert entry.changes["score"] == {"before": None, "after": 4}
    comment = "师傅很专业，修得很快。"
    assert entry.changes["comment_sha256"]["after"] == hashlib.sha256(comment.encode()).hexdigest()
    assert comment not in str(entry.changes), "the chain holds the comment's hash, not its text"
    assert chain_verify().ok


def test_a_closed_ticket_can_be_rated_and_an_open_one_cannot(ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    assert _rate(ticket)[1]
    for status in (Status.NEW, Status.OPEN, Status.PENDING):
        other = ResolvedTicketFactory(status=status)
        with pytest.raises(DomainError) as exc, translation.override("en"):
            _rate(other)
        assert _errors(exc) == ["ticket"] and "resolved or closed" in str(exc.value.errors["ticket"][0])
    assert Rating.objects.count() == 1


def test_rating_again_within_the_window_changes_the_same_row(ticket, monkeypatch):
    first, _ = _rate(ticket, score=2, comment="太慢了")
    later = first.created_at + dt.timedelta(days=6, hours=23)
    monkeypatch.setattr(timezone, "now", lambda: later)
    again, created = _rate(ticket, score=4, recommend=7, comment="后来回访了，问题解决了")
    assert not created and again.pk == first.pk and Rating.objects.count() == 1
    again.refresh_from_db()
    assert (again.score, again.recommend, again.updated_at, again.created_at) == (4, 7, later, first.created_at)
    change = AuditEntry.objects.filter(object_type="feedback.rating", action="update").get()
    assert change.changes["score"] == {"before": 2, "after": 4}


def test_after_the_window_the_rating_cannot_change(ticket, monkeypatch, settings):
    first, _ = _rate(ticket, score=3)
    monkeypatch.setattr(timezone, "now", lambda: first.created_at + dt.timedelta(days=7, seconds=1))
    with pytest.raises(DomainError) as exc, translation.override("en"):
        _rate(ticket, score=5)
    assert _errors(exc) == ["ticket"] and exc.value.code == "too_late"
    assert "7 days" in str(exc.value.errors["ticket"][0])
    settings.SQM_RATING_CHANGE_DAYS = 30  # the window is a setting
    assert not _rate(ticket, score=5)[1]
    assert Rating.objects.get().score == 5


def test_only_the_tickets_own_customer_may_rate_it(ticket):
    stranger = UserFactory(role=Role.CUSTOMER)
    with pytest.raises(PermissionDeniedError):
        services.rating_submit(ticket=ticket, customer=stranger, score=5)
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.QUALITY_MANAGER, Role.ADMIN):
        with pytest.raises(PermissionDeniedError):
            services.rating_submit(ticket=ticket, customer=UserFactory(role=role), score=5)
    inactive = ticket.customer
    inactive.is_active = False
    inactive.save()
    with pytest.raises(PermissionDeniedError):
        services.rating_submit(ticket=ticket, customer=inactive, score=5)
    assert not Rating.objects.exists()


@pytest.mark.parametrize("how", ["replied", "noted", "assignee", "owner"])
def test_nobody_who_worked_on_the_ticket_may_rate_it(ticket, how):
    """E.g. a former agent, now a customer, on a ticket they handled."""
    customer = ticket.customer
    if how in ("replied", "noted"):
        kind = MessageKind.REPLY if how == "replied" else MessageKind.NOTE
        TicketMessage.objects.create(
            ticket=ticket, kind=kind, author=customer, body="已处理", created_at=timezone.now()
        )
    else:
        Ticket.objects.filter(pk=ticket.pk).update(**{how: customer})
    with pytest.raises(DomainError) as exc:
        _rate(ticket)
    assert _errors(exc) == ["ticket"] and exc.value.code == "own_work"
    assert not Rating.objects.exists()


def test_the_customers_own_messages_are_not_work_on_the_ticket(ticket):
    TicketMessage.objects.create(
        ticket=ticket, kind=MessageKind.CUSTOMER, author=ticket.customer, body="谢谢", created_at=timezone.now()
    )
    assert _rate(ticket)[1]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("score", 0),
        ("score", 6),
        ("score", "5"),
        ("score", True),
        ("score", 4.5),
        ("score", None),
        ("recommend", -1),
        ("recommend", 11),
        ("recommend", "9"),
        ("recommend", 7.5),
        ("comment", "x" * 2001),
        ("comment", "bad\x00byte"),
        ("source", "fax"),
    ],
)
def test_bad_values_are_refused_naming_the_field(ticket, field, value):
    with pytest.raises(DomainError) as exc, translation.override("en"):
        _rate(ticket, **{field: value})
    assert _errors(exc) == [field]
    with translation.override("en"):
        message = str(exc.value.errors[field][0])
    if field in ("score", "recommend"):
        assert f"({field})" in message
    assert not Rating.objects.exists()


def test_recommend_is_optional_and_zero_and_ten_are_fine(ticket):
    rating, _ = _rate(ticket, score=1, recommend=0)
    assert rating.recommend == 0
    rating, _ = _rate(ticket, score=5, recommend=10)
    assert rating.recommend == 10
    rating, _ = _rate(ticket, score=5, recommend=None)
    assert rating.recommend is None


def test_the_database_keeps_one_rating_per_ticket(ticket):
    RatingFactory(ticket=ticket)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFactory(ticket=ticket)


def test_the_quality_manager_excludes_an_abusive_rating_and_can_count_it_again(ticket, users_by_role):
    rating, _ = _rate(ticket, score=1, comment="!!!")
    manager = users_by_role[Role.QUALITY_MANAGER]
    flagged = services.rating_flag(actor=manager, rating=rating, counted=False, reason="重复恶意差评")
    flagged.refresh_from_db()
    assert (flagged.counted, flagged.flag_reason, flagged.flagged_by_id) == (False, "重复恶意差评", manager.pk)
    assert flagged.updated_at >= rating.updated_at and flagged.flagged_at == flagged.updated_at
    entry = AuditEntry.objects.get(object_type="feedback.rating", action="flag")
    assert entry.changes["counted"] == {"before": True, "after": False}
    assert selectors.score_summary()["count"] == 0, "excluded ratings do not count"
    services.rating_flag(actor=manager, rating=rating, counted=True, reason="复核后属实")
    assert Rating.objects.get().counted
    assert selectors.score_summary()["count"] == 1


def test_only_quality_managers_flag_and_a_reason_is_required(ticket, users_by_role):
    rating = RatingFactory(ticket=ticket)
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.ADMIN, Role.CUSTOMER, Role.AUDITOR):
        with pytest.raises(PermissionDeniedError):
            services.rating_flag(actor=users_by_role[role], rating=rating, counted=False, reason="x")
    with pytest.raises(DomainError) as exc:
        services.rating_flag(actor=users_by_role[Role.QUALITY_MANAGER], rating=rating, counted=False, reason="  ")
    assert _errors(exc) == ["reason"]
    assert Rating.objects.get().counted


def test_score_summary_is_exact():
    for score in (5, 5, 4, 2):
        RatingFactory(score=score)
    RatingFactory(score=1, counted=False)
    summary = selectors.score_summary()
    assert summary["count"] == 4
    assert str(summary["average"]) == "4.00" and str(summary["csat"]) == "75.00"
