"""The staff "Ratings" page: filters, a summary, keyset pages in a fixed number of queries, and
the quality manager's exclude/count-again action; it sits in the feedback area of the menu."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sqm.core.nav import menu_for
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.feedback import selectors
from sqm.feedback.models import Rating
from sqm.feedback.tests.factories import RatingFactory, ResolvedTicketFactory
from sqm.org.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("feedback:rating_list")


def _client(client_for, user):
    client = client_for(user)
    client.cookies["sqm_language"] = "en"
    return client


def test_list_shows_ratings_with_summary_and_filters(client_for, users_by_role, django_assert_max_num_queries):
    agent = UserFactory(role=Role.AGENT, team=TeamFactory(), display_name="王坐席")
    good = RatingFactory(ticket=ResolvedTicketFactory(assignee=agent, team=agent.team), score=5, comment="很满意")
    bad = RatingFactory(score=1, comment="太慢了")
    for _ in range(30):
        RatingFactory()
    client = _client(client_for, users_by_role[Role.AGENT])
    with django_assert_max_num_queries(12):
        page = client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert good.ticket.number in html and "很满意" in html and "王坐席" in html and "★★★★★" in html
    assert "32 ratings counted" in html
    assert '/flag/"' not in html, "only quality managers exclude ratings"
    filtered = client.get(URL, {"score": "1"}).content.decode()
    assert bad.ticket.number in filtered and good.ticket.number not in filtered
    by_agent = client.get(URL, {"agent": agent.pk}).content.decode()
    assert good.ticket.number in by_agent and bad.ticket.number not in by_agent
    by_ticket = client.get(URL, {"ticket": bad.ticket.number}).content.decode()
    assert bad.ticket.number in by_ticket and good.ticket.number not in by_ticket
    wrong = client.get(URL, {"ticket": "hello", "date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert wrong.status_code == 200
    assert "T00001234" in wrong.content.decode() and "before the start date" in wrong.content.decode()


def test_pages_older_and_htmx_partial(client_for, users_by_role, django_assert_max_num_queries):
    now = timezone.now()
    made = [
        RatingFactory(created_at=now - dt.timedelta(hours=n), updated_at=now - dt.timedelta(hours=n))
        for n in range(selectors.PAGE_SIZE + 5)
    ]
    client = _client(client_for, users_by_role[Role.TEAM_LEAD])
    first = client.get(URL)
    older_url = first.context["older_url"]
    assert older_url and len(first.context["ratings"]) == selectors.PAGE_SIZE
    with django_assert_max_num_queries(12):
        second = client.get(older_url, HTTP_HX_REQUEST="true")
    assert [r.pk for r in second.context["ratings"]] == [r.pk for r in made[selectors.PAGE_SIZE :]]
    assert "<html" not in second.content.decode(), "htmx gets the rows only"


def test_quality_manager_excludes_a_rating_from_the_page(client_for, users_by_role):
    rating = RatingFactory(score=1, comment="骂人的话")
    manager = _client(client_for, users_by_role[Role.QUALITY_MANAGER])
    assert f'action="/feedback/ratings/{rating.pk}/flag/"' in manager.get(URL).content.decode()
    flag = reverse("feedback:rating_flag", args=[rating.pk])
    response = manager.post(flag, {"counted": "0", "reason": "辱骂内容，与服务无关", "next": URL + "?score=1"})
    assert response.status_code == 302 and response["Location"] == URL + "?score=1"
    rating.refresh_from_db()
    assert not rating.counted and rating.flag_reason == "辱骂内容，与服务无关"
    html = manager.get(URL).content.decode()
    assert "Excluded" in html and "Count again" in html
    no_reason = manager.post(flag, {"counted": "1", "reason": ""})
    assert no_reason.status_code == 302 and not Rating.objects.get().counted
    outside = manager.post(flag, {"counted": "1", "reason": "复核", "next": "https://evil.example/"})
    assert outside["Location"] == URL and Rating.objects.get().counted
    lead = _client(client_for, users_by_role[Role.TEAM_LEAD])
    assert lead.post(flag, {"counted": "0", "reason": "x"}).status_code == 403


def test_ratings_in_the_feedback_menu_for_staff_who_see_tickets(users_by_role):
    for role, user in users_by_role.items():
        menu = menu_for(user)
        urls = {e["url"] for area in menu if area["key"] == "feedback" for e in area["entries"]}
        assert (URL in urls) == (role in CAPABILITIES[Cap.TICKET_VIEW])
