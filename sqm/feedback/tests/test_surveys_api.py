"""The survey, return-visit and mystery-shopper API: shapes, 400 naming the field, 403 before any
lookup, 404, 422 for malformed bodies, the public answer endpoints, pinned query counts."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.roles import Role
from sqm.feedback.surveys.models import Invitation, SurveyResponse
from sqm.feedback.tests.surveys_factories import (
    PNG,
    ClosedTicketFactory,
    MysteryVisitFactory,
    ReturnVisitFactory,
    invite,
    servqual_survey,
)
from sqm.org.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
S = "/api/feedback/surveys"


def _api(client_for, user) -> Client:
    client = client_for(user)
    client.cookies["sqm_language"] = "en"
    return client


def _fields(response) -> set[str]:
    return {e["field"] for e in response.json()["detail"]}


@pytest.fixture
def qm(client_for, make_user):
    user = make_user(Role.QUALITY_MANAGER)
    client = _api(client_for, user)
    client.user = user
    return client


def test_building_a_survey(qm, client_for, make_user):
    made = qm.post(S, {"title_zh": "季度调查", "title_en": "Quarterly"}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["status"] == "draft" and body["questions"] == [] and body["kind"] == "custom"
    sid = body["id"]
    q = qm.post(
        f"{S}/{sid}/questions",
        {"kind": "rating", "text_zh": "满意吗", "scale_max": 7, "code": "OVR"},
        content_type="application/json",
    )
    assert q.status_code == 201 and q.json()["scale_max"] == 7 and q.json()["position"] == 1
    second = qm.post(f"{S}/{sid}/questions", {"kind": "text", "text_zh": "建议"}, content_type="application/json")
    bad = qm.post(
        f"{S}/{sid}/questions", {"kind": "rating", "text_zh": "x", "scale_max": 10}, content_type="application/json"
    )
    assert bad.status_code == 400 and _fields(bad) == {"scale_max"}
    malformed = qm.post(f"{S}/{sid}/questions", {"kind": "slider", "text_zh": "x"}, content_type="application/json")
    assert malformed.status_code == 422 and "kind" in str(malformed.json())
    extra = qm.post(S, {"title_zh": "x", "colour": "red"}, content_type="application/json")
    assert extra.status_code == 422
    moved = qm.patch(f"{S}/{sid}/questions/{second.json()['id']}", {"position": 1}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["position"] == 1
    changed = qm.patch(
        f"{S}/{sid}/questions/{q.json()['id']}", {"text_en": "Satisfied?"}, content_type="application/json"
    )
    assert changed.json()["text_en"] == "Satisfied?" and changed.json()["scale_max"] == 7, "the rest is kept"
    assert qm.delete(f"{S}/{sid}/questions/{second.json()['id']}").status_code == 204
    assert (
        qm.patch(f"{S}/{sid}", {"intro_zh": "感谢参与"}, content_type="application/json").json()["title_zh"]
        == "季度调查"
    )
    opened = qm.post(f"{S}/{sid}/open")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    frozen = qm.post(f"{S}/{sid}/questions", {"kind": "text", "text_zh": "晚了"}, content_type="application/json")
    assert frozen.status_code == 400 and _fields(frozen) == {"survey"}
    assert qm.post(f"{S}/999999/open").status_code == 404
    assert qm.delete(f"{S}/{sid}/questions/999999").status_code == 404
    agent = _api(client_for, make_user(Role.AGENT))
    for path in (f"{S}/{sid}", f"{S}/999999", S):
        assert agent.get(path).status_code == 403
    assert agent.post(f"{S}/999999/close").status_code == 403
    lead = _api(client_for, make_user(Role.TEAM_LEAD))
    assert lead.get(f"{S}/{sid}").status_code == 200 and lead.post(f"{S}/{sid}/close").status_code == 403


def test_templates_copy_distribute_and_results(qm):
    templates = qm.post(f"{S}/templates").json()
    assert sorted(t["template_code"] for t in templates) == ["csat", "nps", "servqual"]
    servqual = next(t for t in templates if t["template_code"] == "servqual")
    assert servqual["questions"] == 24 and servqual["is_template"]
    copy = qm.post(f"{S}/{servqual['id']}/copy")
    assert copy.status_code == 201 and len(copy.json()["questions"]) == 24
    sid = copy.json()["id"]
    qm.post(f"{S}/{sid}/open")
    for _ in range(4):
        ClosedTicketFactory(customer=UserFactory(role=Role.CUSTOMER))
    today = timezone.localdate().isoformat()
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    payload = {"closed_from": week_ago, "closed_to": today, "sample_size": 3, "seed": 20260101}
    sent = qm.post(f"{S}/{sid}/distributions", payload, content_type="application/json")
    assert sent.status_code == 201
    assert {k: sent.json()[k] for k in ("seed", "population", "invited", "sample_size")} == {
        "seed": 20260101,
        "population": 4,
        "invited": 3,
        "sample_size": 3,
    }
    wrong = qm.post(f"{S}/{sid}/distributions", {**payload, "team_id": 999999}, content_type="application/json")
    assert wrong.status_code == 400 and _fields(wrong) == {"team_id"}
    listed = qm.get(S).json()
    assert next(s for s in listed if s["id"] == sid)["invited"] == 3
    results = qm.get(f"{S}/{sid}/results").json()
    assert results["invited"] == 3 and results["responded"] == 0 and results["response_rate"] == "0.00"
    assert [d["code"] for d in results["servqual"]["dimensions"]] == [
        "tangibles",
        "reliability",
        "responsiveness",
        "assurance",
        "empathy",
    ]
    assert len(results["questions"]) == 24


def test_public_answering(make_user, django_assert_max_num_queries):
    manager = make_user(Role.QUALITY_MANAGER)
    survey = servqual_survey(manager)
    token = invite(survey)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    entries = AuditEntry.objects.count()
    with django_assert_max_num_queries(5):  # rate counter (3 with its savepoint), invitation, questions
        shown = client.get(f"{S}/respond/{token}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["title"] == "Service quality survey (SERVQUAL)" and len(body["questions"]) == 24
    first = body["questions"][0]
    assert first["kind"] == "gap" and first["scale"] == [1, 2, 3, 4, 5, 6, 7] and first["dimension"] == "tangibles"
    assert next(o["code"] for o in body["questions"][22]["options"]) == "tangibles"
    assert AuditEntry.objects.count() == entries and Invitation.objects.get().responded_at is None, "GET stores nothing"
    items = [q for q in body["questions"] if q["kind"] == "gap"]
    weights = next(q for q in body["questions"] if q["kind"] == "weights")
    answers = [{"question_id": q["id"], "expectation": 6, "perception": 5} for q in items]
    points = {"tangibles": 10, "reliability": 30, "responsiveness": 20, "assurance": 20, "empathy": 20}
    bad = client.post(
        f"{S}/respond",
        {"token": token, "answers": [*answers[:-1], {"question_id": items[-1]["id"], "expectation": 9, "perception": 5},
                                     {"question_id": weights["id"], "points": {**points, "empathy": 25}}]},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert _fields(bad) == {f"answers.{items[-1]['id']}.expectation", f"answers.{weights['id']}.points"}
    assert "add up to 100" in str(bad.json())
    twice = client.post(
        f"{S}/respond", {"token": token, "answers": [answers[0], answers[0]]}, content_type="application/json"
    )
    assert twice.status_code == 400 and _fields(twice) == {f"answers.{items[0]['id']}"}
    typed = client.post(
        f"{S}/respond",
        {"token": token, "answers": [{"question_id": items[0]["id"], "expectation": "high"}]},
        content_type="application/json",
    )
    assert typed.status_code == 422
    good = {"token": token, "answers": [*answers, {"question_id": weights["id"], "points": points}]}
    done = client.post(f"{S}/respond", good, content_type="application/json")
    assert done.status_code == 201 and done.json()["answers"] == 23, done.json()
    again = client.post(f"{S}/respond", good, content_type="application/json")
    assert again.status_code == 400 and again.json()["detail"][0]["code"] == "used"
    assert SurveyResponse.objects.count() == 1
    forged = client.get(f"{S}/respond/{token[:-3]}abc")
    assert forged.status_code == 400 and forged.json()["detail"][0] == {
        "field": "token",
        "message": "This survey link is not valid. Please use the link exactly as you received it.",
        "code": "forged",
    }
    old = invite(survey, days=-1)
    expired = client.post(f"{S}/respond", {**good, "token": old}, content_type="application/json")
    assert expired.status_code == 400 and expired.json()["detail"][0]["code"] == "expired"


def test_return_visits_api(client_for, make_user, django_assert_max_num_queries):
    team = TeamFactory()
    agent = make_user(Role.AGENT, team=team)
    mine = ReturnVisitFactory(agent=agent, team=team)
    for _ in range(12):
        ReturnVisitFactory()
    client = _api(client_for, agent)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/feedback/return-visits")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    item = listed.json()["items"][0]
    assert item["id"] == mine.pk and item["ticket"]["number"] == mine.ticket.number and item["status"] == "pending"
    assert item["ticket"]["customer"]["display_name"] and item["calls"] == []
    other = ReturnVisitFactory()
    assert client.get(f"/api/feedback/return-visits/{other.pk}").status_code == 404
    wrong = client.post(
        f"/api/feedback/return-visits/{mine.pk}/outcome", {"outcome": "persists"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and _fields(wrong) == {"notes"}
    bad = client.post(
        f"/api/feedback/return-visits/{mine.pk}/outcome", {"outcome": "happy"}, content_type="application/json"
    )
    assert bad.status_code == 422
    done = client.post(
        f"/api/feedback/return-visits/{mine.pk}/outcome",
        {"outcome": "not_reached", "notes": "无人接听"},
        content_type="application/json",
    )
    assert (
        done.status_code == 200 and done.json()["attempts"] == 1 and done.json()["calls"][0]["outcome"] == "not_reached"
    )
    manager = _api(client_for, make_user(Role.QUALITY_MANAGER))
    with django_assert_max_num_queries(8):
        everything = manager.get("/api/feedback/return-visits?status=pending&limit=5")
    assert everything.json()["count"] == 14 and len(everything.json()["items"]) == 5
    assert manager.get("/api/feedback/return-visits?status=nonsense").status_code == 400
    assert (
        manager.post(
            f"/api/feedback/return-visits/{mine.pk}/outcome", {"outcome": "satisfied"}, content_type="application/json"
        ).status_code
        == 403
    )
    moved = manager.post(
        f"/api/feedback/return-visits/{other.pk}/reassign", {"agent_id": agent.pk}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["agent"]["id"] == agent.pk
    customer = _api(client_for, make_user(Role.CUSTOMER))
    assert customer.get(f"/api/feedback/return-visits/{mine.pk}").status_code == 403


def test_mystery_api(client_for, make_user, settings, tmp_path, django_assert_max_num_queries):
    settings.MEDIA_ROOT = tmp_path
    shopper = make_user(Role.MYSTERY_SHOPPER)
    client = _api(client_for, shopper)
    team = TeamFactory()
    payload = {
        "channel": "phone",
        "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "scenario": "拨打热线咨询话费",
        "team_id": team.pk,
        "attitude": 4,
        "professionalism": 5,
        "timeliness": 2,
        "timeliness_comment": "等待8分钟",
        "environment": 4,
        "sop": 3,
        "evidence": [{"name": "截图.png", "content_base64": base64.b64encode(PNG).decode()}],
    }
    made = client.post("/api/feedback/mystery-visits", payload, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["total"] == 18 and body["percent"] == "72.0" and body["evidence"][0]["content_type"] == "image/png"
    assert body["shopper"]["id"] == shopper.pk and body["status"] == "submitted"
    no_comment = client.post(
        "/api/feedback/mystery-visits", {**payload, "timeliness_comment": ""}, content_type="application/json"
    )
    assert no_comment.status_code == 400 and _fields(no_comment) == {"timeliness_comment"}
    out_of_range = client.post("/api/feedback/mystery-visits", {**payload, "sop": 6}, content_type="application/json")
    assert out_of_range.status_code == 422
    not_base64 = client.post(
        "/api/feedback/mystery-visits",
        {**payload, "evidence": [{"name": "a.png", "content_base64": "***"}]},
        content_type="application/json",
    )
    assert not_base64.status_code == 400 and _fields(not_base64) == {"evidence.0.content_base64"}
    exe = client.post(
        f"/api/feedback/mystery-visits/{body['id']}/evidence",
        {"files": [{"name": "a.exe", "content_base64": base64.b64encode(b"MZ").decode()}]},
        content_type="application/json",
    )
    assert exe.status_code == 400 and _fields(exe) == {"evidence"}
    for _ in range(10):
        MysteryVisitFactory(team=team)
    reviewer = make_user(Role.QUALITY_MANAGER)
    manager = _api(client_for, reviewer)
    with django_assert_max_num_queries(8):
        listed = manager.get("/api/feedback/mystery-visits")
    assert listed.json()["count"] == 11
    reviewed = manager.post(
        f"/api/feedback/mystery-visits/{body['id']}/review", {"verdict": "accepted"}, content_type="application/json"
    )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "accepted"
    assert reviewed.json()["reviewed_by"]["id"] == reviewer.pk
    assert (
        client.post(
            f"/api/feedback/mystery-visits/{body['id']}/review",
            {"verdict": "accepted"},
            content_type="application/json",
        ).status_code
        == 403
    )
