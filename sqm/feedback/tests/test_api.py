"""``/api/feedback/ratings``: customers rate their own resolved tickets; staff list ratings with
filters and keyset pages in a fixed number of queries; quality managers exclude abusive ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sqm.core.roles import Role
from sqm.feedback.models import Rating
from sqm.feedback.tests.factories import RatingFactory, ResolvedTicketFactory
from sqm.org.services import api_token_create
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db
URL = "/api/feedback/ratings"


def api(user) -> Client:
    key = api_token_create(actor=user, user=user, name="t")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def ticket() -> Ticket:
    team = TeamFactory()
    return ResolvedTicketFactory(assignee=UserFactory(role=Role.AGENT, team=team), team=team)


def test_customer_rates_then_changes_the_rating(ticket):
    client = api(ticket.customer)
    made = client.post(URL, {"ticket_id": ticket.pk, "score": 3, "comment": "还行"}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["ticket_number"], body["score"], body["recommend"], body["comment"]) == (
        ticket.number,
        3,
        None,
        "还行",
    )
    assert body["agent"]["id"] == ticket.assignee_id and body["team_id"] == ticket.team_id and body["counted"]
    changed = client.post(URL, {"ticket_id": ticket.pk, "score": 5, "recommend": 9}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["id"] == body["id"]
    assert Rating.objects.get().score == 5


def test_another_customers_ticket_and_a_missing_one_answer_the_same_403(ticket):
    stranger = api(UserFactory(role=Role.CUSTOMER))
    for ticket_id in (ticket.pk, 10**9):
        response = stranger.post(URL, {"ticket_id": ticket_id, "score": 5}, content_type="application/json")
        assert response.status_code == 403 and response.json()["detail"][0]["code"] == "permission_denied"
    staff = api(UserFactory(role=Role.QUALITY_MANAGER))
    assert staff.post(URL, {"ticket_id": ticket.pk, "score": 5}, content_type="application/json").status_code == 403
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"score": 6}, 422, "score"),
        ({"score": 0}, 422, "score"),
        ({"score": 4, "recommend": 11}, 422, "recommend"),
        ({"score": 4, "comment": "x" * 2001}, 422, "comment"),
        ({"score": 4, "extra": 1}, 422, "extra"),
        ({}, 422, "score"),
    ],
)
def test_bad_ratings_are_refused_naming_the_field(ticket, body, status, field):
    response = api(ticket.customer).post(URL, {"ticket_id": ticket.pk, **body}, content_type="application/json")
    assert response.status_code == status
    assert field in {e["field"].split(".")[-1] for e in response.json()["detail"]}, response.json()


def test_an_open_ticket_cannot_be_rated_yet(ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.OPEN)
    response = api(ticket.customer).post(URL, {"ticket_id": ticket.pk, "score": 5}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "ticket"
    assert "resolved or closed" in response.json()["detail"][0]["message"]


def test_staff_list_with_filters_and_pages(django_assert_max_num_queries):
    agent = UserFactory(role=Role.AGENT, team=TeamFactory())
    now = timezone.now()
    mine = [
        RatingFactory(
            ticket=ResolvedTicketFactory(assignee=agent, team=agent.team),
            score=1 + n % 5,
            created_at=now - dt.timedelta(days=n),
            updated_at=now - dt.timedelta(days=n),
        )
        for n in range(12)
    ]
    others = [RatingFactory(score=5) for _ in range(3)]
    client = api(UserFactory(role=Role.TEAM_LEAD))
    with django_assert_max_num_queries(4):
        everything = client.get(URL).json()
    assert len(everything["items"]) == 15 and everything["next_cursor"] is None
    by_agent = client.get(URL, {"agent": agent.pk}).json()["items"]
    assert [r["id"] for r in by_agent] == [r.pk for r in mine]  # newest first
    fives = client.get(URL, {"agent": agent.pk, "score": 5}).json()["items"]
    assert {r["id"] for r in fives} == {r.pk for r in mine if r.score == 5}
    one = client.get(URL, {"ticket": others[0].ticket_id}).json()["items"]
    assert [r["id"] for r in one] == [others[0].pk]
    day = timezone.localtime(now - dt.timedelta(days=3)).date()
    dated = client.get(URL, {"agent": agent.pk, "date_from": day.isoformat(), "date_to": day.isoformat()}).json()
    assert [r["id"] for r in dated["items"]] == [mine[3].pk]
    seen, cursor = [], ""
    while True:
        with django_assert_max_num_queries(4):
            page = client.get(URL, {"agent": agent.pk, "limit": 5, "cursor": cursor}).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [r.pk for r in mine]
    bad = client.get(URL, {"score": 9})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"].endswith("score")


def test_customers_cannot_list_ratings(ticket):
    assert api(ticket.customer).get(URL).status_code == 403


def test_quality_manager_flags_through_the_api(ticket):
    rating = RatingFactory(ticket=ticket, score=1)
    manager = api(UserFactory(role=Role.QUALITY_MANAGER))
    flagged = manager.post(
        f"{URL}/{rating.pk}/flag", {"counted": False, "reason": "恶意差评"}, content_type="application/json"
    )
    assert flagged.status_code == 200 and flagged.json()["counted"] is False
    assert flagged.json()["flag_reason"] == "恶意差评"
    missing = manager.post(f"{URL}/999999/flag", {"counted": False, "reason": "x"}, content_type="application/json")
    assert missing.status_code == 404
    empty = manager.post(f"{URL}/{rating.pk}/flag", {"counted": True, "reason": ""}, content_type="application/json")
    assert empty.status_code == 422
    lead = api(UserFactory(role=Role.TEAM_LEAD))
    denied = lead.post(f"{URL}/{rating.pk}/flag", {"counted": True, "reason": "x"}, content_type="application/json")
    assert denied.status_code == 403
    excluded = api(UserFactory(role=Role.AGENT)).get(URL, {"counted": "false"}).json()["items"]
    assert [r["id"] for r in excluded] == [rating.pk]
