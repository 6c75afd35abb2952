"""SLA terms of process standards become ticket SLA policy versions (issue 5 point 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sqm.core.roles import Role
from sqm.standards import selectors, services
from sqm.standards.models import SlaTerm, Standard, VersionStatus
from sqm.tickets.models import PolicyStatus, SlaPolicy
from sqm.tickets.sla.services import policy_for
from sqm.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def qm(make_user):
    return make_user(Role.QUALITY_MANAGER)


def _complaint_standard() -> Standard:
    return Standard.objects.get(code="PS-CMP")


def test_starter_terms_link_the_default_policies_without_duplicating_them():
    for code in ("complaint", "complaint-urgent", "service", "service-urgent"):
        assert SlaPolicy.objects.filter(code=code).count() == 1
        term = SlaTerm.objects.select_related("policy").get(policy_code=code)
        assert term.policy is not None and term.policy.version == 1 and term.policy.code == code
        assert (term.response_minutes, term.resolution_minutes) == (
            term.policy.response_minutes,
            term.policy.resolution_minutes,
        )
    complaint = SlaTerm.objects.get(policy_code="complaint")
    assert (complaint.response_minutes, complaint.resolution_minutes) == (60, 24 * 60)


def _new_draft_with(qm, **changes):
    standard = _complaint_standard()
    draft = services.version_create_draft(actor=qm, standard=standard)
    if changes:
        term = draft.sla_terms.get(policy_code="complaint")
        values = {
            f: getattr(term, f)
            for f in (
                "policy_code",
                "name",
                "ticket_type",
                "priority",
                "tier",
                "response_minutes",
                "resolution_minutes",
                "warn_fraction",
                "escalate_after_minutes",
                "calendar",
            )
        }
        services.sla_term_update(actor=qm, term=term, **{**values, **changes})
    services.version_submit(actor=qm, version=draft)
    return draft


def test_unchanged_terms_keep_the_policy_in_force(qm):
    draft = _new_draft_with(qm)
    services.version_approve(actor=qm, version=draft, effective_from=timezone.localdate())
    assert SlaPolicy.objects.filter(code="complaint").count() == 1
    term = draft.sla_terms.get(policy_code="complaint")
    assert term.policy.version == 1 and term.policy.status == PolicyStatus.EFFECTIVE


def test_a_changed_term_becomes_the_next_policy_version_and_new_tickets_run_under_it(qm):
    today = timezone.localdate()
    draft = _new_draft_with(qm, resolution_minutes=12 * 60)
    version = services.version_approve(actor=qm, version=draft, effective_from=today)
    assert version.status == VersionStatus.EFFECTIVE
    new = SlaPolicy.objects.get(code="complaint", version=2)
    assert (new.status, new.effective_from, new.resolution_minutes) == (PolicyStatus.EFFECTIVE, today, 720)
    assert new.ticket_type == "complaint" and new.escalate_after_minutes == 60
    old = SlaPolicy.objects.get(code="complaint", version=1)
    assert old.status == PolicyStatus.SUPERSEDED
    assert draft.sla_terms.get(policy_code="complaint").policy == new
    assert draft.sla_terms.get(policy_code="complaint-urgent").policy.version == 1  # unchanged: linked

    from sqm.org.tests.factories import UserFactory
    from sqm.tickets.services.intake import ticket_create

    customer = UserFactory(role=Role.CUSTOMER)
    ticket, _ = ticket_create(
        actor=customer, customer=customer, type="complaint", subject="投诉：宽带多次断线", channel="web"
    )
    assert ticket.sla_clock.policy == new
    assert ticket.sla_clock.resolution_minutes == 720


def test_a_future_version_publishes_its_policy_from_that_date(qm):
    today = timezone.localdate()
    start = today + dt.timedelta(days=10)
    draft = _new_draft_with(qm, response_minutes=45)
    version = services.version_approve(actor=qm, version=draft, effective_from=start)
    assert version.status == VersionStatus.APPROVED
    new = SlaPolicy.objects.get(code="complaint", version=2)
    assert new.effective_from == start and new.response_minutes == 45
    assert SlaPolicy.objects.get(code="complaint", version=1).status == PolicyStatus.EFFECTIVE  # still in force
    ticket = TicketFactory(type="complaint")
    assert policy_for(ticket, today).version == 1
    assert policy_for(ticket, start).version == 2  # a ticket arriving on the date runs under the new version
    services.activate_due(start)
    assert SlaPolicy.objects.get(code="complaint", version=1).status == PolicyStatus.SUPERSEDED
    assert selectors.version_in_force(draft.standard, start) == draft


def test_a_new_process_standard_creates_its_policy(qm):
    created = services.standard_create(
        actor=qm, code="PS-VIP", category="process", name_zh="VIP 客户服务标准", name_en="VIP service standard"
    )
    draft = created.versions.get()
    services.clause_add(actor=qm, version=draft, number="1", title_zh="VIP", body_zh="VIP 客户优先处理。")
    services.sla_term_add(
        actor=qm,
        version=draft,
        policy_code="vip",
        name="VIP SLA",
        tier="vip",
        response_minutes=10,
        resolution_minutes=240,
        escalate_after_minutes=15,
    )
    services.version_submit(actor=qm, version=draft)
    services.version_approve(actor=qm, version=draft, effective_from=timezone.localdate())
    policy = SlaPolicy.objects.get(code="vip")
    assert (policy.version, policy.status, policy.tier, policy.escalate_after_minutes) == (
        1,
        PolicyStatus.EFFECTIVE,
        "vip",
        15,
    )
    assert draft.sla_terms.get().policy == policy
