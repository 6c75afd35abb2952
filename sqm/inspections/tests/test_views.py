"""The inspection pages for each role: what they show, the forms' errors next to the field, htmx
partials, and pinned query counts on the list pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sqm.inspections import services
from sqm.inspections.models import (
    Appeal,
    Inspection,
    InspectionStatus,
    PlanStatus,
    SamplingPlan,
    Scorecard,
    ScorecardStatus,
)
from sqm.inspections.tests.factories import PERIOD, full_answers, handled_ticket, make_inspection

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["sqm_language"] = "en"
    return client


@pytest.fixture
def result(centre):
    inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
    services.inspection_submit(
        actor=centre.inspectors[0],
        inspection=inspection,
        answers=full_answers(centre.card, {1: 1}),
        summary="需加强问候",
    )
    return Inspection.objects.get(pk=inspection.pk)


def test_agents_see_their_own_results_and_appeal(centre, result):
    other = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[1], scorecard=centre.card)
    services.inspection_submit(actor=centre.inspectors[0], inspection=other, answers=full_answers(centre.card))
    client = login(centre.agents[0])
    page = client.get(reverse("inspections:my_results")).content.decode()
    assert result.ticket.number in page and other.ticket.number not in page
    assert client.get(reverse("inspections:my_result", args=[other.pk])).status_code == 404
    detail = client.get(reverse("inspections:my_result", args=[result.pk])).content.decode()
    assert "70.00" in detail and "File the appeal" in detail
    response = client.post(reverse("inspections:result_appeal", args=[result.pk]), {"reason": "我已按规范问候"})
    assert response.status_code == 302
    assert Appeal.objects.get(inspection=result).reason == "我已按规范问候"


def test_an_appeal_after_the_deadline_shows_why(centre, result):
    Inspection.objects.filter(pk=result.pk).update(appeal_deadline=timezone.now() - dt.timedelta(hours=1))
    response = login(centre.agents[0]).post(reverse("inspections:result_appeal", args=[result.pk]), {"reason": "迟了"})
    assert response.status_code == 400 and "The appeal period ended" in response.content.decode()
    assert not Appeal.objects.exists()


def test_accepting_makes_the_result_final(centre, result):
    response = login(centre.agents[0]).post(reverse("inspections:result_accept", args=[result.pk]))
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.status == InspectionStatus.FINAL


def test_the_scoring_form_shows_the_thread_beside_the_scorecard(centre):
    inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
    client = login(centre.inspectors[0])
    assert inspection.ticket.number in client.get(reverse("inspections:queue")).content.decode()
    page = client.get(reverse("inspections:inspection_score", args=[inspection.pk])).content.decode()
    assert "宽带断了，怎么办？" in page and "您好，已为您重启端口。" in page  # the thread
    assert "Item 1" in page and "qa-split" in page
    assert (
        login(centre.inspectors[1]).get(reverse("inspections:inspection_score", args=[inspection.pk])).status_code
        == 404
    )


def _form_data(card, points: dict[int, str], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in card.items.order_by("position"):
        data[f"points_{item.pk}"] = points.get(item.position, str(item.max_points))
        data[f"comment_{item.pk}"] = ""
    data.update(extra)
    return data


def test_save_then_submit_through_the_form(centre):
    inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
    client = login(centre.inspectors[0])
    url = reverse("inspections:inspection_score", args=[inspection.pk])
    item1 = centre.card.items.get(position=1)
    reply = inspection.ticket.messages.get(kind="reply")
    saved = client.post(url, {f"points_{item1.pk}": "2", f"evidence_{item1.pk}": [str(reply.pk)], "save": "1"})
    assert saved.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    assert inspection.answers.get(item=item1).evidence == [reply.pk]
    incomplete = client.post(url, {f"points_{item1.pk}": "2", "submit": "1"})
    assert incomplete.status_code == 400 and "Score “Item 2”" in incomplete.content.decode()
    critical = centre.card.items.get(critical=True)
    failed = client.post(url, _form_data(centre.card, {critical.position: "0"}, submit="1"))
    assert failed.status_code == 400 and "Say why a critical item failed." in failed.content.decode()
    done = client.post(url, _form_data(centre.card, {1: "2"}, summary="较好", submit="1"))
    assert done.status_code == 302 and done["Location"] == reverse(
        "inspections:inspection_detail", args=[inspection.pk]
    )
    inspection.refresh_from_db()
    assert (inspection.status, str(inspection.score)) == (InspectionStatus.SUBMITTED, "80.00")


def test_team_leads_see_their_team_only(centre, result):
    other = make_inspection(inspector=centre.inspectors[0], agent=centre.agents_b[0], scorecard=centre.card)
    services.inspection_submit(actor=centre.inspectors[0], inspection=other, answers=full_answers(centre.card))
    client = login(centre.lead_a)
    page = client.get(reverse("inspections:inspection_list")).content.decode()
    assert result.ticket.number in page and other.ticket.number not in page
    assert client.get(reverse("inspections:inspection_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("inspections:agent_results", args=[centre.agents_b[0].pk])).status_code == 404
    agent_page = client.get(reverse("inspections:agent_results", args=[centre.agents[0].pk])).content.decode()
    assert "70.00" in agent_page
    partial = client.get(reverse("inspections:inspection_list"), {"status": "submitted"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and result.ticket.number in partial.content.decode()


def test_second_inspector_decides_through_the_page(centre, result):
    appeal = services.appeal_file(actor=centre.agents[0], inspection=result, reason="已问候")
    first = login(centre.inspectors[0])
    assert (
        "Decide the appeal"
        not in first.get(reverse("inspections:inspection_detail", args=[result.pk])).content.decode()
    )
    second = login(centre.inspectors[1])
    assert result.ticket.number in second.get(reverse("inspections:appeal_list")).content.decode()
    url = reverse("inspections:appeal_decide", args=[appeal.pk])
    assert "已问候" in second.get(url).content.decode()
    item1 = centre.card.items.get(position=1)
    data = _form_data(centre.card, {1: "3"}, outcome="partly_upheld", note="改为3分")
    assert second.post(url, data).status_code == 302
    appeal.refresh_from_db()
    assert (appeal.outcome, str(appeal.revised_score)) == ("partly_upheld", "90.00")
    page = second.get(reverse("inspections:inspection_detail", args=[result.pk])).content.decode()
    assert "Partly upheld" in page and "was 1" in page
    rejected_with_change = login(centre.qm).post(url, data)
    assert rejected_with_change.status_code == 400
    assert result.answers.filter(item=item1).count() == 2


def test_plans_draw_and_recheck_through_the_pages(centre):
    for agent in centre.agents:
        handled_ticket(agent, day=dt.date(2024, 3, 4))
    client = login(centre.qm)
    response = client.post(
        reverse("inspections:plan_create"),
        {
            "period_start": "2024-03-01",
            "rate": "20",
            "include_complaints": "on",
            "include_low_ratings": "on",
            "low_rating_max": "2",
            "scorecard": str(centre.card.pk),
        },
    )
    plan = SamplingPlan.objects.get()
    assert response.status_code == 302 and plan.rate == Decimal("0.2")
    assert client.post(reverse("inspections:plan_draw", args=[plan.pk]), {"seed": "777"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.seed) == (PlanStatus.DRAWN, 777)
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert "777" in page and "100.0 %" in page and centre.agents[0].display_name in page
    check = client.get(reverse("inspections:plan_verify", args=[plan.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-ok="true"' in check and "<html" not in check
    inspector_view = (
        login(centre.inspectors[0]).get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    )
    assert "Draw tickets and inspectors" not in inspector_view


def test_scorecard_editor_shows_the_running_sum_and_refuses_to_publish(centre):
    client = login(centre.qm)
    client.post(reverse("inspections:scorecard_create"), {"code": "EMAIL", "name_zh": "邮件质检"})
    draft = Scorecard.objects.get(code="EMAIL")
    editor = client.post(
        reverse("inspections:scorecard_section_add", args=[draft.pk]),
        {"section-name_zh": "服务态度"},
        HTTP_HX_REQUEST="true",
    )
    assert editor.status_code == 200 and "<html" not in editor.content.decode()
    section = draft.sections.get()
    partial = client.post(
        reverse("inspections:scorecard_item_add", args=[draft.pk]),
        {"item-section": section.pk, "item-text_zh": "礼貌用语", "item-weight": "70", "item-max_points": "4"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-total="70.00"' in partial and "Publishing needs exactly 100." in partial
    bad = client.post(
        reverse("inspections:scorecard_item_add", args=[draft.pk]),
        {"item-section": section.pk, "item-text_zh": "x", "item-weight": "0", "item-max_points": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 400 and "A weight lies above 0" in bad.content.decode()
    response = client.post(reverse("inspections:scorecard_publish", args=[draft.pk]), follow=True)
    assert "add up to 70" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ScorecardStatus.DRAFT


def test_calibration_page_shows_the_agreement_table(centre):
    tickets = [handled_ticket(centre.agents_b[0], day=dt.date(2024, 3, d)) for d in (2, 3)]
    session = services.calibration_create(
        actor=centre.qm, name="校准会", tickets=tickets, inspectors=centre.inspectors, scorecard=centre.card
    )
    for row in Inspection.objects.filter(calibration=session):
        services.inspection_submit(
            actor=row.inspector,
            inspection=row,
            answers=full_answers(centre.card, {1: 3 if row.ticket_id == tickets[0].pk else 4}),
        )
    page = login(centre.auditor).get(reverse("inspections:calibration_detail", args=[session.pk])).content.decode()
    assert "Alpha over all items" in page and "1.000" in page and "Mean deviation from consensus" in page


@pytest.mark.parametrize(
    "name,who,limit",
    [
        ("inspections:inspection_list", "qm", 12),
        ("inspections:my_results", "agent", 12),
        ("inspections:queue", "inspector", 12),
        ("inspections:plan_list", "qm", 10),
        ("inspections:appeal_list", "qm", 10),
        ("inspections:calibration_list", "qm", 10),
        ("inspections:scorecard_list", "qm", 10),
    ],
)
def test_list_pages_have_pinned_queries(centre, name, who, limit, django_assert_max_num_queries):
    for n in range(12):
        inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
        if n % 2:
            services.inspection_submit(
                actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card)
            )
            if n % 4 == 1:
                services.appeal_file(actor=centre.agents[0], inspection=inspection, reason="x")
    user = {"qm": centre.qm, "agent": centre.agents[0], "inspector": centre.inspectors[0]}[who]
    client = login(user)
    client.get(reverse(name))
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name)).status_code == 200


def test_plan_detail_queries_do_not_grow(centre, django_assert_max_num_queries):
    for agent in centre.agents:
        for day in (3, 4):
            handled_ticket(agent, day=dt.date(2024, 3, day))
    plan = services.plan_draw(
        actor=centre.qm,
        plan=services.plan_create(actor=centre.qm, period_start=PERIOD[0], scorecard=centre.card),
        seed=1,
    )
    client = login(centre.qm)
    client.get(reverse("inspections:plan_detail", args=[plan.pk]))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("inspections:plan_detail", args=[plan.pk])).status_code == 200


def test_agent_page_queries_do_not_grow(centre, django_assert_max_num_queries):
    for n in range(12):
        inspection = make_inspection(inspector=centre.inspectors[n % 3], agent=centre.agents[0], scorecard=centre.card)
        services.inspection_submit(
            actor=centre.inspectors[n % 3], inspection=inspection, answers=full_answers(centre.card, {2: 0})
        )
        services.inspection_accept(actor=centre.agents[0], inspection=inspection)  # final: proposes training
    url = reverse("inspections:agent_results", args=[centre.agents[0].pk])
    client = login(centre.lead_a)
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count("inspections/results/") >= 12
