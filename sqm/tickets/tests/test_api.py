"""The tickets API (/api/tickets): access per role, idempotent intake, validation, queues, the thread,
process steps, assignment, uploads; what is stored, and that a rejected request stores nothing."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.org.models import User
from sqm.org.services import api_token_create
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets import services
from sqm.tickets.models import (
    AgentAvailability,
    Attachment,
    ControlCheck,
    EventKind,
    MessageKind,
    Status,
    StepProgress,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketType,
)
from sqm.tickets.tests.factories import CategoryFactory, TicketFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- helpers ------------------------------------------------------------------------------------


class Api:
    """A test client that speaks to /api/tickets with a real API token."""

    def __init__(self, key: str | None = None, **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if key is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {**self.headers, **headers}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(f"/api/tickets{path}", **kwargs)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api/tickets{path}", params or {}, **self.headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.call("post", path, body, **headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("patch", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("put", path, body)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api/tickets{path}", data, **self.headers)


def api_as(user: User) -> Api:
    _, key = api_token_create(actor=user, user=user, name="tests")
    return Api(key)


def stored() -> dict[str, int]:
    """Rows of every table the tickets API writes, including the audit trail."""
    models = (Ticket, TicketMessage, Attachment, TicketEvent, ControlCheck, StepProgress, AuditEntry)
    return {m.__name__: m.objects.count() for m in models}


def fields_of(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["detail"]]


def assert_error(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    for error in detail:
        assert set(error) == {"field", "message", "code"} and error["message"]
    assert field in fields_of(response), detail


def open_ticket(customer: User, **kwargs: Any) -> Ticket:
    """A ticket opened through the service (so it stands on the first step of its process)."""
    values = {"type": TicketType.CONSULTATION, "subject": "宽带无法连接", "channel": "web", **kwargs}
    ticket, _created = services.ticket_create(actor=customer, customer=customer, **values)
    return ticket


@pytest.fixture
def w(users_by_role: dict[str, User]) -> SimpleNamespace:
    team = TeamFactory(name="宽带组", code="BB")
    other_team = TeamFactory(name="投诉组", code="CMP")
    agent = UserFactory(role=Role.AGENT, username="li.na", display_name="李娜", team=team)
    lead = UserFactory(role=Role.TEAM_LEAD, username="zhang.wei", team=team)
    customer = UserFactory(role=Role.CUSTOMER, username="wang.kehu", display_name="王先生")
    other_customer = UserFactory(role=Role.CUSTOMER, username="zhao.kehu")
    return SimpleNamespace(
        team=team,
        other_team=other_team,
        agent=agent,
        lead=lead,
        customer=customer,
        other_customer=other_customer,
        roles=users_by_role,
    )


# --- intake -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_customer_opens_own_ticket_through_the_api(w: SimpleNamespace) -> None:
    response = api_as(w.customer).post(
        "", {"type": "complaint", "subject": "  装机师傅迟到三小时 ", "description": "约好上午九点，十二点才到。"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["number"] == ticket.number and body["status"] == "new"
    assert (ticket.customer, ticket.created_by, ticket.channel) == (w.customer, w.customer, "api")
    assert ticket.subject == "装机师傅迟到三小时" and ticket.type == "complaint"
    assert [m["body"] for m in body["messages"]] == ["约好上午九点，十二点才到。"]
    assert body["current_step"]["order"] == 1 and body["steps"][0]["completed_at"] is None
    assert AuditEntry.objects.filter(object_id=str(ticket.pk), action="create").exists()
    assert "Idempotent-Replayed" not in response


@pytest.mark.django_db
def test_staff_log_a_contact_for_a_customer(w: SimpleNamespace) -> None:
    category = CategoryFactory(code="bb-fault", name_zh="宽带故障", name_en="Broadband fault")
    body = {
        "customer_id": w.customer.pk,
        "type": "fault",
        "subject": "来电报修：光猫红灯",
        "channel": "phone",
        "priority": "high",
        "category_id": category.pk,
        "language": "zh",
    }
    response = api_as(w.agent).post("", body)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.customer, ticket.created_by, ticket.channel, ticket.priority) == (
        w.customer,
        w.agent,
        "phone",
        "high",
    )
    assert ticket.category == category and ticket.priority_rank == 1
    assert ticket.assignee == w.agent, "a call logged by an agent stays with that agent"
    assert response.json()["category"] == {"id": category.pk, "code": "bb-fault", "name": category.name}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("caller", "body", "status", "field"),
    [
        ("agent", {"type": "fault", "subject": "x"}, 400, "customer_id"),
        ("agent", {"type": "fault", "subject": "x", "customer_id": 999999}, 400, "customer_id"),
        ("agent", {"type": "fault", "subject": "x", "customer_id": "AGENT"}, 400, "customer_id"),
        ("agent", {"type": "fault", "subject": "x", "customer_id": "CUSTOMER", "category_id": 999}, 400, "category_id"),
        ("customer", {"type": "fault", "subject": "x", "channel": "phone"}, 400, "channel"),
        ("customer", {"type": "fault", "subject": "x", "customer_id": "OTHER"}, 403, "__all__"),
        ("customer", {"type": "fault", "subject": ""}, 422, "subject"),
        ("customer", {"type": "fault", "subject": "x" * 201}, 422, "subject"),
        ("customer", {"type": "fault", "subject": "a\x00b"}, 422, "subject"),
        ("customer", {"type": "bribe", "subject": "x"}, 422, "type"),
        ("customer", {"type": "fault", "subject": 42}, 422, "subject"),
        ("customer", {"type": "fault", "subject": "x", "priority": "asap"}, 422, "priority"),
        ("customer", {"type": "fault", "subject": "x", "language": "fr"}, 422, "language"),
        ("customer", {"type": "fault", "subject": "x", "category_id": "abc"}, 422, "category_id"),
        ("customer", {"type": "fault", "subject": "x", "category_id": 2**63}, 422, "category_id"),
        ("customer", {"type": "fault", "subject": "x", "status": "closed"}, 422, "status"),
        ("customer", {"subject": "x"}, 422, "type"),
        ("customer", "[1, 2]", 422, "body"),
        ("customer", "{not json", 400, "body"),
        ("mystery_shopper", {"type": "fault", "subject": "x", "customer_id": "CUSTOMER"}, 403, "__all__"),
        ("trainer", {"type": "fault", "subject": "x", "customer_id": "CUSTOMER"}, 403, "__all__"),
        ("qa_inspector", {"type": "fault", "subject": "x", "customer_id": "CUSTOMER"}, 403, "__all__"),
    ],
)
def test_bad_create_requests_name_the_field_and_store_nothing(
    w: SimpleNamespace, caller: str, body: Any, status: int, field: str
) -> None:
    ids = {"AGENT": w.agent.pk, "CUSTOMER": w.customer.pk, "OTHER": w.other_customer.pk}
    if isinstance(body, dict) and body.get("customer_id") in ids:
        body = {**body, "customer_id": ids[body["customer_id"]]}
    user = {"agent": w.agent, "customer": w.customer}.get(caller) or w.roles[caller]
    api = api_as(user)
    before = stored()
    assert_error(api.post("", body), status, field)
    assert stored() == before


# --- idempotency --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_same_ticket(w: SimpleNamespace) -> None:
    api = api_as(w.customer)
    body = {"type": "consultation", "subject": "套餐资费咨询"}
    first = api.post("", body, HTTP_IDEMPOTENCY_KEY="order-7f3a")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    before = stored()
    again = api.post("", {**body, "subject": " 套餐资费咨询  "}, HTTP_IDEMPOTENCY_KEY="order-7f3a")
    assert again.status_code == 200, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert stored() == before, "a replay writes nothing"
    assert Ticket.objects.get().idempotency_key == "order-7f3a"


@pytest.mark.django_db
def test_keys_belong_to_their_user_and_no_key_means_a_new_ticket(w: SimpleNamespace) -> None:
    body = {"type": "consultation", "subject": "发票怎么开"}
    mine = api_as(w.customer).post("", body, HTTP_IDEMPOTENCY_KEY="k1")
    theirs = api_as(w.other_customer).post("", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    api = api_as(w.customer)
    assert api.post("", body).status_code == 201
    assert api.post("", body).status_code == 201
    assert Ticket.objects.filter(customer=w.customer).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [{"subject": "另一件事"}, {"type": "complaint"}, {"priority": "urgent"}, {"description": "补充说明"}],
)
def test_reused_key_with_another_body_is_422_and_stores_nothing(w: SimpleNamespace, change: dict[str, str]) -> None:
    api = api_as(w.customer)
    body = {"type": "consultation", "subject": "套餐资费咨询"}
    assert api.post("", body, HTTP_IDEMPOTENCY_KEY="k-42").status_code == 201
    before = stored()
    response = api.post("", {**body, **change}, HTTP_IDEMPOTENCY_KEY="k-42")
    assert_error(response, 422, "Idempotency-Key")
    assert response.json()["detail"][0]["code"] == "idempotency_key_reused"
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "x" * 101, "键"])
def test_malformed_idempotency_key_is_422(w: SimpleNamespace, key: str) -> None:
    api = api_as(w.customer)
    before = stored()
    response = api.post("", {"type": "consultation", "subject": "x"}, HTTP_IDEMPOTENCY_KEY=key)
    assert_error(response, 422, "Idempotency-Key")
    assert stored() == before


def _race(make_request: Callable[[], Any], n: int) -> list[Any]:
    """Fire ``n`` requests at once from ``n`` threads (each with its own database connection)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = make_request()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_identical_requests_make_one_ticket() -> None:
    customer = UserFactory(role=Role.CUSTOMER)
    _, key = api_token_create(actor=customer, user=customer, name="race")
    body = json.dumps({"type": "fault", "subject": "停电后宽带一直断开"})

    def post() -> Any:
        return Client().post(
            "/api/tickets",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
            HTTP_IDEMPOTENCY_KEY="race-1",
        )

    responses = _race(post, 8)
    assert all(not isinstance(r, Exception) for r in responses), responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 7 + [201], [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Ticket.objects.count() == 1 and TicketMessage.objects.count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_requests_with_one_key_but_different_bodies_make_one_ticket() -> None:
    customer = UserFactory(role=Role.CUSTOMER)
    _, key = api_token_create(actor=customer, user=customer, name="race")
    counter = iter(range(100))
    lock = threading.Lock()

    def post() -> Any:
        with lock:
            n = next(counter)
        body = json.dumps({"type": "fault", "subject": f"报修 {n}"})
        return Client().post(
            "/api/tickets",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
            HTTP_IDEMPOTENCY_KEY="race-2",
        )

    responses = _race(post, 6)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [422] * 5, [r.content for r in responses]
    assert Ticket.objects.count() == 1


# --- reading ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_customers_see_their_own_tickets_only(w: SimpleNamespace) -> None:
    mine = open_ticket(w.customer)
    closed = TicketFactory(customer=w.customer, status=Status.CLOSED)
    theirs = open_ticket(w.other_customer)
    api = api_as(w.customer)
    page = api.get("").json()
    assert [t["id"] for t in page["items"]] == [closed.pk, mine.pk], "all of theirs, newest first"
    assert api.get("", {"customer_id": w.other_customer.pk}).json()["items"] == []
    assert api.get("", {"status": "closed"}).json()["items"][0]["id"] == closed.pk
    assert api.get(f"/{mine.pk}").status_code == 200
    assert_error(api.get(f"/{theirs.pk}"), 403, "__all__")
    assert_error(api.get("/999999"), 403, "__all__")  # unknown ids look the same: nothing leaks
    assert_error(api.get(f"/{mine.pk}/events"), 403, "__all__")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.CUSTOMER])
def test_staff_access_to_reading(w: SimpleNamespace, role: str) -> None:
    ticket = open_ticket(w.customer)
    api = api_as(w.roles[role])
    allowed = Role(role) in CAPABILITIES[Cap.TICKET_VIEW]
    detail = api.get(f"/{ticket.pk}")
    assert detail.status_code == (200 if allowed else 403)
    listed = api.get("").json()["items"]
    assert [t["id"] for t in listed] == ([ticket.pk] if allowed else [])
    assert api.get(f"/{ticket.pk}/events").status_code == (200 if allowed else 403)
    assert api.get("/processes").status_code == (200 if allowed else 403)
    assert api.get("/categories").status_code == 200
    if allowed:
        assert_error(api.get("/999999"), 404, "id")


@pytest.mark.django_db
def test_internal_notes_are_hidden_from_customers(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    services.ticket_reply(actor=w.agent, ticket=ticket, body="客户情绪激动，注意安抚", internal=True)
    services.ticket_reply(actor=w.agent, ticket=ticket, body="您好，师傅明天上午上门。")
    staff_view = api_as(w.agent).get(f"/{ticket.pk}").json()
    assert [m["kind"] for m in staff_view["messages"]] == ["customer", "note", "reply"]
    customer_view = api_as(w.customer).get(f"/{ticket.pk}").json()
    assert [m["kind"] for m in customer_view["messages"]] == ["customer", "reply"]
    assert "注意安抚" not in json.dumps(customer_view, ensure_ascii=False)
    assert customer_view["messages"][1]["author"] == {"id": w.agent.pk, "display_name": "李娜", "role": "agent"}
    assert "li.na" not in json.dumps(customer_view), "no staff user names (half a login) reach customers"


@pytest.mark.django_db
def test_queue_filters(w: SimpleNamespace) -> None:
    cat = CategoryFactory()
    a = TicketFactory(customer=w.customer, assignee=w.agent, team=w.team, priority="urgent", priority_rank=0)
    b = TicketFactory(customer=w.other_customer, type="complaint", owner=w.agent, channel="phone", status="pending")
    c = TicketFactory(customer=w.customer, category=cat, subject="发票抬头写错了", team=w.other_team)
    d = TicketFactory(customer=w.customer, status=Status.RESOLVED, assignee=w.lead)
    api = api_as(w.agent)

    def ids(**params: Any) -> set[int]:
        response = api.get("", params)
        assert response.status_code == 200, response.content
        return {t["id"] for t in response.json()["items"]}

    assert ids() == {a.pk, b.pk, c.pk}, "active tickets by default"
    assert ids(status=["resolved", "pending"]) == {b.pk, d.pk}
    assert ids(type="complaint") == {b.pk}
    assert ids(priority="urgent") == {a.pk}
    assert ids(channel="phone") == {b.pk}
    assert ids(category_id=cat.pk) == {c.pk}
    assert ids(team_id=w.team.pk) == {a.pk}
    assert ids(assignee_id=w.agent.pk) == {a.pk}
    assert ids(assignee_id="mine") == {a.pk}
    assert ids(unassigned="true") == {b.pk, c.pk}
    assert ids(owner_id=w.agent.pk) == {b.pk}
    assert ids(customer_id=w.other_customer.pk) == {b.pk}
    assert ids(q="发票") == {c.pk}
    assert ids(q=c.number) == {c.pk}
    assert api.get("", {"sort": "priority"}).json()["items"][0]["id"] == a.pk
    assert [t["id"] for t in api.get("", {"sort": "age"}).json()["items"]] == [a.pk, b.pk, c.pk]
    assert [t["id"] for t in api.get("", {"sort": "-age"}).json()["items"]] == [c.pk, b.pk, a.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"type": "x"}, "type"),
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"sort": "random"}, "sort"),
        ({"assignee_id": "everyone"}, "assignee_id"),
        ({"assignee_id": "9" * 30}, "assignee_id"),
        ({"team_id": "x"}, "team_id"),
        ({"unassigned": "maybe"}, "unassigned"),
        ({"after": "not a cursor!"}, "after"),
        ({"q": "x" * 101}, "q"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_queue_parameters_are_422(w: SimpleNamespace, params: dict[str, Any], field: str) -> None:
    assert_error(api_as(w.agent).get("", params), 422, field)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        base64.urlsafe_b64encode(b'["2025-01-01T00:00:00", 5]').decode().rstrip("="),
        base64.urlsafe_b64encode(b'["2025-01-01T00:00:00+00:00", 99999999999999999999999]').decode().rstrip("="),
        base64.urlsafe_b64encode(b'{"a": 1}').decode().rstrip("="),
    ],
)
def test_forged_cursors_are_400_on_after(w: SimpleNamespace, cursor: str) -> None:
    TicketFactory(customer=w.customer)
    assert_error(api_as(w.agent).get("", {"after": cursor, "sort": "age"}), 400, "after")


@pytest.mark.django_db
def test_keyset_pages_neither_skip_nor_repeat(w: SimpleNamespace) -> None:
    start = timezone.now() - dt.timedelta(days=1)
    made = [
        TicketFactory(customer=w.customer, created_at=start + dt.timedelta(minutes=i // 3), priority_rank=i % 4)
        for i in range(25)
    ]
    api = api_as(w.agent)
    for sort in ("priority", "age", "-age"):
        seen: list[int] = []
        after = ""
        for _page in range(10):
            body = api.get("", {"sort": sort, "limit": 7, "after": after}).json()
            seen += [t["id"] for t in body["items"]]
            after = body["next_after"]
            if after is None:
                break
        assert sorted(seen) == sorted(t.pk for t in made) and len(seen) == 25, sort


@pytest.mark.django_db
def test_queue_query_count_does_not_grow_with_rows(w: SimpleNamespace) -> None:
    api = api_as(w.lead)
    api.get("")  # the token's first use is noted once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("", {"limit": 200})
        assert response.status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for _ in range(n):
            TicketFactory(
                customer=UserFactory(role=Role.CUSTOMER),
                assignee=UserFactory(role=Role.AGENT),
                owner=UserFactory(role=Role.AGENT),
                team=TeamFactory(),
                category=CategoryFactory(),
            )

    add(2)
    small = count()
    add(30)
    assert count() == small <= 3  # the token, the page (one query with every related row)


@pytest.mark.django_db
def test_detail_query_count_does_not_grow_with_the_thread(w: SimpleNamespace, django_assert_max_num_queries) -> None:
    ticket = open_ticket(w.customer)
    api = api_as(w.agent)
    api.get(f"/{ticket.pk}")
    with django_assert_max_num_queries(12):
        api.get(f"/{ticket.pk}")
    for i in range(15):
        services.ticket_reply(actor=w.agent, ticket=ticket, body=f"第{i}次回复", internal=i % 2 == 0)
    with django_assert_max_num_queries(12):
        assert len(api.get(f"/{ticket.pk}").json()["messages"]) == 16


# --- working a ticket ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_patch_changes_only_what_is_given(w: SimpleNamespace) -> None:
    category = CategoryFactory()
    ticket = open_ticket(w.customer, category=category)
    api = api_as(w.agent)
    response = api.patch(f"/{ticket.pk}", {"priority": "urgent"})
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_rank, ticket.category) == ("urgent", 0, category)
    assert api.patch(f"/{ticket.pk}", {"category_id": None}).json()["category"] is None
    assert api.patch(f"/{ticket.pk}", {"type": "complaint", "subject": "改为投诉"}).json()["type"] == "complaint"
    ticket.refresh_from_db()
    assert (ticket.category, ticket.type, ticket.subject) == (None, "complaint", "改为投诉")
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {EventKind.PRIORITY, EventKind.CATEGORY, EventKind.TYPE} <= kinds
    assert AuditEntry.objects.filter(object_id=str(ticket.pk), action="update").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"priority": None}, 422, "priority"),
        ({"priority": "soon"}, 422, "priority"),
        ({"subject": None}, 422, "subject"),
        ({"subject": "  "}, 422, "subject"),
        ({"category_id": 999999}, 400, "category_id"),
        ({"category_id": "INACTIVE"}, 400, "category_id"),
        ({"status": "closed"}, 422, "status"),
        ({"customer_id": 1}, 422, "customer_id"),
    ],
)
def test_bad_patches_store_nothing(w: SimpleNamespace, body: dict[str, Any], status: int, field: str) -> None:
    ticket = open_ticket(w.customer)
    if body.get("category_id") == "INACTIVE":
        body = {"category_id": CategoryFactory(is_active=False).pk}
    api = api_as(w.agent)
    before = stored()
    assert_error(api.patch(f"/{ticket.pk}", body), status, field)
    assert stored() == before


@pytest.mark.django_db
def test_transitions_follow_the_rules(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    api = api_as(w.agent)
    assert api.post(f"/{ticket.pk}/transition", {"status": "pending"}).json()["status"] == "pending"
    before = stored()
    blocked = api.post(f"/{ticket.pk}/transition", {"status": "resolved"})
    assert_error(blocked, 400, "status")  # the process's steps are not done yet
    assert blocked.json()["detail"][0]["code"] == "process"
    assert_error(api.post(f"/{ticket.pk}/transition", {"status": "closed"}), 400, "status")
    assert_error(api.post(f"/{ticket.pk}/transition", {"status": "gone"}), 422, "status")
    assert_error(api.post(f"/{ticket.pk}/transition", {"status": 3}), 422, "status")
    assert_error(api.post(f"/{ticket.pk}/transition", {}), 422, "status")
    assert stored() == before
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert_error(api_as(w.customer).post(f"/{ticket.pk}/transition", {"status": "open"}), 403, "__all__")
    assert_error(api_as(w.roles["qa_inspector"]).post(f"/{ticket.pk}/transition", {"status": "open"}), 403, "__all__")


@pytest.mark.django_db
def test_replies_notes_and_customer_replies(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    staff = api_as(w.agent)
    note = staff.post(f"/{ticket.pk}/messages", {"body": "已查线路", "internal": True})
    assert note.status_code == 201 and note.json()["kind"] == "note"
    ticket.refresh_from_db()
    assert ticket.first_response_at is None, "a note is not a response"
    reply = staff.post(f"/{ticket.pk}/messages", {"body": "请重启光猫后再试", "wait_for_customer": True})
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.first_response_at is not None
    customer = api_as(w.customer)
    answer = customer.post(f"/{ticket.pk}/messages", {"body": "重启了，还是不行"})
    assert answer.status_code == 201 and answer.json()["kind"] == "customer"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN, "the customer's answer wakes a waiting ticket"
    other = open_ticket(w.other_customer)
    before = stored()
    assert_error(customer.post(f"/{ticket.pk}/messages", {"body": "x", "internal": True}), 403, "__all__")
    assert_error(customer.post(f"/{ticket.pk}/messages", {"body": ""}), 422, "body")
    assert_error(customer.post(f"/{ticket.pk}/messages", {"body": "x", "cc": "boss"}), 422, "cc")
    assert_error(staff.post(f"/{ticket.pk}/messages", {"body": "x", "internal": "sometimes"}), 422, "internal")
    assert_error(customer.post(f"/{other.pk}/messages", {"body": "x"}), 403, "__all__")
    assert stored() == before


@pytest.mark.django_db
def test_reopen_by_customer_within_the_window(w: SimpleNamespace, settings: Any) -> None:
    settings.SQM_REOPEN_DAYS = 7
    recent = TicketFactory(customer=w.customer, status=Status.RESOLVED, resolved_at=timezone.now())
    old = TicketFactory(customer=w.customer, status=Status.CLOSED, closed_at=timezone.now() - dt.timedelta(days=30))
    api = api_as(w.customer)
    response = api.post(f"/{recent.pk}/reopen", {"reason": "问题又出现了"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open" and response.json()["reopen_count"] == 1
    before = stored()
    assert_error(api.post(f"/{old.pk}/reopen", {"reason": "还是不行"}), 400, "status")
    assert_error(api.post(f"/{recent.pk}/reopen", {"reason": "again"}), 400, "status")  # open already
    assert_error(api.post(f"/{old.pk}/reopen", {}), 422, "reason")
    assert stored() == before
    staff = api_as(w.agent).post(f"/{old.pk}/reopen", {"reason": "客户来电要求复查"})
    assert staff.status_code == 200 and staff.json()["status"] == "open"


@pytest.mark.django_db
def test_assign_and_transfer(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer, type=TicketType.COMPLAINT)
    lead = api_as(w.lead)
    response = lead.post(f"/{ticket.pk}/assign", {"assignee_id": w.agent.pk})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == w.agent.pk and response.json()["owner"]["id"] == w.agent.pk
    assert AgentAvailability.objects.get(user=w.agent).load == 1
    agent = api_as(w.agent)
    before = stored()
    assert_error(lead.post(f"/{ticket.pk}/assign", {"assignee_id": w.customer.pk}), 400, "assignee_id")
    assert_error(lead.post(f"/{ticket.pk}/assign", {"assignee_id": 999999}), 400, "assignee_id")
    assert_error(lead.post(f"/{ticket.pk}/transfer", {"team_id": 999999}), 400, "team_id")
    assert_error(lead.post(f"/{ticket.pk}/transfer", {"team_id": "CMP"}), 422, "team_id")
    assert_error(agent.post(f"/{ticket.pk}/assign", {"assignee_id": w.agent.pk}), 403, "__all__")
    assert_error(agent.post(f"/{ticket.pk}/transfer", {"team_id": w.other_team.pk}), 403, "__all__")
    assert stored() == before
    moved = lead.post(f"/{ticket.pk}/transfer", {"team_id": w.other_team.pk})
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["team"]["id"] == w.other_team.pk and body["assignee"] is None
    assert body["owner"]["id"] == w.agent.pk, "the first-contact owner stays"


@pytest.mark.django_db
def test_control_points_and_steps(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    api = api_as(w.agent)
    step = ticket.current_step
    points = list(step.control_points.all())
    before = stored()
    blocked = api.post(f"/{ticket.pk}/steps/complete")
    assert_error(blocked, 400, "control_points")
    assert stored() == before
    for point in points:
        response = api.put(f"/{ticket.pk}/checks/{point.pk}", {"ticked": True})
        assert response.status_code == 200 and response.json() == {"control_point_id": point.pk, "ticked": True}
    assert api.put(f"/{ticket.pk}/checks/{points[0].pk}", {"ticked": False}).json()["ticked"] is False
    assert not ControlCheck.objects.filter(ticket=ticket, control_point=points[0]).exists()
    api.put(f"/{ticket.pk}/checks/{points[0].pk}", {"ticked": True})
    detail = api.get(f"/{ticket.pk}").json()
    assert {c["control_point_id"] for c in detail["checks"]} == {p.pk for p in points}
    done = api.post(f"/{ticket.pk}/steps/complete")
    assert done.status_code == 200, done.content
    assert done.json()["current_step"]["order"] == step.order + 1
    assert done.json()["steps"][0]["completed_at"] is not None
    before = stored()
    assert_error(api.put(f"/{ticket.pk}/checks/{points[0].pk}", {"ticked": True}), 400, "control_point_id")
    assert_error(api.put(f"/{ticket.pk}/checks/999999", {"ticked": True}), 404, "id")
    assert_error(api.put(f"/{ticket.pk}/checks/{points[0].pk}", {"ticked": "perhaps"}), 422, "ticked")
    assert_error(api.put(f"/{ticket.pk}/checks/{points[0].pk}", {}), 422, "ticked")
    assert stored() == before


@pytest.mark.django_db
def test_history_lists_events_in_order(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    services.ticket_reply(actor=w.agent, ticket=ticket, body="您好")
    events = api_as(w.lead).get(f"/{ticket.pk}/events").json()
    kinds = [e["kind"] for e in events]
    assert kinds[:2] == ["created", "step_started"] and "replied" in kinds
    assert events[-1]["actor"]["id"] == w.agent.pk


@pytest.mark.django_db
def test_categories_and_processes(w: SimpleNamespace) -> None:
    parent = CategoryFactory(code="bb", name_zh="宽带", name_en="Broadband")
    CategoryFactory(code="bb-slow", name_zh="网速慢", name_en="Slow", parent=parent)
    CategoryFactory(code="old", is_active=False)
    cats = api_as(w.customer).get("/categories").json()
    assert [c["code"] for c in cats] == ["bb", "bb-slow"]
    assert cats[1]["parent_id"] == parent.pk and cats[1]["name_en"] == "Slow"
    processes = api_as(w.agent).get("/processes").json()
    by_type = {p["ticket_type"]: p for p in processes}
    assert set(by_type) == set(TicketType.values)
    complaint = by_type["complaint"]["steps"]
    assert [s["order"] for s in complaint] == [1, 2, 3, 4]
    assert complaint[0]["control_points"][0]["text_zh"] == "核实客户身份与联系方式"
    assert complaint[3]["before_resolution"] is False


# --- shifts -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agents_set_their_own_shift_and_leads_anyones(w: SimpleNamespace) -> None:
    own = api_as(w.agent).put(f"/agents/{w.agent.pk}/shift", {"on_shift": True, "max_concurrent": 5})
    assert own.status_code == 200, own.content
    assert own.json()["on_shift"] is True and own.json()["max_concurrent"] == 5
    other = UserFactory(role=Role.AGENT)
    agent, lead = api_as(w.agent), api_as(w.lead)
    before = stored()
    assert_error(agent.put(f"/agents/{other.pk}/shift", {"on_shift": True}), 403, "__all__")
    assert_error(agent.put("/agents/999999/shift", {"on_shift": True}), 403, "__all__")
    assert_error(lead.put("/agents/999999/shift", {"on_shift": True}), 404, "id")
    too_many = {"on_shift": True, "max_concurrent": 51}
    assert_error(lead.put(f"/agents/{other.pk}/shift", too_many), 422, "max_concurrent")
    assert_error(lead.put(f"/agents/{other.pk}/shift", {**too_many, "max_concurrent": None}), 422, "max_concurrent")
    assert_error(lead.put(f"/agents/{other.pk}/shift", {}), 422, "on_shift")
    assert_error(lead.put(f"/agents/{w.customer.pk}/shift", {"on_shift": True}), 400, "agent_id")
    assert stored() == before
    off = lead.put(f"/agents/{w.agent.pk}/shift", {"on_shift": False})
    assert off.status_code == 200 and off.json()["on_shift"] is False and off.json()["max_concurrent"] == 5


# --- uploads ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_customer_uploads_to_own_ticket(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    files = [SimpleUploadedFile("光猫.png", PNG), SimpleUploadedFile("说明.txt", "红灯闪烁".encode())]
    response = api_as(w.customer).upload(f"/{ticket.pk}/attachments", {"files": files, "body": "照片见附件"})
    assert response.status_code == 201, response.content
    message = TicketMessage.objects.get(pk=response.json()["id"])
    assert (message.kind, message.author, message.body) == (MessageKind.CUSTOMER, w.customer, "照片见附件")
    assert sorted(a.name for a in message.attachments.all()) == ["光猫.png", "说明.txt"]
    assert {a["content_type"] for a in response.json()["attachments"]} == {"image/png", "text/plain"}
    png = message.attachments.get(name="光猫.png")
    assert png.size == len(PNG) and png.file.read() == PNG


@pytest.mark.django_db
def test_staff_upload_as_note_or_json(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    api = api_as(w.agent)
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    note = api.upload(f"/{ticket.pk}/attachments", {"files": [pdf], "internal": "true"})
    assert note.status_code == 201 and note.json()["kind"] == "note" and note.json()["body"] == "a.pdf"
    content = base64.b64encode(b"col1,col2\n1,2\n").decode()
    as_json = api.post(f"/{ticket.pk}/attachments", {"files": [{"name": "数据.csv", "content_base64": content}]})
    assert as_json.status_code == 201, as_json.content
    assert as_json.json()["kind"] == "reply" and as_json.json()["attachments"][0]["size"] == 14


@pytest.mark.django_db
def test_bad_uploads_name_the_field_and_store_nothing(w: SimpleNamespace, settings: Any) -> None:
    settings.SQM_ATTACHMENT_MAX_BYTES = 1024 * 1024
    ticket = open_ticket(w.customer)
    other = open_ticket(w.other_customer)
    api = api_as(w.customer)
    path = f"/{ticket.pk}/attachments"
    before = stored()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024))
    assert_error(api.upload(path, {"files": [big]}), 413, "files")
    assert_error(api.upload(path, {"files": [SimpleUploadedFile("run.exe", b"MZ\x90")]}), 400, "files")
    assert_error(api.upload(path, {"files": [SimpleUploadedFile("fake.png", b"GIF89a")]}), 400, "files")
    assert_error(api.upload(path, {"files": [SimpleUploadedFile("empty.txt", b"")]}), 400, "files")
    many = [SimpleUploadedFile(f"{i}.txt", b"x") for i in range(11)]
    assert_error(api.upload(path, {"files": many}), 400, "files")
    assert_error(api.upload(path, {"body": "no file"}), 422, "files")
    assert_error(api.upload(path, {"files": [SimpleUploadedFile("a.txt", b"x")], "colour": "red"}), 422, "colour")
    assert_error(api.upload(path, {"file": [SimpleUploadedFile("a.txt", b"x")]}), 422, "file")
    note = {"files": [SimpleUploadedFile("a.txt", b"x")], "internal": "true"}
    assert_error(api.upload(path, note), 403, "__all__")
    for content in ("@@@", "eA="):
        bad = {"files": [{"name": "a.txt", "content_base64": content}]}
        assert_error(api.post(path, bad), 422, "files.0.content_base64")
    assert_error(api.post(path, {"files": []}), 422, "files")
    assert_error(api.post(path, {"files": [{"name": "../a.txt", "content_base64": "eA=="}]}), 422, "files.0.name")
    assert_error(api.post(path, "{broken"), 422, "body")
    assert_error(api.post(path, "x", CONTENT_TYPE="text/plain"), 415, "Content-Type")
    huge = {"files": [{"name": "a.txt", "content_base64": "eA==" * (2 * 1024 * 1024)}]}
    assert_error(api.post(path, huge), 413, "files")
    one = {"files": [SimpleUploadedFile("a.txt", b"x")]}
    assert_error(api.upload(f"/{other.pk}/attachments", one), 403, "__all__")
    assert stored() == before


@pytest.mark.django_db
def test_control_characters_in_upload_names_are_dropped(w: SimpleNamespace) -> None:
    ticket = open_ticket(w.customer)
    upload = SimpleUploadedFile("报告\x00\x07.txt", b"ok")
    response = api_as(w.customer).upload(f"/{ticket.pk}/attachments", {"files": [upload]})
    assert response.status_code == 201, response.content
    assert Attachment.objects.get().name == "报告.txt"
