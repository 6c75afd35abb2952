"""SLA on the agent pages and the API: the ticket page's countdown panel (and its 30 s htmx
refresh), the SLA history, the queues' risk filter and due-time sorts with keyset paging, and
``GET /api/tickets/{id}/sla``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.org.models import User
from sqm.org.services import api_token_create
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets import selectors, services
from sqm.tickets.models import Risk, Status, Ticket, TicketClock, TicketType
from sqm.tickets.sla.sweep import sweep
from sqm.tickets.tests.factories import TicketFactory, on_shift_agent
from sqm.tickets.tests.sla_fixtures import MONDAY, FrozenTime, at, install_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sla_defaults(db: None) -> None:
    install_defaults()


@pytest.fixture
def users_by_role(make_user: Callable[..., User]) -> dict[str, User]:
    """One user per role, reading the pages in English (the msgids these tests look for)."""
    return {role.value: make_user(role.value, username=f"r-{role.value}", language="en") for role in Role}


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenTime:
    return FrozenTime(monkeypatch, at(MONDAY))


def _ticket(type: str = TicketType.COMPLAINT, subject: str = "营业厅排队太久") -> Ticket:
    customer = UserFactory(role=Role.CUSTOMER)
    ticket, _created = services.ticket_create(
        actor=customer, customer=customer, type=type, subject=subject, channel="web"
    )
    return ticket


def _panel(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("tickets:sla_panel", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- the ticket page's panel ------------------------------------------------------------------------


def test_ticket_page_shows_the_countdown_with_due_times_in_centre_time(frozen, client_for, users_by_role):
    ticket = _ticket()  # complaint at Monday 09:00: respond within 1 h, resolve within 24 business hours
    frozen.set("2026-11-23T09:20")
    response = client_for(users_by_role[Role.AGENT]).get(reverse("tickets:ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    panel = html[html.index('id="sla"') : html.index("</section>", html.index('id="sla"'))]
    assert f'hx-get="{reverse("tickets:sla_panel", args=[ticket.pk])}"' in panel
    assert 'hx-trigger="every 30s"' in panel
    assert "40 min left" in panel  # response: 60 - 20 business minutes
    assert "2026-11-23 10:00" in panel and "Asia/Shanghai" in panel
    assert 'data-risk="on_track"' in panel and 'class="badge ok"' in panel
    # SLA history lists the clock's start
    assert 'id="sla-history"' in html and 'data-sla-event="started"' in html


def test_panel_turns_to_warning_then_breached_as_business_time_runs(frozen, client_for, users_by_role):
    ticket = _ticket()
    client = client_for(users_by_role[Role.TEAM_LEAD])
    frozen.set("2026-11-23T09:50")  # 50 of 60 minutes: past the 75 % warning
    panel = _panel(client, ticket)
    assert 'data-risk="warning"' in panel and "10 min left" in panel and 'class="badge warn"' in panel
    frozen.set("2026-11-23T10:10")
    panel = _panel(client, ticket)
    assert 'data-risk="breached"' in panel and "overdue by 10 min" in panel and 'class="badge bad"' in panel


def test_panel_counts_business_time_only(frozen, client_for, users_by_role):
    frozen.set("2026-11-27T17:30")  # Friday, 30 minutes before the centre closes
    ticket = _ticket()
    frozen.set("2026-11-28T12:00")  # Saturday: no business time passes
    panel = _panel(client_for(users_by_role[Role.AGENT]), ticket)
    assert "overdue" not in panel.split('data-target="resolution"')[0]
    assert "30 min left" in panel  # the response clock stopped at 18:00 Friday
    assert "2026-11-30 09:30" in panel  # due Monday morning


def test_paused_panel_says_why_and_met_targets_show_when(frozen, client_for, users_by_role):
    ticket = _ticket()
    agent = on_shift_agent(team=TeamFactory())
    frozen.set("2026-11-23T09:15")
    services.ticket_reply(actor=agent, ticket=ticket, body="请提供您的账号", wait_for_customer=True)
    frozen.set("2026-11-23T15:00")
    client = client_for(users_by_role[Role.AGENT])
    panel = _panel(client, ticket)
    assert 'data-state="paused"' in panel and "Waiting on the customer" in panel and "since 2026-11-23 09:15" in panel
    assert (
        'data-target="response" data-state="met"' in panel and "Met on time" in panel and "at 2026-11-23 09:15" in panel
    )
    assert "Due no earlier than" in panel
    html = client.get(reverse("tickets:ticket_detail", args=[ticket.pk])).content.decode()
    history = html[html.index('id="sla-history"') :]
    assert 'data-sla-event="met"' in history and 'data-sla-event="paused"' in history and "on time" in history


def test_panel_stops_refreshing_when_nothing_is_left_to_count(frozen, client_for, users_by_role):
    ticket = _ticket()
    TicketClock.objects.filter(ticket=ticket).update(
        response_met_at=at("2026-11-23T09:10"), resolution_met_at=at("2026-11-23T11:00")
    )
    panel = _panel(client_for(users_by_role[Role.AGENT]), ticket)
    assert "hx-trigger" not in panel and panel.count("Met on time") == 2


def test_ticket_without_a_clock_says_so(client_for, users_by_role):
    ticket = TicketFactory()
    panel = _panel(client_for(users_by_role[Role.AGENT]), ticket)
    assert "No SLA clock runs for this ticket." in panel and "hx-trigger" not in panel


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_sla_panel_access_per_role(role, client_for, users_by_role):
    ticket = _ticket()
    response = client_for(users_by_role[role]).get(reverse("tickets:sla_panel", args=[ticket.pk]))
    assert response.status_code == (200 if Role(role) in CAPABILITIES[Cap.TICKET_VIEW] else 403)


def test_sla_panel_anonymous_and_unknown(client_for, users_by_role):
    ticket = _ticket()
    anonymous = client_for(None).get(reverse("tickets:sla_panel", args=[ticket.pk]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    missing = client_for(users_by_role[Role.AGENT]).get(reverse("tickets:sla_panel", args=[ticket.pk + 999]))
    assert missing.status_code == 404


def test_sla_panel_queries_are_bounded(frozen, client_for, users_by_role, django_assert_max_num_queries):
    ticket = _ticket()
    client = client_for(users_by_role[Role.AGENT])
    with django_assert_max_num_queries(8):
        _panel(client, ticket)


# --- queues: risk filter and due sorts ------------------------------------------------------------


def _risky_tickets(frozen: FrozenTime) -> dict[str, Ticket]:
    """Three complaints opened at 09:00, 09:20 and 09:40; at 10:05 the sweep finds the first
    breached (response due 10:00), the second warned (due 10:20, warning at 10:05) and the third
    on track; plus a ticket without a clock."""
    tickets = {}
    for name, time in (("breached", "09:00"), ("warning", "09:20"), ("on_track", "09:40")):
        frozen.set(f"2026-11-23T{time}")
        tickets[name] = _ticket(subject=f"风险 {name}")
    frozen.set("2026-11-23T10:05")
    sweep(now=frozen.now)
    tickets["no_clock"] = TicketFactory(subject="没有时钟")
    return tickets


def test_sweep_sets_the_risk_the_queue_filters_on(frozen):
    tickets = _risky_tickets(frozen)
    risks = dict(TicketClock.objects.values_list("ticket_id", "risk"))
    assert risks[tickets["breached"].pk] == Risk.BREACHED
    assert risks[tickets["warning"].pk] == Risk.WARNING
    assert risks[tickets["on_track"].pk] == Risk.ON_TRACK
    for risk, expected in (
        ("breached", {"breached"}),
        ("warning", {"warning"}),
        ("on_track", {"on_track", "no_clock"}),
        ("", {"breached", "warning", "on_track", "no_clock"}),
    ):
        page = selectors.queue(selectors.QueueFilters(risk=risk), sort="age")
        assert {t.pk for t in page.items} == {tickets[name].pk for name in expected}, risk


def test_unknown_risk_is_refused_by_the_selector():
    from sqm.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        selectors.queue(selectors.QueueFilters(risk="late"))
    assert "risk" in exc.value.errors


def test_team_queue_filters_by_risk_and_shows_the_sla_column(frozen, client_for, users_by_role):
    tickets = _risky_tickets(frozen)
    client = client_for(users_by_role[Role.TEAM_LEAD])
    response = client.get(reverse("tickets:team_queue"), {"team": "", "risk": "breached"})
    assert response.status_code == 200
    html = response.content.decode()
    assert tickets["breached"].subject in html
    assert tickets["warning"].subject not in html and tickets["on_track"].subject not in html
    assert 'data-risk="breached"' in html and "response due 11-23 10:00" in html
    everything = client.get(reverse("tickets:team_queue"), {"team": ""}).content.decode()
    assert everything.count('data-risk="') == 3  # the ticket without a clock shows a dash
    assert 'data-risk="warning"' in everything and 'data-risk="on_track"' in everything


def test_team_queue_sorted_by_due_time(frozen, client_for, users_by_role):
    tickets = _risky_tickets(frozen)
    client = client_for(users_by_role[Role.TEAM_LEAD])
    html = client.get(reverse("tickets:team_queue"), {"team": "", "sort": "due_response"}).content.decode()
    order = [html.index(tickets[name].subject) for name in ("breached", "warning", "on_track", "no_clock")]
    assert order == sorted(order)


def test_queue_page_queries_do_not_grow_with_rows(frozen, client_for, users_by_role, django_assert_max_num_queries):
    client = client_for(users_by_role[Role.TEAM_LEAD])
    _risky_tickets(frozen)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("tickets:team_queue"), {"team": "", "sort": "due"})
    for i in range(6):
        _ticket(subject=f"更多 {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("tickets:team_queue"), {"team": "", "sort": "due"})


def _due_rows() -> list[Ticket]:
    """23 tickets: runs of equal due times, and 5 without a due time (no clock)."""
    base = at("2026-11-23T12:00")
    rows = []
    for i in range(18):
        rows.append(TicketFactory(due_resolution_at=base + dt.timedelta(minutes=10 * (i // 3)), due_response_at=None))
    rows += [TicketFactory(due_resolution_at=None, due_response_at=None) for _ in range(5)]
    return rows


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 7, 50])
def test_due_sort_keyset_pages_never_skip_or_repeat(limit):
    rows = _due_rows()
    expected = sorted(rows, key=lambda t: (t.due_resolution_at is None, t.due_resolution_at or dt.datetime.min, t.pk))
    seen: list[int] = []
    after = ""
    for _page in range(100):
        page = selectors.queue(selectors.QueueFilters(), sort="due", after=after, limit=limit)
        seen += [t.pk for t in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == [t.pk for t in expected]


def test_due_sort_cursor_survives_a_null_boundary():
    rows = _due_rows()
    page = selectors.queue(selectors.QueueFilters(), sort="due", limit=19)  # the 19th is the first NULL
    assert page.items[-1].due_resolution_at is None
    rest = selectors.queue(selectors.QueueFilters(), sort="due", after=page.next_cursor, limit=50)
    assert len(rest.items) == 4 and rest.next_cursor is None
    assert {t.pk for t in page.items} | {t.pk for t in rest.items} == {t.pk for t in rows}


def test_a_cursor_of_another_sort_is_refused():
    _due_rows()
    page = selectors.queue(selectors.QueueFilters(), sort="priority", limit=2)
    from sqm.core.errors import DomainError

    with pytest.raises(DomainError):
        selectors.queue(selectors.QueueFilters(), sort="due", after=page.next_cursor)


# --- API ------------------------------------------------------------------------------------------


def _api(user: User) -> Callable[..., Any]:
    key = api_token_create(actor=user, user=user, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def get(path: str, params: dict[str, Any] | None = None) -> Any:
        return client.get(f"/api/tickets{path}", params or {})

    return get


def test_api_sla_gives_the_countdown_and_every_event(frozen, users_by_role):
    ticket = _ticket()
    agent = on_shift_agent(team=TeamFactory())
    frozen.set("2026-11-23T09:30")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.PENDING)
    frozen.set("2026-11-23T10:00")
    services.ticket_transition(actor=agent, ticket=ticket, status=Status.OPEN)
    frozen.set("2026-11-23T10:10")
    response = _api(users_by_role[Role.AGENT])(f"/{ticket.pk}/sla")
    assert response.status_code == 200
    body = response.json()
    assert body["has_clock"] and body["risk"] == "on_track" and body["time_zone"] == "Asia/Shanghai"
    assert not body["paused"]
    response_target = body["targets"][0]
    assert response_target["target"] == "response" and response_target["minutes"] == 60
    assert response_target["business_left_seconds"] == 20 * 60  # 40 minutes active of 60
    assert dt.datetime.fromisoformat(response_target["due_at"]) == at("2026-11-23T10:30")
    assert [e["kind"] for e in body["events"]] == ["started", "paused", "resumed"]


def test_api_sla_for_a_ticket_without_a_clock(users_by_role):
    ticket = TicketFactory()
    body = _api(users_by_role[Role.TEAM_LEAD])(f"/{ticket.pk}/sla").json()
    assert body["has_clock"] is False and body["targets"] == [] and body["events"] == []


def test_api_sla_access(users_by_role):
    ticket = _ticket()
    own = _api(ticket.customer)(f"/{ticket.pk}/sla")
    assert own.status_code == 403  # clock events are staff-only, even on one's own ticket
    assert _api(users_by_role[Role.AGENT])(f"/{ticket.pk + 999}/sla").status_code == 404
    assert Client().get(f"/api/tickets/{ticket.pk}/sla").status_code == 401


def test_api_list_filters_by_risk_and_sorts_by_due(frozen, users_by_role):
    tickets = _risky_tickets(frozen)
    get = _api(users_by_role[Role.TEAM_LEAD])
    body = get("", {"risk": "warning"}).json()
    assert [t["id"] for t in body["items"]] == [tickets["warning"].pk]
    ids: list[int] = []
    params: dict[str, Any] = {"sort": "due_response", "limit": 1}
    while True:
        page = get("", params).json()
        ids += [t["id"] for t in page["items"]]
        if not page["next_after"]:
            break
        params["after"] = page["next_after"]
    assert ids == [tickets[name].pk for name in ("breached", "warning", "on_track", "no_clock")]
    bad = get("", {"risk": "late"})
    assert bad.status_code == 422 and "risk" in bad.content.decode()
