"""The pages: the builder and results for staff, the public answer page (GET stores nothing, clear
pages for bad links), "My return visits" with the call form, mystery-shopper scorecards; menu
entries per role and pinned query counts on the lists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.nav import menu_for
from sqm.core.roles import Role
from sqm.feedback.surveys import services
from sqm.feedback.surveys.models import (
    Distribution,
    Invitation,
    MysteryVisit,
    Question,
    ReturnVisit,
    Survey,
    SurveyResponse,
)
from sqm.feedback.surveys.services import AnswerIn
from sqm.feedback.tests.surveys_factories import (
    PNG,
    ClosedTicketFactory,
    MysteryVisitFactory,
    ReturnVisitFactory,
    invite,
    servqual_survey,
    simple_survey,
)
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import Status

pytestmark = pytest.mark.django_db


def _en(client_for, user) -> Client:
    client = client_for(user)
    client.cookies["sqm_language"] = "en"
    return client


def test_menu_entries_per_role(users_by_role):
    def urls(role):
        return {e["url"] for a in menu_for(users_by_role[role]) for e in a["entries"]}

    assert {"/feedback/surveys/", "/feedback/return-visits/", "/feedback/mystery/"} <= urls(Role.QUALITY_MANAGER)
    assert "/feedback/return-visits/" in urls(Role.AGENT) and "/feedback/surveys/" not in urls(Role.AGENT)
    assert urls(Role.MYSTERY_SHOPPER) == {"/feedback/mystery/"}
    assert not {"/feedback/surveys/", "/feedback/mystery/"} & urls(Role.CUSTOMER)


def test_building_opening_and_sending_a_survey_on_the_pages(client_for, make_user, settings):
    settings.SQM_PUBLIC_URL = "https://kefu.example.com"
    manager = make_user(Role.QUALITY_MANAGER)
    client = _en(client_for, manager)
    made = client.post(reverse("feedback:survey_create"), {"title_zh": "十月回访调查", "kind": "custom"})
    survey = Survey.objects.get(title_zh="十月回访调查")
    assert made.status_code == 302 and made["Location"] == reverse("feedback:survey_detail", args=[survey.pk])
    add = reverse("feedback:survey_question_add", args=[survey.pk])
    client.post(add, {"kind": "rating", "text_zh": "总体满意度", "required": "on", "scale_max": "7"})
    client.post(add, {"kind": "single", "text_zh": "解决了吗", "options": "yes | 是 | Yes\nno | 否 | No"})
    wrong = client.post(add, {"kind": "single", "text_zh": "只有一个选项", "options": "yes | 是"})
    assert wrong.status_code == 200 and "at least 2 options" in wrong.content.decode()
    rating, single = survey.questions.order_by("position")
    assert rating.scale_max == 7 and rating.required and single.options[1] == {"code": "no", "zh": "否", "en": "No"}
    client.post(reverse("feedback:survey_question_move", args=[survey.pk, single.pk]), {"direction": "up"})
    assert list(survey.questions.order_by("position").values_list("pk", flat=True)) == [single.pk, rating.pk]
    edit = reverse("feedback:survey_question_edit", args=[survey.pk, rating.pk])
    assert "总体满意度" in client.get(edit).content.decode()
    client.post(edit, {"kind": "rating", "text_zh": "总体满意度", "text_en": "Overall", "scale_max": "5"})
    rating.refresh_from_db()
    assert (rating.text_en, rating.scale_max, rating.required) == ("Overall", 5, False)
    page = client.get(reverse("feedback:survey_detail", args=[survey.pk])).content.decode()
    assert "Open for answers" in page and "Add a question" in page
    client.post(reverse("feedback:survey_open", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == "open"
    page = client.get(reverse("feedback:survey_detail", args=[survey.pk])).content.decode()
    assert "Add a question" not in page and "frozen" in page and "Send to customers" in page
    late = client.post(add, {"kind": "text", "text_zh": "补充"})
    assert late.status_code == 200 and "frozen" in late.content.decode() and survey.questions.count() == 2
    for _ in range(3):
        ClosedTicketFactory(customer=UserFactory(role=Role.CUSTOMER))
    today = timezone.localdate()
    sent = client.post(
        reverse("feedback:survey_distribute", args=[survey.pk]),
        {"closed_from": (today - dt.timedelta(days=3)).isoformat(), "closed_to": today.isoformat(), "sample_size": "2", "seed": "99"},
    )  # fmt: skip
    assert sent.status_code == 302
    distribution = Distribution.objects.get()
    assert (distribution.invited, distribution.population, distribution.seed) == (2, 3, 99)
    assert distribution.link_base == "https://kefu.example.com", "links in mail start with the public address"
    detail = client.get(reverse("feedback:survey_detail", args=[survey.pk])).content.decode()
    assert "2 of 3 eligible customers were invited (seed 99)" in detail and '<td class="mono">99</td>' in detail
    empty = client.post(
        reverse("feedback:survey_distribute", args=[survey.pk]),
        {"closed_from": "2020-01-01", "closed_to": "2020-01-31", "sample_size": "5"},
    )
    assert empty.status_code == 200 and "No customer who is not invited yet" in empty.content.decode()


def test_list_and_results_pages(client_for, make_user, django_assert_max_num_queries):
    manager = make_user(Role.QUALITY_MANAGER)
    survey = servqual_survey(manager)
    for _ in range(6):
        simple_survey(manager)
    gap_items = list(survey.questions.filter(kind="gap"))
    weights = survey.questions.get(kind="weights")
    for perception in (3, 5):
        answers = {q.pk: AnswerIn(expectation=6, perception=perception) for q in gap_items}
        answers[weights.pk] = AnswerIn(
            points={"tangibles": 20, "reliability": 20, "responsiveness": 20, "assurance": 20, "empathy": 20}
        )
        services.response_submit(token=invite(survey), answers=answers)
    invite(survey)
    lead = _en(client_for, make_user(Role.TEAM_LEAD))
    with django_assert_max_num_queries(8):
        listed = lead.get(reverse("feedback:survey_list"))
    html = listed.content.decode()
    assert listed.status_code == 200 and survey.title_en in html and "New survey" not in html
    with django_assert_max_num_queries(12):
        results = lead.get(reverse("feedback:survey_results", args=[survey.pk]))
    html = results.content.decode()
    assert results.status_code == 200
    assert 'data-value="response_rate">66.67 %' in html
    # every item: mean P 4 − mean E 6 = −2 in every dimension, so overall −2 and weighted −2
    assert 'data-value="overall_gap">-2.00' in html and 'data-value="weighted">-2.00' in html
    row = re.search(r'<tr data-dimension="responsiveness">(.*?)</tr>', html, re.S).group(1)
    assert "-2.00" in row and "sq-gap-neg" in row and 'style="width: 16.67%"' in row  # 2 of a 12-point span
    assert "Tangibles" in html and "Empathy" in html
    assert lead.get(reverse("feedback:survey_results", args=[999999])).status_code == 404
    assert _en(client_for, make_user(Role.AGENT)).get(reverse("feedback:survey_list")).status_code == 403


# --- the public page -------------------------------------------------------------------------------


@pytest.fixture
def servqual_link(make_user):
    survey = servqual_survey(make_user(Role.QUALITY_MANAGER))
    return survey, invite(survey)


def test_opening_the_link_records_nothing_and_shows_the_survey(servqual_link):
    _survey, token = servqual_link
    url = reverse("feedback:survey_answer", args=[token])
    entries = AuditEntry.objects.count()
    page = Client().get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert "服务质量调查（SERVQUAL）" in html and "服务设施与工具现代、易用" in html
    assert html.count('type="radio"') == 22 * 2 * 7
    english = Client()
    english.cookies["sqm_language"] = "en"
    assert "service tools are modern and easy to use" in english.get(url).content.decode()
    assert AuditEntry.objects.count() == entries and not SurveyResponse.objects.exists()
    assert Invitation.objects.get().responded_at is None


def test_answering_on_the_page(servqual_link):
    survey, token = servqual_link
    url = reverse("feedback:survey_answer", args=[token])
    items = list(survey.questions.filter(kind="gap").order_by("position"))
    weights = survey.questions.get(kind="weights")
    data = {f"q{q.pk}_e": "6" for q in items} | {f"q{q.pk}_p": "5" for q in items}
    data[f"q{items[3].pk}_p"] = ""  # left out
    points = {"tangibles": "10", "reliability": "30", "responsiveness": "30", "assurance": "20", "empathy": "20"}
    data |= {f"q{weights.pk}_{k}": v for k, v in points.items()}
    client = Client()
    client.cookies["sqm_language"] = "en"
    refused = client.post(url, data)
    html = refused.content.decode()
    assert refused.status_code == 400 and "Please check the 2 highlighted answers." in html
    assert "add up to 100; these add up to 110" in html
    assert f'id="question-{items[3].pk}"' in html and f'name="q{items[0].pk}_e" value="6" checked' in html
    assert not SurveyResponse.objects.exists()
    data[f"q{items[3].pk}_p"] = "4"
    data[f"q{weights.pk}_responsiveness"] = "20"
    done = client.post(url, data)
    assert done.status_code == 200 and "Thank you!" in done.content.decode()
    response = SurveyResponse.objects.get()
    assert response.answers.count() == 23 and response.language == "en"
    assert response.answers.get(question=items[3]).perception == 4
    used = client.get(url)
    assert used.status_code == 410 and "Already answered" in used.content.decode()


def test_bad_links_get_a_clear_page_and_store_nothing(servqual_link):
    survey, token = servqual_link
    client = Client()
    client.cookies["sqm_language"] = "en"
    forged = client.get(reverse("feedback:survey_answer", args=[token[:-4] + "abcd"]))
    assert forged.status_code == 400 and "This link is not valid" in forged.content.decode()
    forged_post = client.post(reverse("feedback:survey_answer", args=["made-up"]), {})
    assert forged_post.status_code == 400
    expired = client.get(reverse("feedback:survey_answer", args=[invite(survey, days=-1)]))
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    Survey.objects.filter(pk=survey.pk).update(status="closed")
    closed = client.post(reverse("feedback:survey_answer", args=[token]), {})
    assert closed.status_code == 410 and "closed" in closed.content.decode()
    assert not SurveyResponse.objects.exists()


# --- return visits ---------------------------------------------------------------------------------


def test_my_return_visits_and_recording_a_call(client_for, make_user, django_assert_max_num_queries):
    team = TeamFactory()
    agent = make_user(Role.AGENT, team=team)
    mine = [ReturnVisitFactory(agent=agent, team=team) for _ in range(3)]
    for _ in range(20):
        ReturnVisitFactory()
    client = _en(client_for, agent)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("feedback:return_visit_list"))
    html = page.content.decode()
    assert page.status_code == 200 and "My return visits" in html
    assert html.count("data-visit=") == 3 and html.count('name="outcome"') == 3
    assert mine[0].ticket.number in html and mine[0].ticket.customer.display_name in html
    assert "Reassign" not in html
    url = reverse("feedback:return_visit_record", args=[mine[0].pk])
    back = client.post(url, {"outcome": "persists", "notes": "", "next": reverse("feedback:return_visit_list")})
    assert back.status_code == 302
    mine[0].refresh_from_db()
    assert mine[0].status == "pending", "problem persists needs notes"
    client.post(url, {"outcome": "persists", "notes": "仍然无法上网"})
    mine[0].refresh_from_db()
    mine[0].ticket.refresh_from_db()
    assert mine[0].reopened and mine[0].ticket.status == Status.OPEN
    other = ReturnVisit.objects.exclude(agent=agent).first()
    assert (
        client.post(reverse("feedback:return_visit_record", args=[other.pk]), {"outcome": "satisfied"}).status_code
        == 404
    )
    lead = _en(client_for, make_user(Role.TEAM_LEAD))
    with django_assert_max_num_queries(12):
        all_page = lead.get(reverse("feedback:return_visit_list"))
    assert all_page.content.decode().count("data-visit=") == 22 and "Reassign" in all_page.content.decode()
    done_page = lead.get(reverse("feedback:return_visit_list"), {"status": "done"}).content.decode()
    assert done_page.count("data-visit=") == 1
    moved = lead.post(reverse("feedback:return_visit_reassign", args=[other.pk]), {"agent": agent.pk})
    assert moved.status_code == 302 and ReturnVisit.objects.get(pk=other.pk).agent_id == agent.pk


# --- mystery shopping ------------------------------------------------------------------------------


def test_filing_and_reviewing_a_scorecard(client_for, make_user, settings, tmp_path, django_assert_max_num_queries):
    settings.MEDIA_ROOT = tmp_path
    shopper = make_user(Role.MYSTERY_SHOPPER)
    team = TeamFactory()
    client = _en(client_for, shopper)
    assert "Attitude" in client.get(reverse("feedback:mystery_visit_create")).content.decode()
    form = {
        "channel": "walk_in",
        "visited_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "team": team.pk,
        "place": "高新区营业厅",
        "scenario": "办理宽带移机",
        "attitude": "5",
        "professionalism": "4",
        "timeliness": "1",
        "environment": "4",
        "sop": "4",
    }
    missing = client.post(reverse("feedback:mystery_visit_create"), form)
    assert missing.status_code == 200 and "A score of 1 or 2 needs a comment" in missing.content.decode()
    bad_file = client.post(
        reverse("feedback:mystery_visit_create"),
        {**form, "timeliness_comment": "排队40分钟", "evidence": SimpleUploadedFile("a.exe", b"MZ")},
    )
    assert bad_file.status_code == 200 and "not accepted" in bad_file.content.decode()
    assert not MysteryVisit.objects.exists()
    made = client.post(
        reverse("feedback:mystery_visit_create"),
        {**form, "timeliness_comment": "排队40分钟", "evidence": SimpleUploadedFile("大厅.png", PNG, "image/png")},
    )
    visit = MysteryVisit.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("feedback:mystery_visit_detail", args=[visit.pk])
    assert visit.total == 18 and visit.evidence.count() == 1
    detail = client.get(made["Location"]).content.decode()
    assert "排队40分钟" in detail and "大厅.png" in detail and "Save review" not in detail
    for _ in range(15):
        MysteryVisitFactory()
    with django_assert_max_num_queries(10):
        own = client.get(reverse("feedback:mystery_visit_list"))
    assert own.content.decode().count("data-visit=") == 1
    manager = _en(client_for, make_user(Role.QUALITY_MANAGER))
    with django_assert_max_num_queries(10):
        everything = manager.get(reverse("feedback:mystery_visit_list"))
    assert everything.content.decode().count("data-visit=") == 16
    assert "Save review" in manager.get(reverse("feedback:mystery_visit_detail", args=[visit.pk])).content.decode()
    manager.post(reverse("feedback:mystery_visit_review", args=[visit.pk]), {"verdict": "rejected"})
    visit.refresh_from_db()
    assert visit.status == "submitted", "a rejection needs a note"
    manager.post(reverse("feedback:mystery_visit_review", args=[visit.pk]), {"verdict": "accepted", "note": "证据充分"})
    visit.refresh_from_db()
    assert visit.status == "accepted" and visit.review_note == "证据充分"
    assert Question.objects.count() == 0


def test_a_link_hammered_from_one_address_is_throttled(servqual_link, make_user):
    survey, token = servqual_link
    url = reverse("feedback:survey_answer", args=[token])
    client = Client()
    client.cookies["sqm_language"] = "en"
    codes = [client.get(url).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert "Too many requests" in client.get(url).content.decode()
    assert client.get(reverse("feedback:survey_answer", args=[invite(survey)])).status_code == 200, "per link"
    api = Client()
    assert [api.get(f"/api/feedback/surveys/respond/{token}").status_code for _ in range(31)][-1] == 429
    from sqm.core.models import RateCounter

    before = RateCounter.objects.count()
    assert client.get(reverse("feedback:survey_answer", args=["made-up-link"])).status_code == 400
    assert RateCounter.objects.count() == before, "a forged link costs no counter"
