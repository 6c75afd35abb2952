"""Customer tiers in SLA policy matching: a VIP customer's ticket runs under the VIP policy, a
tier changed later applies only when the clock is recomputed, and the policy page and API take
the tier, refusing one that is not a known tier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError
from sqm.core.roles import Role
from sqm.org import services as org_services
from sqm.org.models import CustomerTier
from sqm.org.services import api_token_create
from sqm.org.tests.factories import UserFactory
from sqm.tickets import services
from sqm.tickets.models import SlaEvent, SlaPolicy, Ticket, TicketClock
from sqm.tickets.sla import services as sla
from sqm.tickets.sla.defaults import TIER_POLICIES
from sqm.tickets.tests.sla_fixtures import MONDAY, FrozenTime, at, install_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sla_defaults(db: None) -> None:
    install_defaults()


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenTime:
    return FrozenTime(monkeypatch, at(MONDAY))


def _ticket(customer, type: str = "consultation", priority: str = "normal") -> Ticket:
    ticket, _created = services.ticket_create(
        actor=customer, customer=customer, type=type, subject="宽带断网", channel="web", priority=priority
    )
    return ticket


def _clock(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.select_related("policy").get(ticket=ticket)


@pytest.mark.parametrize(
    ("tier", "type", "priority", "code", "response"),
    [
        ("vip", "consultation", "normal", "vip-service", 15),
        ("vip", "complaint", "normal", "vip-complaint", 30),
        ("vip", "complaint", "urgent", "complaint-urgent", 30),  # the urgent complaint policy names more
        ("standard", "consultation", "normal", "service", 30),
        ("key_account", "consultation", "normal", "service", 30),  # no key-account policy shipped
        ("standard", "complaint", "normal", "complaint", 60),
    ],
)
def test_the_customers_tier_picks_the_policy(frozen, tier, type, priority, code, response):
    customer = UserFactory(role=Role.CUSTOMER, customer_tier=tier)
    clock = _clock(_ticket(customer, type, priority))
    assert (clock.policy.code, clock.response_minutes) == (code, response)
    assert clock.due_response_at == at("2026-11-23T09:00") + dt.timedelta(minutes=response)
    started = SlaEvent.objects.get(ticket=clock.ticket, kind="started")
    assert started.policy_id == clock.policy_id


def test_a_tier_policy_beats_the_general_one_only_for_its_tier(frozen):
    ticket = _ticket(UserFactory(role=Role.CUSTOMER))
    today = dt.date(2026, 11, 23)
    assert sla.policy_for(ticket, today).code == "service"
    assert sla.policy_for(ticket, today, tier="vip").code == "vip-service"
    assert sla.policy_for(ticket, today, tier="standard").code == "service"


def test_changing_the_tier_keeps_running_clocks_until_they_are_recomputed(frozen, users_by_role):
    admin = users_by_role[Role.ADMIN]
    customer = UserFactory(role=Role.CUSTOMER)
    ticket = _ticket(customer)
    assert _clock(ticket).policy.code == "service"
    org_services.user_update(actor=admin, user=customer, customer_tier="vip")
    assert _clock(ticket).policy.code == "service", "a tier change alone does not re-time clocks"
    customer.refresh_from_db()
    assert _clock(_ticket(customer)).policy.code == "vip-service", "new tickets follow the new tier"
    frozen.advance(minutes=5)
    agent = users_by_role[Role.TEAM_LEAD]
    services.ticket_update(actor=agent, ticket=Ticket.objects.get(pk=ticket.pk), priority="high")
    clock = _clock(ticket)
    assert clock.policy.code == "vip-service", "a recompute reads the tier afresh"
    assert clock.due_response_at == at("2026-11-23T09:15")  # the 5 minutes spent were kept
    assert SlaEvent.objects.filter(ticket=ticket, kind="recomputed").exists()


# --- the customer's tier in the organisation -----------------------------------------------------


def test_only_customers_have_a_tier_and_it_is_audited(users_by_role):
    admin = users_by_role[Role.ADMIN]
    customer = UserFactory(role=Role.CUSTOMER)
    org_services.user_update(actor=admin, user=customer, customer_tier=CustomerTier.KEY_ACCOUNT)
    customer.refresh_from_db()
    assert customer.customer_tier == "key_account"
    entry = AuditEntry.objects.filter(object_type="org.user", object_id=str(customer.pk)).order_by("-seq").first()
    assert entry.changes["customer_tier"] == {"before": "standard", "after": "key_account"}
    with pytest.raises(DomainError) as exc:
        org_services.user_update(actor=admin, user=customer, customer_tier="gold")
    assert list(exc.value.errors) == ["customer_tier"]
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(DomainError) as exc:
        org_services.user_update(actor=admin, user=agent, customer_tier="vip")
    assert list(exc.value.errors) == ["customer_tier"]
    org_services.user_update(actor=admin, user=customer, role=Role.AGENT)
    customer.refresh_from_db()
    assert customer.customer_tier == "standard", "a customer who becomes staff loses the tier"


def test_admin_sets_the_tier_in_the_user_form_and_the_ticket_page_shows_it(client_for, users_by_role):
    admin = users_by_role[Role.ADMIN]
    customer = UserFactory(role=Role.CUSTOMER, display_name="王女士")
    client = client_for(admin)
    client.cookies["sqm_language"] = "en"
    form = client.get(reverse("org:user_edit", args=[customer.pk]))
    assert 'name="customer_tier"' in form.content.decode()
    response = client.post(
        reverse("org:user_edit", args=[customer.pk]),
        {
            "display_name": "王女士",
            "email": "",
            "phone": "",
            "role": "customer",
            "language": "",
            "customer_tier": "vip",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.customer_tier == "vip"
    bad = client.post(
        reverse("org:user_edit", args=[customer.pk]),
        {"display_name": "王女士", "role": "customer", "customer_tier": "platinum"},
    )
    assert "customer_tier" in bad.context["form"].errors
    customer.refresh_from_db()
    assert customer.customer_tier == "vip"
    detail = client.get(reverse("org:user_detail", args=[customer.pk])).content.decode()
    assert "Customer tier" in detail and "VIP" in detail
    ticket = _ticket(customer)
    page = client_for(users_by_role[Role.TEAM_LEAD])
    page.cookies["sqm_language"] = "en"
    html = page.get(reverse("tickets:ticket_detail", args=[ticket.pk])).content.decode()
    assert "VIP" in html


def test_the_org_api_reads_and_writes_the_tier(users_by_role):
    from django.test import Client

    admin = users_by_role[Role.ADMIN]
    key = api_token_create(actor=admin, user=admin, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    made = client.post(
        "/api/org/users",
        {"username": "vip.li", "display_name": "李先生", "role": "customer", "customer_tier": "vip"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["customer_tier"] == "vip"
    user_id = made.json()["id"]
    changed = client.patch(
        f"/api/org/users/{user_id}", {"customer_tier": "key_account"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["customer_tier"] == "key_account"
    bad = client.patch(f"/api/org/users/{user_id}", {"customer_tier": "gold"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "customer_tier"
    staff = client.post(
        "/api/org/users",
        {"username": "agent.x", "display_name": "X", "role": "agent", "customer_tier": "vip"},
        content_type="application/json",
    )
    assert staff.status_code == 400 and staff.json()["detail"][0]["field"] == "customer_tier"


# --- policies with a tier -------------------------------------------------------------------------


def test_policy_service_validates_the_tier(users_by_role):
    manager = users_by_role[Role.QUALITY_MANAGER]
    with pytest.raises(DomainError) as exc, translation.override("en"):
        sla.policy_draft_save(
            actor=manager,
            code="gold",
            name="Gold",
            tier="gold",
            effective_from=dt.date(2027, 1, 1),
            response_minutes=10,
            resolution_minutes=60,
        )
    assert list(exc.value.errors) == ["tier"]
    assert "vip" in str(exc.value.errors["tier"][0])
    draft = sla.policy_draft_save(
        actor=manager,
        code="key-account",
        name="Key accounts",
        tier="key_account",
        effective_from=dt.date(2027, 1, 1),
        response_minutes=10,
        resolution_minutes=60,
    )
    assert draft.tier == "key_account"
    with translation.override("en"):
        assert draft.applies_to.endswith("Key account")


def test_policy_page_takes_the_tier(client_for, users_by_role):
    client = client_for(users_by_role[Role.QUALITY_MANAGER])
    client.cookies["sqm_language"] = "en"
    data = {
        "code": "ka",
        "name": "Key accounts",
        "effective_from": "2027-01-01",
        "ticket_type": "",
        "priority": "",
        "response_minutes": 10,
        "resolution_minutes": 60,
        "warn_fraction": 0.75,
        "escalate_after_minutes": 30,
        "calendar": "",
    }
    bad = client.post(reverse("sla:policy_create"), {**data, "tier": "gold"})
    assert bad.status_code == 400 and "tier" in bad.context["form"].errors
    ok = client.post(reverse("sla:policy_create"), {**data, "tier": "key_account"})
    assert ok.status_code == 302
    policy = SlaPolicy.objects.get(code="ka")
    assert policy.tier == "key_account"
    listing = client.get(reverse("sla:policy_list")).content.decode()
    assert "Key account" in listing
    again = client.get(reverse("sla:policy_create") + f"?from={policy.pk}")
    assert again.context["form"].initial["tier"] == "key_account"


def test_policy_api_takes_the_tier_and_refuses_unknown_ones(users_by_role):
    from django.test import Client

    manager = users_by_role[Role.QUALITY_MANAGER]
    key = api_token_create(actor=manager, user=manager, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {
        "code": "ka",
        "name": "Key accounts",
        "effective_from": "2027-01-01",
        "response_minutes": 10,
        "resolution_minutes": 60,
    }
    bad = client.post("/api/sla/policies", {**body, "tier": "gold"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "tier"
    assert bad.json()["detail"][0]["code"] == "invalid_choice"
    made = client.post("/api/sla/policies", {**body, "tier": "key_account"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["tier"] == "key_account" and made.json()["status"] == "draft"
    short = client.post(
        "/api/sla/policies", {**body, "resolution_minutes": 5, "tier": "vip"}, content_type="application/json"
    )
    assert short.status_code == 400 and short.json()["detail"][0]["field"] == "resolution_minutes"
    published = client.post(f"/api/sla/policies/{made.json()['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "effective"
    listed = client.get("/api/sla/policies").json()
    shipped = {code for code, *_rest in TIER_POLICIES}
    assert {p["code"] for p in listed if p["tier"] == "vip"} == shipped
    assert any(p["code"] == "ka" and p["tier"] == "key_account" for p in listed)
