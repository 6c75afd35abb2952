"""The alert and contingency-plan API: lists, details, the lifecycle, major incidents, plans and
drills, validation that names the field, and pinned query counts."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import translation

from sqm.core.roles import Role
from sqm.kpis.models import Alert, AlertLevel, AlertRule, AlertStatus, ContingencyPlan
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import AlertFactory, staff
from sqm.org.services import api_token_create
from sqm.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
A = "/api/kpis/alerts"
P = "/api/kpis/plans"
PLAN = "原因：周末排班不足。措施：增加两名备班坐席，每日复盘投诉，月底前完成。"


def _client(user) -> Client:
    key = api_token_create(actor=user, user=user, name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def _send(client: Client, method: str, path: str, body=None):
    return client.generic(
        method, path, data=json.dumps(body) if body is not None else "", content_type="application/json"
    )


@pytest.fixture
def people():
    services.install_alert_defaults()
    return staff()


@pytest.fixture
def alert(people):
    return AlertFactory(
        rule=AlertRule.objects.get(code="complaint_growth"),
        level=AlertLevel.YELLOW,
        evidence={
            "kind": "complaint_growth",
            "this_week": 13,
            "last_week": 10,
            "growth": "0.3000",
            "period": "2026-11-16",
        },
    )


def test_list_and_detail(people, alert):
    AlertFactory(level=AlertLevel.RED, status=AlertStatus.CLOSED)
    client = _client(UserFactory(role=Role.AUDITOR, language="en"))
    body = client.get(A, {"active": "true"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == alert.pk and item["rule"] == "complaint_growth" and item["level"] == "yellow"
    assert item["title"] == "Complaints up 30 % week on week: 13 in the week from 2026-11-16 against 10"
    assert item["overdue"] is False and "evidence" not in item
    detail = client.get(f"{A}/{alert.pk}").json()
    assert detail["evidence"]["this_week"] == 13 and detail["events"] == [] and detail["task_force"] == []
    assert client.get(f"{A}/999999").status_code == 404
    assert client.get(A, {"level": "purple"}).status_code == 422


def test_list_query_count_is_pinned(people, django_assert_max_num_queries):
    for i in range(30):
        AlertFactory(owner=people["lead"] if i % 2 else None, contingency_plan=ContingencyPlan.objects.first())
    client = _client(people["qm"])
    client.get(A)
    with django_assert_max_num_queries(4):  # token, last-used stamp, count, one page
        assert len(client.get(A, {"limit": 50}).json()["items"]) == 30


def test_lifecycle_through_the_api(people, alert):
    lead, qm = _client(people["lead"]), _client(people["qm"])
    body = _send(lead, "POST", f"{A}/{alert.pk}/acknowledge").json()
    assert body["status"] == "acknowledged" and body["owner"]["id"] == people["lead"].pk
    again = _send(_client(people["lead2"]), "POST", f"{A}/{alert.pk}/acknowledge")
    assert again.status_code == 400 and again.json()["detail"][0]["field"] == "status"
    short = _send(lead, "POST", f"{A}/{alert.pk}/plan", {"plan": "加人"})
    assert short.status_code == 400
    assert short.json()["detail"][0] == {
        "field": "plan",
        "message": "Write the rectification plan in at least 20 characters: causes, measures, owners and dates.",
        "code": "min_length",
    }
    assert _send(lead, "POST", f"{A}/{alert.pk}/plan", {"plan": PLAN}).json()["status"] == "plan_submitted"
    denied = _send(lead, "POST", f"{A}/{alert.pk}/verify", {})
    assert denied.status_code == 403
    verified = _send(qm, "POST", f"{A}/{alert.pk}/verify", {"note": "已核实"}).json()
    assert verified["status"] == "verified" and verified["verified_by"]["id"] == people["qm"].pk
    closed = _send(qm, "POST", f"{A}/{alert.pk}/close", {}).json()
    assert closed["status"] == "closed"
    assert [e["kind"] for e in closed["events"]] == ["acknowledged", "plan_submitted", "verified", "closed"]


def test_separation_of_duties_is_a_403(people, alert):
    qm = _client(people["qm"])
    _send(qm, "POST", f"{A}/{alert.pk}/acknowledge")
    _send(qm, "POST", f"{A}/{alert.pk}/plan", {"plan": PLAN})
    response = _send(qm, "POST", f"{A}/{alert.pk}/verify", {})
    assert response.status_code == 403
    assert "separation of duties" in response.json()["detail"][0]["message"]


def test_reopen_and_assign_validation(people, alert):
    services.alert_acknowledge(actor=people["lead"], alert=alert)
    services.alert_plan_submit(actor=people["lead"], alert=alert, plan=PLAN)
    qm = _client(people["qm"])
    missing = _send(qm, "POST", f"{A}/{alert.pk}/reopen", {})
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "note"
    assert _send(qm, "POST", f"{A}/{alert.pk}/reopen", {"note": "没有责任人"}).json()["status"] == "acknowledged"
    lead = _client(people["lead"])
    agent = UserFactory(role=Role.AGENT)
    bad = _send(lead, "POST", f"{A}/{alert.pk}/assign", {"owner_id": agent.pk})
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "owner_id"
    nobody = _send(lead, "POST", f"{A}/{alert.pk}/assign", {"owner_id": 987654})
    assert nobody.status_code == 400 and nobody.json()["detail"][0]["field"] == "owner_id"
    extra = _send(lead, "POST", f"{A}/{alert.pk}/assign", {"owner_id": people["qm"].pk, "level": "red"})
    assert extra.status_code == 422


def test_major_incident(people):
    client = _client(people["lead"])
    response = _send(
        client,
        "POST",
        f"{A}/major-incidents",
        {
            "title": "全渠道排队超过 200 人",
            "description": "突发停电导致两个班组离线。",
            "scenario": "resource_shortage",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["level"] == "red" and body["contingency_plan"]["code"] == "resource-shortage"
    assert body["kind"] == "major_incident" and body["title"] == "全渠道排队超过 200 人"
    bad = _send(client, "POST", f"{A}/major-incidents", {"title": "x", "description": "y", "scenario": "flood"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "scenario"
    valid = {"title": "全渠道排队", "description": "详情", "scenario": "other"}
    denied = _send(_client(UserFactory(role=Role.AUDITOR)), "POST", f"{A}/major-incidents", valid)
    assert denied.status_code == 403


def test_plans_and_drills(people):
    qm = _client(people["qm"])
    plans = qm.get(P).json()
    assert {p["code"] for p in plans} >= {"resource-shortage", "system-outage", "mass-complaints", "public-opinion"}
    created = _send(
        qm,
        "POST",
        P,
        {
            "code": "power-cut",
            "scenario": "other",
            "title_zh": "停电应急预案",
            "title_en": "Power cut",
            "body_zh": "一、启用备用电源；二、切换到异地坐席；三、通报客户。",
            "owner_id": people["qm"].pk,
        },
    )
    assert created.status_code == 201
    plan_id = created.json()["id"]
    duplicate = _send(
        qm,
        "POST",
        P,
        {
            "code": "power-cut",
            "scenario": "other",
            "title_zh": "x",
            "title_en": "x",
            "body_zh": "一二三四五六七八九十一二三四五六七八九十",
        },
    )
    assert duplicate.status_code == 400 and duplicate.json()["detail"][0]["field"] == "code"
    patched = _send(qm, "PATCH", f"{P}/{plan_id}", {"title_en": "Power outage", "is_active": False}).json()
    assert patched["title_en"] == "Power outage" and patched["is_active"] is False
    retired_drill = _send(
        qm, "POST", f"{P}/{plan_id}/drills", {"held_on": "2026-06-01", "participants": "全员", "findings": "ok"}
    )
    assert retired_drill.status_code == 400 and retired_drill.json()["detail"][0]["field"] == "plan"
    _send(qm, "PATCH", f"{P}/{plan_id}", {"is_active": True})
    future = _send(
        qm, "POST", f"{P}/{plan_id}/drills", {"held_on": "2999-01-01", "participants": "全员", "findings": "ok"}
    )
    assert future.status_code == 400 and future.json()["detail"][0]["field"] == "held_on"
    drill = _send(
        qm,
        "POST",
        f"{P}/{plan_id}/drills",
        {
            "held_on": "2026-06-01",
            "participants": "投诉处理组",
            "findings": "备用电源切换用时 6 分钟。",
            "follow_up": "采购 UPS",
        },
    )
    assert drill.status_code == 201 and drill.json()["recorded_by"]["id"] == people["qm"].pk
    detail = _client(people["lead"]).get(f"{P}/{plan_id}").json()
    assert (
        detail["drill_count"] == 1
        and detail["last_drill"] == "2026-06-01"
        and detail["drills"][0]["follow_up"] == "采购 UPS"
    )
    assert _send(_client(people["lead"]), "PATCH", f"{P}/{plan_id}", {"title_en": "x"}).status_code == 403
    with translation.override("en"):
        assert _send(qm, "PATCH", f"{P}/{plan_id}", {"owner_id": UserFactory(role=Role.AGENT).pk}).status_code == 400
    assert Alert.objects.count() == 0
