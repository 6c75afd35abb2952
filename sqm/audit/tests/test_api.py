"""The audit-trail API (/api/audit): who may read and verify, keyset paging, tamper detection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sqm.audit.models import AuditEntry, ChainHead
from sqm.audit.services import audit_append, chain_head
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.org.models import User
from sqm.org.services import api_token_create


def api_get(user: User | None, path: str, **headers: str) -> Any:
    if user is not None:
        _, key = api_token_create(actor=user, user=user, name="tests")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return Client().get(f"/api/audit{path}", **headers)


def append(n: int, *, actor: Any = None, object_type: str = "test.thing", action: str = "update") -> list[AuditEntry]:
    return [
        audit_append(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(i),
            object_repr=f"thing {i}",
            changes={"n": {"before": i - 1, "after": i}},
        )
        for i in range(n)
    ]


ENDPOINTS = {
    "entries": ("/entries", Cap.AUDIT_VIEW),
    "entry": ("/entries/1", Cap.AUDIT_VIEW),
    "head": ("/head", Cap.AUDIT_VIEW),
    "verify": ("/verify", Cap.AUDIT_VERIFY),
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_endpoint_for_each_role(users_by_role: dict[str, User], name: str, role: Role) -> None:
    path, cap = ENDPOINTS[name]
    append(1)
    response = api_get(users_by_role[role.value], path)
    if role in CAPABILITIES[cap]:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403
        assert response.json()["detail"][0]["code"] == "permission_denied"


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_no_credentials_is_401(db: None, name: str) -> None:
    response = api_get(None, ENDPOINTS[name][0])
    assert response.status_code == 401
    assert response.json()["detail"][0]["field"] == "Authorization"


def test_wrong_token_is_401(users_by_role: dict[str, User]) -> None:
    assert api_get(None, "/entries", HTTP_AUTHORIZATION="Bearer sqm_forged").status_code == 401


def test_session_works(users_by_role: dict[str, User]) -> None:
    client = Client()
    client.force_login(users_by_role["auditor"])
    assert client.get("/api/audit/verify").json()["ok"] is True


def test_unknown_entry_is_404_for_readers_and_403_for_others(users_by_role: dict[str, User]) -> None:
    assert api_get(users_by_role["auditor"], "/entries/999999").status_code == 404
    assert api_get(users_by_role["agent"], "/entries/999999").status_code == 403


def test_entry_shows_everything_needed_to_recheck_its_hash(users_by_role: dict[str, User]) -> None:
    auditor = users_by_role["auditor"]
    entry = append(1, actor=auditor)[0]
    body = api_get(auditor, f"/entries/{entry.seq}").json()
    assert body["seq"] == entry.seq and body["entry_hash"] == entry.entry_hash
    assert body["prev_hash"] == entry.prev_hash
    assert body["actor_id"] == auditor.pk and body["actor_repr"] == auditor.username
    assert body["object_type"] == "test.thing" and body["object_id"] == "0" and body["object_repr"] == "thing 0"
    assert body["changes"] == {"n": {"before": -1, "after": 0}}
    assert body["occurred_at"].startswith(entry.occurred_at.astimezone().date().isoformat()[:4])


def test_keyset_pages_cover_the_chain_once_newest_first(users_by_role: dict[str, User]) -> None:
    auditor = users_by_role["auditor"]
    append(11)
    _, key = api_token_create(actor=auditor, user=auditor, name="pager")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    total = AuditEntry.objects.count()
    seen: list[int] = []
    url = "/api/audit/entries?limit=4"
    pages = 0
    while True:
        body = client.get(url).json()
        pages += 1
        seen += [e["seq"] for e in body["items"]]
        if body["next_before"] is None:
            break
        assert body["next_before"] == body["items"][-1]["seq"]
        url = f"/api/audit/entries?limit=4&before={body['next_before']}"
    assert seen == sorted(AuditEntry.objects.values_list("seq", flat=True), reverse=True)
    assert len(seen) == total and pages == -(-total // 4)


def test_last_full_page_has_no_next(users_by_role: dict[str, User]) -> None:
    auditor = users_by_role["auditor"]
    append(2)  # with the token entry below: exactly 3 entries
    body = api_get(auditor, "/entries?limit=3").json()
    assert len(body["items"]) == 3 and body["next_before"] is None


def test_filters(users_by_role: dict[str, User]) -> None:
    auditor, admin = users_by_role["auditor"], users_by_role["admin"]
    append(3, actor=admin, object_type="org.team", action="create")
    append(2, object_type="org.skill")
    by_type = api_get(auditor, "/entries?object_type=org.team").json()["items"]
    assert len(by_type) == 3 and {e["object_type"] for e in by_type} == {"org.team"}
    by_object = api_get(auditor, "/entries?object_type=org.team&object_id=1").json()["items"]
    assert [(e["object_type"], e["object_id"]) for e in by_object] == [("org.team", "1")]
    by_actor = api_get(auditor, f"/entries?actor_id={admin.pk}").json()["items"]
    assert len(by_actor) == 3 and {e["actor_id"] for e in by_actor} == {admin.pk}
    by_action = api_get(auditor, "/entries?action=create&object_type=org.skill").json()["items"]
    assert by_action == []


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("limit=501", "limit", "less_than_equal"),
        ("limit=0", "limit", "greater_than_equal"),
        ("before=0", "before", "greater_than_equal"),
        ("before=x", "before", "int_parsing"),
        ("actor_id=1.5", "actor_id", "int_parsing"),
        ("object_type=" + "t" * 101, "object_type", "string_too_long"),
        ("before=99999999999999999999999", "before", "less_than_equal"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    users_by_role: dict[str, User], query: str, field: str, code: str
) -> None:
    response = api_get(users_by_role["auditor"], f"/entries?{query}")
    assert response.status_code == 422
    assert {"field": field, "code": code}.items() <= response.json()["detail"][0].items()


def test_default_and_max_limits(users_by_role: dict[str, User]) -> None:
    append(60)
    auditor = users_by_role["auditor"]
    assert len(api_get(auditor, "/entries").json()["items"]) == 50
    assert len(api_get(auditor, "/entries?limit=500").json()["items"]) == AuditEntry.objects.count()


def test_entries_query_count_does_not_grow(users_by_role: dict[str, User], django_assert_max_num_queries: Any) -> None:
    auditor = users_by_role["auditor"]
    _, key = api_token_create(actor=auditor, user=auditor, name="count")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    for n in (1, 200):
        append(n)
        with django_assert_max_num_queries(3):  # token look-up, last-used stamp, one page
            assert len(client.get("/api/audit/entries?limit=100&before=999999").json()["items"]) > 0


def test_verify_reports_intact_chain(users_by_role: dict[str, User]) -> None:
    append(5)
    body = api_get(users_by_role["auditor"], "/verify").json()
    head = ChainHead.objects.get(pk=1)
    assert body == {
        "ok": True,
        "length": head.seq,
        "head_hash": head.entry_hash,
        "broken_seq": None,
        "reason": "",
        "code": "",
    }


def test_verify_finds_the_first_altered_entry(users_by_role: dict[str, User]) -> None:
    entries = append(5)
    with connection.cursor() as cursor:  # what an intruder with database access would do
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET object_repr = %s WHERE seq = %s", ["rewritten", entries[2].seq]
        )
    body = api_get(users_by_role["admin"], "/verify", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["ok"] is False
    assert body["broken_seq"] == entries[2].seq
    assert body["length"] == entries[2].seq - 1
    assert body["code"] == "altered"
    assert body["reason"]


def test_verify_with_anchor(users_by_role: dict[str, User]) -> None:
    auditor = users_by_role["auditor"]
    append(3)
    head = api_get(auditor, "/head").json()
    ok = api_get(auditor, f"/verify?anchor_seq={head['seq']}&anchor_hash={head['hash']}").json()
    assert ok["ok"] is True
    forged = "f" * 64 if head["hash"] != "f" * 64 else "e" * 64
    bad = api_get(auditor, f"/verify?anchor_seq={head['seq']}&anchor_hash={forged}").json()
    assert bad["ok"] is False and bad["broken_seq"] == head["seq"] and bad["code"] == "anchor_mismatch"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("anchor_seq=1", 400, "anchor_hash"),
        ("anchor_hash=" + "a" * 64, 400, "anchor_seq"),
        ("anchor_seq=1&anchor_hash=xyz", 422, "anchor_hash"),
        ("anchor_seq=-1&anchor_hash=" + "a" * 64, 422, "anchor_seq"),
    ],
)
def test_verify_rejects_half_an_anchor(users_by_role: dict[str, User], query: str, status: int, field: str) -> None:
    response = api_get(users_by_role["auditor"], f"/verify?{query}")
    assert response.status_code == status
    assert response.json()["detail"][0]["field"] == field


def test_head_matches_chain_head(users_by_role: dict[str, User]) -> None:
    auditor = users_by_role["auditor"]
    append(2)
    body = api_get(auditor, "/head").json()
    expected = chain_head()
    assert body["seq"] == expected["seq"] and body["hash"] == expected["hash"]
    assert body["at"] is not None


def test_reads_store_nothing(users_by_role: dict[str, User], make_user: Callable[..., User]) -> None:
    auditor = users_by_role["auditor"]
    _, key = api_token_create(actor=auditor, user=auditor, name="ro")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    before = AuditEntry.objects.count()
    for path in ("/entries", "/entries/1", "/head", "/verify"):
        client.get(f"/api/audit{path}")
    assert AuditEntry.objects.count() == before


def test_audit_endpoints_are_read_only(users_by_role: dict[str, User]) -> None:
    _, key = api_token_create(actor=users_by_role["admin"], user=users_by_role["admin"], name="w")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    before = AuditEntry.objects.count()
    assert client.post("/api/audit/entries", {}, content_type="application/json").status_code == 405
    assert client.delete("/api/audit/entries/1").status_code == 405
    assert AuditEntry.objects.count() == before
