"""The inspection API: scopes (403 before anything else, 404 outside the caller's scope), error
shapes naming the field (400 rules, 422 shapes), the draw and its re-check, and pinned queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sqm.inspections import services
from sqm.inspections.models import Inspection, InspectionStatus
from sqm.inspections.tests.factories import PERIOD, full_answers, handled_ticket, make_inspection
from sqm.org.services import api_token_create

pytestmark = pytest.mark.django_db
BASE = "/api/inspections"


def api(user: Any) -> Client:
    key = api_token_create(actor=user, user=user, name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method, BASE + path, data=json.dumps(body) if body is not None else "", content_type="application/json"
    )


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["detail"]]


@pytest.fixture
def result(centre):
    inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
    services.inspection_submit(
        actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card, {1: 1})
    )
    return Inspection.objects.get(pk=inspection.pk)


def test_roles_without_the_capability_get_403_for_any_id(centre, result):
    response = send(api(centre.agents[0]), "GET", f"/inspections/{result.pk}")
    assert response.status_code == 403 and response.json()["detail"][0]["code"] == "permission_denied"
    assert send(api(centre.agents[0]), "GET", "/inspections/999999").status_code == 403
    assert send(api(centre.inspectors[0]), "POST", "/plans", {"period_start": "2024-05-01"}).status_code == 403


def test_team_leads_see_their_team_only(centre, result):
    assert send(api(centre.lead_a), "GET", f"/inspections/{result.pk}").status_code == 200
    response = send(api(centre.lead_b), "GET", f"/inspections/{result.pk}")
    assert response.status_code == 404 and _fields(response) == ["id"]
    listed = send(api(centre.lead_b), "GET", "/inspections").json()
    assert listed["count"] == 0
    assert send(api(centre.lead_a), "GET", "/inspections").json()["count"] == 1


def test_agents_read_their_own_results_only(centre, result):
    own = send(api(centre.agents[0]), "GET", f"/results/{result.pk}")
    assert own.status_code == 200
    body = own.json()
    assert body["score"] == "70.00" and len(body["answers"]) == centre.card.items.count()
    assert send(api(centre.agents[1]), "GET", f"/results/{result.pk}").status_code == 404
    assert [r["id"] for r in send(api(centre.agents[0]), "GET", "/results").json()] == [result.pk]


def test_score_out_of_range_is_400_naming_the_item(centre):
    inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
    items = list(centre.card.items.order_by("position"))
    body = {"answers": [{"item_id": i.pk, "points": 4 if i.max_points >= 4 else i.max_points} for i in items]}
    body["answers"][2]["points"] = 3  # item 3 is scored 0–2
    response = send(api(centre.inspectors[0]), "POST", f"/inspections/{inspection.pk}/submit", body)
    assert response.status_code == 400
    assert _fields(response) == [f"answers.{items[2].pk}.points"]
    assert "between 0 and 2" in response.json()["detail"][0]["message"]


def test_shapes_are_422_naming_the_field(centre):
    inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
    client = api(centre.inspectors[0])
    response = send(client, "POST", f"/inspections/{inspection.pk}/submit", {"answers": [{"item_id": 1, "points": 11}]})
    assert response.status_code == 422 and _fields(response) == ["answers.0.points"]
    response = send(client, "POST", f"/inspections/{inspection.pk}/submit", {"answers": [], "verdict": "x"})
    assert response.status_code == 422 and _fields(response) == ["verdict"]
    response = send(api(centre.qm), "POST", "/plans/1/draw", {"seed": -5})
    assert response.status_code == 422 and _fields(response) == ["seed"]


def test_someone_elses_assignment_is_404(centre):
    inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
    response = send(api(centre.inspectors[1]), "POST", f"/inspections/{inspection.pk}/submit", {})
    assert response.status_code == 404


def test_appeal_rules_name_the_field(centre, result):
    lead = api(centre.lead_a)  # may see the result, may appeal, but it is not theirs
    response = send(lead, "POST", f"/results/{result.pk}/appeal", {"reason": "替组员申诉"})
    assert response.status_code == 400 and _fields(response) == ["inspection"]
    assert send(api(centre.agents[1]), "POST", f"/results/{result.pk}/appeal", {"reason": "x"}).status_code == 404
    Inspection.objects.filter(pk=result.pk).update(appeal_deadline=timezone.now() - dt.timedelta(hours=1))
    response = send(api(centre.agents[0]), "POST", f"/results/{result.pk}/appeal", {"reason": "超期申诉"})
    assert response.status_code == 400 and _fields(response) == ["appeal_deadline"]
    assert response.json()["detail"][0]["code"] == "expired"
    response = send(api(centre.agents[0]), "POST", f"/results/{result.pk}/appeal", {"reason": ""})
    assert response.status_code == 422 and _fields(response) == ["reason"]


def test_appeal_and_decision_through_the_api(centre, result):
    filed = send(api(centre.agents[0]), "POST", f"/results/{result.pk}/appeal", {"reason": "第1项已问候"})
    assert filed.status_code == 201 and filed.json()["status"] == "appealed"
    queue = send(api(centre.inspectors[1]), "GET", "/appeals").json()
    assert [a["inspection"]["id"] for a in queue] == [result.pk]
    assert send(api(centre.inspectors[0]), "GET", "/appeals").json() == []  # the first inspector never sees it
    appeal_id = queue[0]["id"]
    item1 = centre.card.items.get(position=1)
    response = send(
        api(centre.inspectors[0]), "POST", f"/appeals/{appeal_id}/decide", {"outcome": "rejected", "note": "x"}
    )
    assert response.status_code == 400 and _fields(response) == ["decided_by"]
    response = send(
        api(centre.inspectors[1]),
        "POST",
        f"/appeals/{appeal_id}/decide",
        {"outcome": "upheld", "note": "录音证实已问候", "answers": [{"item_id": item1.pk, "points": 4}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["original_score"], body["revised_score"]) == ("upheld", "70.00", "100.00")
    detail = send(api(centre.agents[0]), "GET", f"/results/{result.pk}").json()
    assert detail["status"] == "final" and {a["stage"] for a in detail["answers"]} == {"inspector", "appeal"}


def test_plan_draw_and_verify_through_the_api(centre):
    for agent in centre.agents:
        for day in (3, 9, 17):
            handled_ticket(agent, day=dt.date(2024, 3, day))
    client = api(centre.qm)
    created = send(
        client, "POST", "/plans", {"period_start": "2024-03-01", "rate": "0.2", "scorecard_id": centre.card.pk}
    )
    assert created.status_code == 201 and created.json()["period_end"] == "2024-03-31"
    plan_id = created.json()["id"]
    drawn = send(client, "POST", f"/plans/{plan_id}/draw", {"seed": 123456789})
    body = drawn.json()
    assert drawn.status_code == 200 and body["seed"] == 123456789 and body["status"] == "drawn"
    assert body["population"] == 15 and body["sampled"] == 5 and body["achieved_rate"] == "33.3"
    assert {row["agent"]["id"] for row in body["strata"]} == {a.pk for a in centre.agents}
    assert all(row["sampled"] == 1 and row["sampled_rate"] == "33.3" for row in body["strata"])
    assert sum(w["total"] for w in body["workload"]) == 5
    check = send(api(centre.auditor), "GET", f"/plans/{plan_id}/verify").json()
    assert check["ok"] and check["drawn"] and check["seed"] == 123456789
    again = send(client, "POST", f"/plans/{plan_id}/draw", {"seed": 1})
    assert again.status_code == 400 and _fields(again) == ["status"]
    overlap = send(client, "POST", "/plans", {"period_start": "2024-03-10", "period_end": "2024-04-10"})
    assert overlap.status_code == 400 and _fields(overlap) == ["period_start"]


def test_scorecard_weights_through_the_api(centre):
    client = api(centre.qm)
    card = send(client, "POST", "/scorecards", {"code": "chat", "name_zh": "在线质检"}).json()
    card = send(client, "POST", f"/scorecards/{card['id']}/sections", {"name_zh": "服务态度"}).json()
    section = card["sections"][0]["id"]
    card = send(
        client, "POST", f"/scorecards/{card['id']}/items", {"section_id": section, "text_zh": "礼貌", "weight": 60}
    ).json()
    card = send(
        client, "POST", f"/scorecards/{card['id']}/items", {"section_id": section, "text_zh": "准确", "weight": "30.5"}
    ).json()
    assert card["weight_sum"] == "90.50"
    response = send(client, "POST", f"/scorecards/{card['id']}/publish", {})
    assert response.status_code == 400 and _fields(response) == ["weight"]
    assert "90.5" in response.json()["detail"][0]["message"]
    item = card["sections"][0]["items"][1]["id"]
    assert send(client, "PATCH", f"/scorecards/items/{item}", {"weight": 40}).json()["weight_sum"] == "100.00"
    published = send(client, "POST", f"/scorecards/{card['id']}/publish", {"effective_from": "2024-01-01"})
    assert published.status_code == 200 and published.json()["status"] == "effective"
    wrong = send(client, "POST", f"/scorecards/{card['id']}/items", {"section_id": 999999, "text_zh": "x", "weight": 1})
    assert wrong.status_code == 400 and _fields(wrong) == ["section_id"]


def test_calibration_through_the_api(centre):
    tickets = [handled_ticket(centre.agents_b[0], day=dt.date(2024, 3, d)).pk for d in (2, 3)]
    people = [u.pk for u in centre.inspectors]
    response = send(
        api(centre.qm),
        "POST",
        "/calibrations",
        {"name": "校准", "ticket_ids": tickets, "inspector_ids": people, "scorecard_id": centre.card.pk},
    )
    assert response.status_code == 201 and response.json()["expected"] == 6
    session = response.json()["session"]["id"]
    for row in Inspection.objects.filter(calibration_id=session):
        services.inspection_submit(
            actor=row.inspector,
            inspection=row,
            answers=full_answers(centre.card, {1: 3 if row.inspector == centre.inspectors[2] else 4}),
        )
    report = send(api(centre.auditor), "GET", f"/calibrations/{session}").json()
    assert report["submitted"] == 6 and len(report["items"]) == centre.card.items.count()
    item1 = next(i for i in report["items"] if i["text"] == "Item 1" or i["text"] == "项目1")
    assert item1["scores"][str(centre.inspectors[2].pk)] == [3, 3]
    wrong = send(
        api(centre.qm), "POST", "/calibrations", {"name": "x", "ticket_ids": [999999], "inspector_ids": people}
    )
    assert wrong.status_code == 400 and _fields(wrong) == ["ticket_ids"]


@pytest.mark.parametrize("path", ["/inspections", "/results", "/assignments", "/plans", "/appeals", "/calibrations"])
def test_list_queries_do_not_grow(centre, path, django_assert_max_num_queries):
    for n in range(8):
        inspection = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)
        if n % 2:
            services.inspection_submit(
                actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card)
            )
    user = {"/inspections": centre.qm, "/results": centre.agents[0], "/assignments": centre.inspectors[0]}.get(
        path, centre.qm
    )
    client = api(user)
    send(client, "GET", path)  # warm the token
    with django_assert_max_num_queries(6):
        response = send(client, "GET", path)
    assert response.status_code == 200


def test_plan_detail_queries_do_not_grow_with_agents(centre, django_assert_max_num_queries):
    for agent in centre.agents:
        handled_ticket(agent, day=dt.date(2024, 3, 5))
    plan = services.plan_draw(
        actor=centre.qm,
        plan=services.plan_create(actor=centre.qm, period_start=PERIOD[0], scorecard=centre.card),
        seed=1,
    )
    client = api(centre.qm)
    send(client, "GET", f"/plans/{plan.pk}")
    with django_assert_max_num_queries(8):
        assert send(client, "GET", f"/plans/{plan.pk}").status_code == 200
    assert InspectionStatus.ASSIGNED in set(Inspection.objects.values_list("status", flat=True))


def test_agent_summary_for_the_agents_own_team_only(centre, result, django_assert_max_num_queries):
    path = f"/agents/{centre.agents[0].pk}"
    client = api(centre.lead_a)
    send(client, "GET", path)
    with django_assert_max_num_queries(8):
        mine = send(client, "GET", path)
    assert mine.status_code == 200 and mine.json()["count"] == 1 and mine.json()["agent"]["id"] == centre.agents[0].pk
    assert send(api(centre.lead_b), "GET", path).status_code == 404
    assert send(api(centre.lead_a), "GET", "/agents/999999").status_code == 404
