"""SLA terms of process standards are ticket SLA policies (docs/standards.md, "SLA policies are
standards"): approving a version makes each of its terms a version of the policy of the term's
code, in effect from the version's date, through the SLA module's own services (so the policy
page, the audit trail and the ticket clocks see an ordinary policy version)."""

from __future__ import annotations

from typing import Any

from sqm.audit.services import audit_append
from sqm.standards.models import SlaTerm, StandardVersion


def term_matches(term: SlaTerm, policy: Any) -> bool:
    """Whether ``policy`` promises exactly what ``term`` does (then the term links it, no duplicate)."""
    return (
        term.ticket_type == policy.ticket_type
        and term.priority == policy.priority
        and (term.tier or None) == policy.tier
        and term.response_minutes == policy.response_minutes
        and term.resolution_minutes == policy.resolution_minutes
        and float(term.warn_fraction) == float(policy.warn_fraction)
        and term.escalate_after_minutes == policy.escalate_after_minutes
        and term.calendar_id == policy.calendar_id
    )


def _policy_for(term: SlaTerm, version: StandardVersion, actor: Any) -> Any:
    """The policy version in force of the term's code when its targets are the same; otherwise a
    new version of that code, published from the standard version's date."""
    from sqm.tickets.models import PolicyStatus, SlaPolicy
    from sqm.tickets.sla.services import policy_draft_save, policy_publish

    assert version.effective_from is not None
    current = (
        SlaPolicy.objects.filter(code=term.policy_code, status=PolicyStatus.EFFECTIVE).order_by("-version").first()
    )
    if current is not None and term_matches(term, current):
        return current
    draft = policy_draft_save(
        actor=actor,
        code=term.policy_code,
        name=term.name,
        effective_from=version.effective_from,
        response_minutes=term.response_minutes,
        resolution_minutes=term.resolution_minutes,
        ticket_type=term.ticket_type,
        priority=term.priority,
        tier=term.tier or None,
        warn_fraction=float(term.warn_fraction),
        escalate_after_minutes=term.escalate_after_minutes,
        calendar=term.calendar,
    )
    return policy_publish(actor=actor, policy=draft)


def fold_sla_terms(version: StandardVersion, actor: Any) -> None:
    """Link each SLA term of an approved version to the ticket SLA policy version it runs under
    (inside the approval's transaction; audited on the term)."""
    for term in version.sla_terms.select_related("calendar").order_by("policy_code"):
        policy = _policy_for(term, version, actor)
        term.policy = policy
        term.save(update_fields=["policy"])
        audit_append(
            actor=actor,
            action="link_policy",
            target=term,
            changes={"policy": {"before": None, "after": f"{policy.code} v{policy.version}"}},
        )
