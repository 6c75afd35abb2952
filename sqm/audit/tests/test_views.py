"""The audit pages: who may open them, filters, keyset pages, query count, and a broken chain shown."""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from sqm.audit.admin import AuditEntryAdmin
from sqm.audit.models import AuditEntry
from sqm.audit.services import audit_append, chain_head
from sqm.audit.tests.test_chain import append_many, delete_entry, rewind_head, set_changes
from sqm.core.roles import Cap, Role, can
from sqm.org.models import User

pytestmark = pytest.mark.django_db

LIST = reverse("audit:entry_list")
VERIFY = reverse("audit:verify")
DOWNLOAD = reverse("audit:verify_head_download")
AUDIT_ROLES = {Role.AUDITOR.value, Role.ADMIN.value}  # DESIGN.md §1: auditors read the audit trail


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user(Role.AUDITOR, username="auditor-en", language="en")


@pytest.fixture
def auditor_client(auditor: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(auditor)


def seqs(response: Any) -> list[int]:
    return [row["entry"].seq for row in response.context["rows"]]


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_gets_the_pages_its_capabilities_allow(
    role: str, users_by_role: dict[str, User], client_for: Callable[[User | None], Client]
) -> None:
    append_many(1)
    user = users_by_role[role]
    client = client_for(user)
    pages = {
        LIST: Cap.AUDIT_VIEW,
        reverse("audit:entry_detail", args=[1]): Cap.AUDIT_VIEW,
        VERIFY: Cap.AUDIT_VERIFY,
        DOWNLOAD: Cap.AUDIT_VERIFY,
    }
    allowed = role in AUDIT_ROLES
    for url, cap in pages.items():
        assert can(user, cap) is allowed
        assert client.get(url).status_code == (200 if allowed else 403), (role, url)


def test_anonymous_visitors_are_sent_to_sign_in(client_for: Callable[[User | None], Client]) -> None:
    append_many(1)
    client = client_for(None)
    for url in (LIST, reverse("audit:entry_detail", args=[1]), VERIFY, DOWNLOAD):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_an_inactive_auditor_is_refused(make_user: Callable[..., User], client_for: Callable[..., Client]) -> None:
    user = make_user(Role.AUDITOR, is_active=False)
    client = client_for(None)
    client.force_login(user)
    assert client.get(LIST).status_code in {302, 403}


# --- the list --------------------------------------------------------------------------------


def test_list_shows_entries_newest_first_with_a_change_summary(auditor_client: Client, auditor: User) -> None:
    audit_append(
        actor=auditor,
        action="create",
        object_type="org.team",
        object_id="7",
        object_repr="投诉组",
        changes={"name": {"before": None, "after": "投诉组"}, "code": {"before": None, "after": "CMP"}},
    )
    audit_append(
        actor=None,
        action="update",
        object_type="org.user",
        object_id="3",
        changes={f"f{i}": {"before": i, "after": i + 1} for i in range(6)},
    )

    response = auditor_client.get(LIST)
    assert response.status_code == 200
    assert seqs(response) == [2, 1]
    html = response.content.decode()
    assert "org.team:7" in html and "投诉组" in html and "auditor-en" in html
    assert "code, name" in html
    assert "f0, f1, f2, f3 (+2 more)" in html
    assert reverse("audit:entry_detail", args=[1]) in html


def test_list_time_is_shown_in_the_centre_time_zone(auditor_client: Client) -> None:
    entry = append_many(1)[0]
    local = entry.occurred_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    assert local.strftime("%Y-%m-%d %H:%M:%S") in auditor_client.get(LIST).content.decode()


@pytest.fixture
def mixed_trail(make_user: Callable[..., User]) -> dict[str, User]:
    alice = make_user(Role.ADMIN, username="alice")
    bob = make_user(Role.QUALITY_MANAGER, username="bob")
    audit_append(actor=alice, action="create", object_type="org.team", object_id="1")  # 1
    audit_append(actor=bob, action="update", object_type="org.team", object_id="1")  # 2
    audit_append(actor=alice, action="create", object_type="org.user", object_id="1")  # 3
    audit_append(actor=None, action="create", object_type="org.skill", object_id="5")  # 4
    audit_append(actor=bob, action="delete", object_type="org.team", object_id="2")  # 5
    return {"alice": alice, "bob": bob}


def test_list_filters_by_object_actor_and_action(auditor_client: Client, mixed_trail: dict[str, User]) -> None:
    alice, bob = mixed_trail["alice"], mixed_trail["bob"]
    assert seqs(auditor_client.get(LIST, {"object_type": "org.team"})) == [5, 2, 1]
    assert seqs(auditor_client.get(LIST, {"object_type": "org.team", "object_id": "1"})) == [2, 1]
    assert seqs(auditor_client.get(LIST, {"actor": alice.pk})) == [3, 1]
    assert seqs(auditor_client.get(LIST, {"actor": "system"})) == [4]
    assert seqs(auditor_client.get(LIST, {"actor_name": "BO"})) == [5, 2]
    assert seqs(auditor_client.get(LIST, {"action": "create"})) == [4, 3, 1]
    assert seqs(auditor_client.get(LIST, {"action": "create", "actor": bob.pk})) == []
    assert seqs(auditor_client.get(LIST, {"object_id": "nothing"})) == []


def test_filter_menus_offer_what_is_in_the_trail(auditor_client: Client, mixed_trail: dict[str, User]) -> None:
    form = auditor_client.get(LIST).context["form"]
    assert [v for v, _ in form.fields["object_type"].choices] == ["", "org.skill", "org.team", "org.user"]
    assert [v for v, _ in form.fields["action"].choices] == ["", "create", "delete", "update"]
    actors = [v for v, _ in form.fields["actor"].choices]
    assert actors == ["", "system", str(mixed_trail["alice"].pk), str(mixed_trail["bob"].pk)]


def test_an_unknown_filter_value_is_reported_not_a_crash(auditor_client: Client, mixed_trail: Any) -> None:
    response = auditor_client.get(LIST, {"object_type": "no.such", "actor": "abc", "before": "x"})
    assert response.status_code == 200
    assert {"object_type", "actor"} <= set(response.context["form"].errors)
    assert seqs(response) == [5, 4, 3, 2, 1]


def test_list_pages_by_sequence_number(auditor_client: Client) -> None:
    append_many(120)
    first = auditor_client.get(LIST)
    assert seqs(first) == list(range(120, 70, -1))
    assert first.context["older_url"] == f"{LIST}?before=71"
    assert not first.context["newest_url"]

    second = auditor_client.get(first.context["older_url"])
    assert seqs(second) == list(range(70, 20, -1))
    assert second.context["newest_url"] == LIST
    third = auditor_client.get(second.context["older_url"])
    assert seqs(third) == list(range(20, 0, -1))
    assert third.context["older_url"] == ""


def test_pages_keep_the_filters(auditor_client: Client) -> None:
    append_many(60, object_type="a.b")
    append_many(60, object_type="c.d")
    first = auditor_client.get(LIST, {"object_type": "a.b"})
    assert seqs(first) == list(range(60, 10, -1))
    assert "object_type=a.b" in first.context["older_url"] and "before=11" in first.context["older_url"]
    assert seqs(auditor_client.get(first.context["older_url"])) == list(range(10, 0, -1))


def test_list_query_count_does_not_grow_with_rows(
    auditor_client: Client, django_assert_num_queries: Any, make_user: Callable[..., User]
) -> None:
    people = [make_user(Role.AGENT) for _ in range(3)]
    for person in people:
        append_many(2, actor=person)
    with django_assert_num_queries(6):  # session, user, object types, actions, actors, the page
        assert len(seqs(auditor_client.get(LIST))) == 6
    for person in people:
        append_many(40, actor=person)
    with django_assert_num_queries(6):
        assert len(seqs(auditor_client.get(LIST, {"before": 1000, "object_type": "test.thing"}))) == 50


def test_htmx_gets_only_the_rows(auditor_client: Client) -> None:
    append_many(3)
    partial = auditor_client.get(LIST, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode() and 'data-seq="3"' in partial.content.decode()
    restore = auditor_client.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


# --- one entry -------------------------------------------------------------------------------


def test_detail_shows_all_fields_and_a_before_after_table(auditor_client: Client, auditor: User) -> None:
    append_many(1)
    entry = audit_append(
        actor=auditor,
        action="update",
        object_type="org.team",
        object_id="7",
        object_repr="投诉组",
        changes={
            "name": {"before": "旧名", "after": "投诉组"},
            "lead": {"before": None, "after": 4},
            "note": "free text",
        },
    )
    response = auditor_client.get(reverse("audit:entry_detail", args=[entry.seq]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("#2", "auditor-en", "update", "org.team", "投诉组", entry.prev_hash, entry.entry_hash, "旧名"):
        assert text in html
    rows = {row["field"]: row for row in response.context["changes"]}
    assert rows["name"] == {"field": "name", "before": "旧名", "after": "投诉组", "is_diff": True}
    assert rows["lead"] == {"field": "lead", "before": None, "after": "4", "is_diff": True}
    assert rows["note"]["is_diff"] is False and rows["note"]["after"] == "free text"
    assert response.context["hash_matches"] is True
    assert "object_type=org.team&object_id=7" in response.context["object_url"]
    assert reverse("audit:entry_detail", args=[1]) in html


def test_detail_flags_an_altered_entry(auditor_client: Client) -> None:
    append_many(2)
    set_changes(1, {"status": "forged"})
    response = auditor_client.get(reverse("audit:entry_detail", args=[1]))
    assert response.context["hash_matches"] is False
    assert "No: this entry was altered" in response.content.decode()


def test_detail_of_a_missing_entry_is_404(auditor_client: Client) -> None:
    assert auditor_client.get(reverse("audit:entry_detail", args=[99])).status_code == 404


# --- verification ----------------------------------------------------------------------------


def test_verify_page_shows_an_intact_chain_and_its_head(auditor_client: Client) -> None:
    entries = append_many(4)
    response = auditor_client.get(VERIFY)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.length == 4 and report.head_hash == entries[-1].entry_hash
    html = response.content.decode()
    assert 'data-result="intact"' in html and "4 entries" in html and entries[-1].entry_hash in html
    assert DOWNLOAD in html


def test_verify_page_names_the_first_broken_entry(auditor_client: Client) -> None:
    append_many(5)
    set_changes(3, {"status": "forged"})
    delete_entry(4)
    response = auditor_client.get(VERIFY)
    report = response.context["report"]
    assert not report.ok and report.broken_seq == 3
    html = response.content.decode()
    assert 'data-result="broken"' in html and 'data-broken-seq="3"' in html
    assert "The chain is broken at entry #3." in html
    assert "Entry #3 was altered: its contents no longer match its hash." in html
    assert reverse("audit:entry_detail", args=[3]) in html


def test_verify_page_checks_an_anchor(auditor_client: Client) -> None:
    append_many(3)
    anchor = chain_head()
    delete_entry(3)
    rewind_head(2)
    assert auditor_client.get(VERIFY).context["report"].ok
    response = auditor_client.get(VERIFY, {"anchor_seq": anchor["seq"], "anchor_hash": anchor["hash"]})
    report = response.context["report"]
    assert (report.ok, report.broken_seq, report.code) == (False, 3, "anchor_missing")
    assert "Entry #3 of the anchor is missing." in response.content.decode()


def test_verify_page_rejects_half_an_anchor(auditor_client: Client) -> None:
    append_many(1)
    response = auditor_client.get(VERIFY, {"anchor_seq": "1"})
    assert response.context["report"] is None
    assert "anchor_hash" in response.context["form"].errors
    response = auditor_client.get(VERIFY, {"anchor_seq": "1", "anchor_hash": "abc"})
    assert response.context["report"] is None and "anchor_hash" in response.context["form"].errors


def test_head_download_is_the_exported_head_as_json(auditor_client: Client) -> None:
    entries = append_many(2)
    response = auditor_client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="sqm-audit-head-2.json"'
    body = json.loads(response.content)
    assert body == chain_head() and body["seq"] == 2 and body["hash"] == entries[-1].entry_hash


# --- Django admin ----------------------------------------------------------------------------


def test_admin_shows_entries_but_never_changes_them(make_user: Callable[..., User]) -> None:
    append_many(2)
    superuser = make_user(Role.ADMIN, username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    changelist = client.get(reverse("admin:audit_auditentry_changelist"))
    assert changelist.status_code == 200 and "thing 2" in changelist.content.decode()
    entry = AuditEntry.objects.get(seq=1)
    assert client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"action": "forged"})
    assert AuditEntry.objects.get(seq=1).action == "update"

    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = AuditEntryAdmin(AuditEntry, admin.site)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
