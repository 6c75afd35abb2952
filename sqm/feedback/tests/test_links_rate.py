"""Rating a closed ticket through its signed link: no login, opening never records, only the
customer's POST does; expired, forged and misused links get a clear page and store nothing; one
rating per ticket, changeable within the window; never by someone who handled the ticket."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sqm.core.roles import Role
from sqm.feedback.links import services
from sqm.feedback.models import Rating
from sqm.feedback.tests.factories import ResolvedTicketFactory
from sqm.org.tests.factories import UserFactory
from sqm.tickets.models import MessageKind, Status, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed():
    return ResolvedTicketFactory(status=Status.CLOSED, closed_at=timezone.now(), subject="宽带断网")


def _url(ticket, customer=None) -> str:
    customer = customer or ticket.customer
    return reverse("feedback:links_rate", args=[services.link_token(ticket_id=ticket.pk, customer_id=customer.pk)])


def _old_token(ticket, days: int) -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days * 86400):
        return services.link_token(ticket_id=ticket.pk, customer_id=ticket.customer_id)


def _en() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["sqm_language"] = "en"
    return client


def _post(client: Client, url: str, data: dict) -> object:
    page = client.get(url)
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def test_opening_the_link_records_nothing_only_the_post_does(closed):
    client = _en()
    url = _url(closed)
    for _ in range(3):  # a mail scanner fetching the link, then the customer opening it
        page = client.get(url)
        assert page.status_code == 200
    html = page.content.decode()
    assert closed.number in html and "宽带断网" in html and "records nothing" in html
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert not Rating.objects.exists()
    done = _post(client, url, {"score": "5", "recommend": "9", "comment": "师傅很专业"})
    assert done.status_code == 200 and "recorded" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.ticket_id, rating.customer_id, rating.score, rating.recommend, rating.source) == (
        closed.pk,
        closed.customer_id,
        5,
        9,
        "ticket_link",
    )
    assert rating.agent_id == closed.assignee_id and rating.team_id == closed.team_id


def test_post_without_csrf_token_is_refused(closed):
    response = Client(enforce_csrf_checks=True).post(_url(closed), {"score": "5"})
    assert response.status_code == 403 and not Rating.objects.exists()


def test_one_rating_per_ticket_changed_within_the_window_then_refused(closed, settings):
    client = _en()
    url = _url(closed)
    _post(client, url, {"score": "2", "comment": "太慢"})
    page = client.get(url)
    assert "You rated it ★★☆☆☆" in page.content.decode() and 'value="2"' in page.content.decode()
    changed = _post(client, url, {"score": "4"})
    assert changed.status_code == 200 and "changed" in changed.content.decode()
    assert Rating.objects.count() == 1 and Rating.objects.get().score == 4
    Rating.objects.update(created_at=timezone.now() - dt.timedelta(days=8))
    late = _post(client, url, {"score": "1"})
    assert late.status_code == 400 and "can only be changed within 7 days" in late.content.decode()
    assert Rating.objects.get().score == 4


def test_expired_link_is_410_and_stores_nothing(closed, settings):
    url = reverse("feedback:links_rate", args=[_old_token(closed, 15)])
    client = _en()
    page = client.get(url)
    assert page.status_code == 410
    assert "expired" in page.content.decode() and "valid for 14 days" in page.content.decode()
    assert client.post(url, {"score": "5"}).status_code in (403, 410)
    assert not Rating.objects.exists()
    settings.SQM_RATING_LINK_DAYS = 30  # the validity is a setting
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t[: len(t) // 2],  # cut short
        lambda t: "eyJ0IjoxLCJjIjoxfQ:1tXyZa:forged-signature",  # made up
    ],
)
def test_forged_link_is_400_and_stores_nothing(closed, mangle):
    url = reverse(
        "feedback:links_rate", args=[mangle(services.link_token(ticket_id=closed.pk, customer_id=closed.customer_id))]
    )
    client = _en()
    page = client.get(url)
    assert page.status_code == 400 and "not valid" in page.content.decode()
    assert client.post(url, {"score": "5"}).status_code in (400, 403)
    assert not Rating.objects.exists()


def test_token_of_another_purpose_is_not_a_rating_link(closed):
    from django.core import signing

    other = signing.dumps({"t": closed.pk, "c": closed.customer_id}, salt="something-else", compress=False)
    assert _en().get(reverse("feedback:links_rate", args=[other])).status_code == 400


def test_link_for_someone_else_is_403(closed):
    stranger = UserFactory(role=Role.CUSTOMER)
    client = _en()
    page = client.get(_url(closed, stranger))
    assert page.status_code == 403 and "not for this ticket" in page.content.decode()
    assert client.post(_url(closed, stranger), {"score": "1"}).status_code == 403
    assert not Rating.objects.exists()


def test_someone_who_handled_the_ticket_cannot_rate_it(closed):
    """A colleague who replied on the ticket and is also its customer (e.g. an agent who later
    became a customer) gets a clear refusal, through the page and the API."""
    TicketMessage.objects.create(
        ticket=closed, kind=MessageKind.REPLY, author=closed.customer, body="已处理", created_at=timezone.now()
    )
    client = _en()
    page = client.get(_url(closed))
    assert page.status_code == 403 and "You worked on this ticket" in page.content.decode()
    token = services.link_token(ticket_id=closed.pk, customer_id=closed.customer_id)
    api = Client().post("/api/feedback/links/rate", {"token": token, "score": 5}, content_type="application/json")
    assert api.status_code == 400 and api.json()["detail"][0]["code"] == "own_work"
    assert not Rating.objects.exists()


def test_api_rate_shapes_and_errors(closed):
    client = Client()
    token = services.link_token(ticket_id=closed.pk, customer_id=closed.customer_id)
    made = client.post(
        "/api/feedback/links/rate", {"token": token, "score": 3, "recommend": 6}, content_type="application/json"
    )
    assert made.status_code == 201
    body = made.json()
    assert set(body) == {"rating_id", "ticket_number", "score", "recommend", "comment", "created", "updated_at"}
    assert body["ticket_number"] == closed.number and body["created"] is True
    again = client.post("/api/feedback/links/rate", {"token": token, "score": 4}, content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False
    for bad, field in (({"score": 6}, "score"), ({"score": 0}, "score"), ({"score": 4, "recommend": 11}, "recommend")):
        response = client.post("/api/feedback/links/rate", {"token": token, **bad}, content_type="application/json")
        assert response.status_code == 422 and response.json()["detail"][0]["field"].endswith(field), bad
    forged = client.post("/api/feedback/links/rate", {"token": token[:-3], "score": 4}, content_type="application/json")
    assert forged.status_code == 400 and forged.json()["detail"][0] == {
        "field": "token",
        "message": forged.json()["detail"][0]["message"],
        "code": "link_invalid",
    }
    expired = client.post(
        "/api/feedback/links/rate", {"token": _old_token(closed, 20), "score": 4}, content_type="application/json"
    )
    assert expired.status_code == 410 and expired.json()["detail"][0]["code"] == "link_expired"
    assert Rating.objects.get().score == 4


def test_api_rate_is_limited_per_client(closed):
    client = Client()
    token = services.link_token(ticket_id=closed.pk, customer_id=closed.customer_id)
    codes = [
        client.post(
            "/api/feedback/links/rate", {"token": token, "score": 4}, content_type="application/json"
        ).status_code
        for _ in range(services.HARD_RATE_LINK + 3)
    ]
    assert codes[0] == 201 and set(codes[1 : services.HARD_RATE_LINK]) <= {200} and codes[-1] == 429


def test_reopened_ticket_cannot_be_rated_through_an_old_link(closed):
    url = _url(closed)
    closed.status = Status.OPEN
    closed.save()
    response = _post(_en(), url, {"score": "5"})
    assert response.status_code == 400 and "Only a resolved or closed ticket" in response.content.decode()
    assert not Rating.objects.exists()


def test_customer_lists_recent_tickets_with_their_rating_links(client_for, closed, django_assert_max_num_queries):
    other = ResolvedTicketFactory(customer=closed.customer, status=Status.CLOSED, closed_at=timezone.now())
    ResolvedTicketFactory(status=Status.CLOSED, closed_at=timezone.now())  # someone else's
    old = ResolvedTicketFactory(
        customer=closed.customer, status=Status.CLOSED, closed_at=timezone.now() - dt.timedelta(days=40)
    )
    old.resolved_at = timezone.now() - dt.timedelta(days=40)
    old.save()
    client = client_for(closed.customer)
    client.cookies["sqm_language"] = "en"
    with django_assert_max_num_queries(8):
        page = client.get(reverse("feedback:links_mine"))
    html = page.content.decode()
    assert page.status_code == 200
    assert closed.number in html and other.number in html and old.number not in html
    assert _url(closed) in html
