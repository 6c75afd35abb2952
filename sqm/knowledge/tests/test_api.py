"""The knowledge-base API: search, visibility, writes, validation and query counts."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sqm.audit.models import AuditEntry
from sqm.core.roles import Role
from sqm.knowledge.models import Article, ArticleKind, ArticleStatus
from sqm.knowledge.tests.helpers import article, category
from sqm.org.services import api_token_create

pytestmark = pytest.mark.django_db
BASE = "/api/kb"


def _client(user) -> Client:
    key = api_token_create(actor=user, user=user, name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _send(client: Client, method: str, path: str, body=None):
    return client.generic(
        method, path, data=json.dumps(body) if body is not None else "", content_type="application/json"
    )


@pytest.fixture
def lead(make_user):
    return make_user(Role.TEAM_LEAD)


@pytest.fixture
def kb(lead):
    cat = category(lead, "billing", "账单", "Billing")
    sub = category(lead, "billing-refund", "退费", "Refunds", parent=cat)
    return {
        "refund": article(lead, "话费退费办理流程", "核查后原路退回。", tags=["退费", "话费"], category=sub),
        "close": article(lead, "销户与预存话费", "剩余话费退费到银行账户。", category=cat, kind=ArticleKind.CASE),
        "en": article(lead, "Requesting a refund", "Refunds are approved by the team lead.", language="en"),
        "draft": article(lead, "退费草稿", "未完成", status=ArticleStatus.DRAFT),
        "cat": cat,
        "sub": sub,
    }


def test_search_ranks_and_scores(make_user, kb):
    response = _client(make_user(Role.AGENT)).get(f"{BASE}/articles", {"q": "退费"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(i["title"], i["score"]) for i in body["items"]] == [("话费退费办理流程", 12), ("销户与预存话费", 1)]
    first = body["items"][0]
    assert first["category"] == {"id": kb["sub"].pk, "code": "billing-refund", "name": "退费"}
    assert first["tags"] == ["退费", "话费"] and first["excerpt"] == "核查后原路退回。" and "body" not in first


def test_filters_and_paging(make_user, kb):
    client = _client(make_user(Role.AGENT))
    titles = lambda **q: [i["title"] for i in client.get(f"{BASE}/articles", q).json()["items"]]  # noqa: E731
    assert set(titles(category=kb["cat"].pk)) == {"话费退费办理流程", "销户与预存话费"}
    assert titles(kind="case") == ["销户与预存话费"]
    assert titles(q="refund", language="en") == ["Requesting a refund"]
    assert titles(status="draft") != ["退费草稿"], "readers cannot ask for drafts"
    page = client.get(f"{BASE}/articles", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


def test_bad_query_parameters_name_the_field(make_user):
    client = _client(make_user(Role.AGENT))
    for params, field in (({"kind": "faq"}, "kind"), ({"limit": 0}, "limit"), ({"category": "x"}, "category")):
        response = client.get(f"{BASE}/articles", params)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field


def test_readers_get_404_for_drafts_writers_see_them(make_user, lead, kb):
    path = f"{BASE}/articles/{kb['draft'].pk}"
    assert _client(make_user(Role.AGENT)).get(path).status_code == 404
    detail = _client(lead).get(path).json()
    assert detail["status"] == "draft" and detail["body"] == "未完成" and detail["version"] == 1
    assert _client(lead).get(f"{BASE}/articles", {"status": "draft"}).json()["count"] == 1


def test_create_patch_publish_retire(lead, kb):
    client = _client(lead)
    response = _send(
        client,
        "POST",
        f"{BASE}/articles",
        {"title": "宽带移机办理", "body": "提前预约。", "category_id": kb["cat"].pk, "tags": ["宽带", "移机"]},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["kind"], created["language"], created["author"]["id"]) == (
        "draft",
        "article",
        "zh",
        lead.pk,
    )
    path = f"{BASE}/articles/{created['id']}"
    patched = _send(client, "PATCH", path, {"body": "提前一周预约。", "category_id": None, "version": 1}).json()
    assert (patched["version"], patched["category"], patched["body"]) == (2, None, "提前一周预约。")
    conflict = _send(client, "PATCH", path, {"title": "旧版本的修改", "version": 1})
    assert conflict.status_code == 400 and conflict.json()["detail"][0]["field"] == "version"
    assert _send(client, "POST", f"{path}/publish").json()["status"] == "published"
    assert _send(client, "POST", f"{path}/publish").json()["status"] == "published", "publishing twice is harmless"
    assert _send(client, "POST", f"{path}/retire").json()["status"] == "retired"
    actions = AuditEntry.objects.filter(object_type="knowledge.article", object_id=str(created["id"]))
    assert sorted(actions.values_list("action", flat=True)) == ["create", "publish", "retire", "update"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": "t"}, 422, "body"),
        ({"title": "", "body": "b"}, 422, "title"),
        ({"title": "t", "body": "b", "colour": "red"}, 422, "colour"),
        ({"title": "t", "body": "b", "tags": "宽带"}, 422, "tags"),
        ({"title": "t", "body": "b", "tags": ["x" * 31]}, 422, "tags.0"),
        ({"title": "t", "body": "b", "language": "fr"}, 422, "language"),
        ({"title": "t", "body": "b", "category_id": 999999}, 400, "category_id"),
        ({"title": "t", "body": "b", "source_ticket_id": 999999}, 400, "source_ticket_id"),
        ({"title": "t", "body": "b\x00"}, 422, "body"),
    ],
)
def test_bad_bodies_name_the_field_and_store_nothing(lead, body, status, field):
    response = _send(_client(lead), "POST", f"{BASE}/articles", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"][0]["field"] == field
    assert Article.objects.count() == 0


def test_patch_null_where_not_allowed(lead, kb):
    response = _send(_client(lead), "PATCH", f"{BASE}/articles/{kb['refund'].pk}", {"title": None})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "title"


def test_solved_case_from_a_ticket(lead, make_user):
    from sqm.tickets.tests.factories import TicketFactory

    ticket = TicketFactory(subject="重复扣费", description="充值时被扣了两次。")
    response = _send(
        _client(lead),
        "POST",
        f"{BASE}/articles",
        {"title": "典型案例：重复扣费", "body": "原路退回。", "source_ticket_id": ticket.pk},
    )
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["source_ticket_id"]) == ("case", ticket.pk)
    trainer = _client(make_user(Role.TRAINER))
    denied = _send(trainer, "POST", f"{BASE}/articles", {"title": "t", "body": "b", "source_ticket_id": ticket.pk})
    assert denied.status_code == 403


def test_suggestions(make_user, kb):
    from sqm.tickets.tests.factories import TicketFactory

    agent = _client(make_user(Role.AGENT))
    assert agent.get(f"{BASE}/suggestions").json() == []
    by_text = agent.get(f"{BASE}/suggestions", {"text": "我想申请话费退费"}).json()
    assert by_text[0]["title"] == "话费退费办理流程" and "退费草稿" not in [a["title"] for a in by_text]
    ticket = TicketFactory(subject="refund please", description="I was charged twice, I want a refund.")
    assert [a["title"] for a in agent.get(f"{BASE}/suggestions", {"ticket_id": ticket.pk}).json()] == [
        "Requesting a refund"
    ]
    trainer = _client(make_user(Role.TRAINER))
    assert trainer.get(f"{BASE}/suggestions", {"ticket_id": ticket.pk}).status_code == 403
    assert trainer.get(f"{BASE}/suggestions", {"text": "refund"}).status_code == 200


def test_categories(make_user, kb):
    rows = _client(make_user(Role.AGENT)).get(f"{BASE}/categories").json()
    assert [(r["code"], r["depth"], r["parent_id"]) for r in rows] == [
        ("billing", 0, None),
        ("billing-refund", 1, kb["cat"].pk),
    ]


def test_list_queries_do_not_grow_with_rows(lead, kb, django_assert_num_queries):
    client = _client(lead)
    with django_assert_num_queries(4):  # token, its last-used stamp (once a minute), count, page
        client.get(f"{BASE}/articles", {"q": "退费"})
    for n in range(30):
        article(lead, f"退费案例{n}", "退费", tags=["退费"], category=kb["cat"])
    with django_assert_num_queries(3):
        assert client.get(f"{BASE}/articles", {"q": "退费", "limit": 50}).json()["count"] == 33  # with the draft
