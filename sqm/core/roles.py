"""Roles of DESIGN.md §1 and what each may do.

Every permission check in SQM asks :func:`can` with a capability; the table below is the one
place that says which roles hold which capability, and the permission-matrix test reads it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    QA_INSPECTOR = "qa_inspector", _("QA inspector")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    TRAINER = "trainer", _("Trainer")
    MYSTERY_SHOPPER = "mystery_shopper", _("Mystery shopper")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER, Role.MYSTERY_SHOPPER}


class Cap(models.TextChoices):
    """Capabilities: the verbs a role may perform."""

    ORG_VIEW = "org.view", _("See people, teams and skills")
    ORG_MANAGE = "org.manage", _("Manage people, teams and skills")
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    AUDIT_VERIFY = "audit.verify", _("Verify the audit chain")


CAPABILITIES: dict[Cap, frozenset[Role]] = {
    Cap.ORG_VIEW: frozenset(
        {Role.ADMIN, Role.QUALITY_MANAGER, Role.TEAM_LEAD, Role.TRAINER, Role.QA_INSPECTOR, Role.AUDITOR}
    ),
    Cap.ORG_MANAGE: frozenset({Role.ADMIN}),
    Cap.AUDIT_VIEW: frozenset({Role.AUDITOR, Role.ADMIN}),
    Cap.AUDIT_VERIFY: frozenset({Role.AUDITOR, Role.ADMIN}),
}


def can(user: Any, cap: Cap) -> bool:
    """True when ``user`` is signed in, active and holds ``cap`` through its role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in CAPABILITIES[cap]
