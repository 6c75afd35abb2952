"""The standards API: reading the library and versions in force, the draft → review → effective
flow, diff, proposals, SOPs, and the 400/403/404/422 error shapes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from sqm.core.roles import Role
from sqm.org.services import api_token_create
from sqm.standards.models import ChangeProposal, Standard, StandardVersion, VersionStatus
from sqm.standards.tests.factories import effective_standard

pytestmark = pytest.mark.django_db
BASE = "/api/standards"


def _client(user) -> Client:
    key = api_token_create(actor=user, user=user, name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def _send(client: Client, method: str, path: str, body=None):
    return client.generic(
        method, path, data=json.dumps(body) if body is not None else "", content_type="application/json"
    )


@pytest.fixture
def qm(make_user):
    return _client(make_user(Role.QUALITY_MANAGER, language="en"))


@pytest.fixture
def agent(make_user):
    return _client(make_user(Role.AGENT, language="en"))


def test_library_and_version_in_force_on_a_day(agent, django_assert_max_num_queries):
    for _ in range(10):
        effective_standard()
    _send(agent, "GET", f"{BASE}/")
    with django_assert_max_num_queries(6):
        response = _send(agent, "GET", f"{BASE}/")
    body = response.json()
    assert response.status_code == 200 and body["count"] == len(body["items"]) >= 18
    sat = next(item for item in body["items"] if item["code"] == "QS-SAT")
    assert sat["in_force"]["number"] == 1 and sat["in_force"]["effective_from"] == "2025-01-01"
    early = _send(agent, "GET", f"{BASE}/?on=2024-06-01&category=quality").json()
    assert {item["category"] for item in early["items"]} == {"quality"}
    assert all(item["in_force"] is None for item in early["items"])
    detail = _send(agent, "GET", f"{BASE}/{sat['id']}").json()
    assert [v["number"] for v in detail["versions"]] == [1] and detail["in_force"]["status"] == "effective"
    version = _send(agent, "GET", f"{BASE}/versions/{sat['in_force']['id']}").json()
    csat = next(i for i in version["indicators"] if i["code"] == "csat")
    assert (csat["target"], csat["yellow"], csat["red"], csat["kpi"]) == ("90.0000", "88.0000", "80.0000", "csat")
    assert version["clauses"][0]["number"] == "1"


def test_indicators_in_force_and_sops(agent, django_assert_max_num_queries):
    _send(agent, "GET", f"{BASE}/indicators")
    with django_assert_max_num_queries(4):
        rows = _send(agent, "GET", f"{BASE}/indicators").json()
    assert {"QS-SAT", "QS-OUT", "PS-CMP", "PS-RSP"} <= {r["standard_code"] for r in rows}
    assert all(r["version_number"] == 1 for r in rows)
    sops = _send(agent, "GET", f"{BASE}/sops?ticket_type=complaint").json()
    consult = _send(agent, "GET", f"{BASE}/sops?ticket_type=consultation").json()
    complaint_only = {s["id"] for s in sops} - {s["id"] for s in consult}
    assert complaint_only and all(s["standard_code"] in ("PS-CMP", "CS-SCR") for s in sops if s["id"] in complaint_only)


def test_draft_review_effective_through_the_api(qm, agent):
    created = _send(
        qm, "POST", f"{BASE}/", {"code": "QS-API", "category": "quality", "name_zh": "接口标准", "name_en": "API std"}
    )
    assert created.status_code == 201
    draft_id = created.json()["versions"][0]["id"]
    add = _send(
        qm,
        "POST",
        f"{BASE}/versions/{draft_id}/indicators",
        {
            "code": "csat",
            "name_zh": "满意度",
            "name_en": "CSAT",
            "kpi": "csat",
            "target": "90",
            "yellow": "88",
            "orange": "85",
            "red": "89",
            "weight": "100",
        },
    )
    assert add.status_code == 400
    [error] = add.json()["detail"]
    assert (
        error["field"] == "red"
        and "must not be above orange" in error["message"]
        and error["code"] == "threshold_order"
    )
    add = _send(
        qm,
        "POST",
        f"{BASE}/versions/{draft_id}/indicators",
        {
            "code": "csat",
            "name_zh": "满意度",
            "name_en": "CSAT",
            "kpi": "csat",
            "target": "90",
            "yellow": "88",
            "orange": "85",
            "red": "80",
            "weight": "60",
        },
    )
    assert add.status_code == 201 and add.json()["unit"] == "%"
    clause = _send(
        qm, "POST", f"{BASE}/versions/{draft_id}/clauses", {"number": "1", "title_zh": "范围", "body_zh": "全部"}
    )
    assert clause.status_code == 201
    submit = _send(qm, "POST", f"{BASE}/versions/{draft_id}/submit")
    assert submit.status_code == 400 and submit.json()["detail"][0]["field"] == "weight"
    assert "add up to 60 %" in submit.json()["detail"][0]["message"]
    patched = _send(qm, "PATCH", f"{BASE}/indicators/{add.json()['id']}", {"weight": "100"})
    assert patched.status_code == 200 and patched.json()["weight"] == "100.00"
    assert _send(qm, "POST", f"{BASE}/versions/{draft_id}/submit").json()["status"] == "in_review"
    assert (
        _send(agent, "POST", f"{BASE}/versions/{draft_id}/approve", {"effective_from": "2030-01-01"}).status_code == 403
    )
    approved = _send(
        qm, "POST", f"{BASE}/versions/{draft_id}/approve", {"effective_from": timezone.localdate().isoformat()}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "effective"
    frozen = _send(qm, "PATCH", f"{BASE}/indicators/{add.json()['id']}", {"target": "95"})
    assert frozen.status_code == 400 and frozen.json()["detail"][0]["code"] == "not_editable"
    standard_id = created.json()["id"]
    second = _send(qm, "POST", f"{BASE}/{standard_id}/drafts")
    assert second.status_code == 201 and second.json()["number"] == 2
    again = _send(qm, "POST", f"{BASE}/{standard_id}/drafts")
    assert again.status_code == 400 and again.json()["detail"][0]["code"] == "open_draft"
    new_csat = second.json()["indicators"][0]["id"]
    _send(qm, "PATCH", f"{BASE}/indicators/{new_csat}", {"target": "92", "yellow": "90"})
    diff = _send(agent, "GET", f"{BASE}/{standard_id}/diff").json()
    [item] = diff["indicators"]
    changes = {c["field"]: (c["before"], c["after"]) for c in item["changes"]}
    assert item["status"] == "changed" and changes["target"] == ("90", "92") and changes["yellow"] == ("88", "90")
    assert (diff["old"]["number"], diff["new"]["number"]) == (1, 2)


def test_error_shapes(qm, agent):
    assert _send(agent, "GET", f"{BASE}/999999").status_code == 404
    missing = _send(agent, "GET", f"{BASE}/versions/999999")
    assert missing.status_code == 404 and missing.json()["detail"][0]["code"] == "not_found"
    denied = _send(agent, "POST", f"{BASE}/", {"code": "X", "category": "quality", "name_zh": "x", "name_en": "x"})
    assert denied.status_code == 403 and denied.json()["detail"][0]["code"] == "permission_denied"
    assert _send(agent, "POST", f"{BASE}/versions/999999/submit").status_code == 403  # capability first, for any id
    unknown = _send(
        qm, "POST", f"{BASE}/", {"code": "X", "category": "quality", "name_zh": "x", "name_en": "x", "x": 1}
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "x"
    bad_category = _send(qm, "POST", f"{BASE}/", {"code": "X", "category": "food", "name_zh": "x", "name_en": "x"})
    assert bad_category.status_code == 422 and bad_category.json()["detail"][0]["field"] == "category"
    standard = Standard.objects.get(code="QS-SAT")
    refused = _send(qm, "DELETE", f"{BASE}/{standard.pk}")
    assert refused.status_code == 400 and refused.json()["detail"][0]["code"] == "retire_instead"
    assert "Retire the standard instead" in refused.json()["detail"][0]["message"]
    assert _send(agent, "DELETE", f"{BASE}/{standard.pk}").status_code == 403
    assert Standard.objects.filter(pk=standard.pk).exists()
    bad_diff = _send(agent, "GET", f"{BASE}/{standard.pk}/diff?a=999999")
    assert bad_diff.status_code == 400 and bad_diff.json()["detail"][0]["field"] == "a"


def test_proposals(qm, agent, make_user, django_assert_max_num_queries):
    standard = Standard.objects.get(code="PS-RSP")
    body = {
        "standard_id": standard.pk,
        "indicator_code": "avg-response",
        "title": "缩短平均响应时间目标",
        "rationale": "连续三个月低于 20 分钟。",
        "evidence": [],
    }
    none = _send(agent, "POST", f"{BASE}/proposals", body)
    assert none.status_code == 400 and none.json()["detail"][0]["field"] == "evidence"
    bad_kind = _send(agent, "POST", f"{BASE}/proposals", {**body, "evidence": [{"kind": "gossip", "reference": "x"}]})
    assert bad_kind.status_code == 422
    evidence = [{"kind": "kpi_trend", "reference": "avg response 2026-08..10: 21/20/19 min"}]
    created = _send(agent, "POST", f"{BASE}/proposals", {**body, "evidence": evidence})
    assert created.status_code == 201
    proposal = created.json()
    assert proposal["base_version"]["number"] == 1 and proposal["evidence"][0]["kind"] == "kpi_trend"
    for _ in range(5):
        _send(agent, "POST", f"{BASE}/proposals", {**body, "evidence": evidence})
    _send(agent, "GET", f"{BASE}/proposals")
    with django_assert_max_num_queries(5):
        listing = _send(agent, "GET", f"{BASE}/proposals?status=open").json()
    assert listing["count"] == 6
    reject = _send(qm, "POST", f"{BASE}/proposals/{proposal['id']}/reject", {"note": ""})
    assert reject.status_code == 422
    accepted = _send(qm, "POST", f"{BASE}/proposals/{proposal['id']}/approve", {"note": "同意"}).json()
    assert accepted["status"] == "approved" and accepted["result_version_id"]
    draft = StandardVersion.objects.get(pk=accepted["result_version_id"])
    assert draft.status == VersionStatus.DRAFT and draft.proposal_id == proposal["id"]
    # the next version is approved and v1 superseded: a proposal against v1 is refused
    _send(qm, "POST", f"{BASE}/versions/{draft.pk}/submit")
    _send(qm, "POST", f"{BASE}/versions/{draft.pk}/approve", {"effective_from": timezone.localdate().isoformat()})
    v1 = standard.versions.get(number=1)
    superseded = _send(agent, "POST", f"{BASE}/proposals", {**body, "evidence": evidence, "base_version_id": v1.pk})
    assert superseded.status_code == 400
    assert superseded.json()["detail"][0] == {
        "field": "base_version_id",
        "message": "Version 1 is superseded; propose your change to the version in force (v2).",
        "code": "superseded",
    }
    other = make_user(Role.AGENT)
    open_one = ChangeProposal.objects.filter(status="open").first()
    not_author = _send(_client(other), "POST", f"{BASE}/proposals/{open_one.pk}/withdraw")
    assert not_author.status_code == 403
    assert _send(agent, "POST", f"{BASE}/proposals/{open_one.pk}/withdraw").json()["status"] == "withdrawn"


def test_retire_through_the_api(qm):
    standard = Standard.objects.get(code="ES-HALL")
    retired = _send(qm, "POST", f"{BASE}/{standard.pk}/retire", {"note": "服务大厅撤销"})
    assert retired.status_code == 200 and retired.json()["is_retired"] is True
    listing = _send(qm, "GET", f"{BASE}/").json()
    assert "ES-HALL" not in {i["code"] for i in listing["items"]}
    with_retired = _send(qm, "GET", f"{BASE}/?include_retired=true").json()
    assert "ES-HALL" in {i["code"] for i in with_retired["items"]}
