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
    TICKET_VIEW = "ticket.view", _("See all tickets and queues")
    TICKET_WORK = "ticket.work", _("Work tickets: log contacts, reply, move them on")
    TICKET_ASSIGN = "ticket.assign", _("Reassign and transfer tickets")
    PROCESS_MANAGE = "process.manage", _("Edit process definitions and canned replies")
    KB_VIEW = "kb.view", _("Read the knowledge base")
    KB_MANAGE = "kb.manage", _("Write knowledge-base articles")
    CALENDAR_MANAGE = "calendar.manage", _("Manage working calendars, holidays and make-up days")
    STANDARD_VIEW = "standard.view", _("Read the service standards and SOPs")
    STANDARD_PROPOSE = "standard.propose", _("Propose changes to service standards")
    STANDARD_EDIT = "standard.edit", _("Draft service-standard versions")
    STANDARD_APPROVE = "standard.approve", _("Approve service-standard versions and proposals")
    KPI_VIEW = "kpi.view", _("See the KPI dashboard (own figures at least)")
    KPI_VIEW_CENTRE = "kpi.view_centre", _("See KPIs of every team and agent")
    KPI_REBUILD = "kpi.rebuild", _("Rebuild KPI rollups")
    ALERT_VIEW = "alert.view", _("See alerts")
    ALERT_HANDLE = "alert.handle", _("Acknowledge alerts and submit rectification plans")
    ALERT_VERIFY = "alert.verify", _("Verify and close alerts; manage alert rules and contingency plans")
    INSPECTION_VIEW = "inspection.view", _("See QA inspection results, plans and calibrations (team leads: their team)")
    INSPECTION_PERFORM = "inspection.perform", _("Score QA inspections, take part in calibration and decide appeals")
    INSPECTION_MANAGE = "inspection.manage", _("Manage QA scorecards, sampling plans and calibration sessions")
    INSPECTION_APPEAL = "inspection.appeal", _("See own QA results and appeal them")
    FEEDBACK_RATE = "feedback.rate", _("Rate the service on one's own resolved tickets")
    FEEDBACK_MODERATE = "feedback.moderate", _("Exclude abusive ratings from the KPIs")
    SURVEY_VIEW = "survey.view", _("See customer surveys and their results")
    SURVEY_MANAGE = "survey.manage", _("Build, open, close and distribute customer surveys")
    RETURN_VISIT_VIEW = "return_visit.view", _("See return visits (agents: their own)")
    RETURN_VISIT_RECORD = "return_visit.record", _("Make the return-visit calls assigned to oneself and record them")
    MYSTERY_VISIT_VIEW = "mystery_visit.view", _("See mystery-shopper visits (mystery shoppers: their own)")
    MYSTERY_VISIT_RECORD = "mystery_visit.record", _("Score service encounters as a mystery shopper")
    MYSTERY_VISIT_REVIEW = "mystery_visit.review", _("Review mystery-shopper visits")
    FEEDBACK_MANAGE = "feedback.manage", _("Manage QR rating codes and the complaint rule")


CAPABILITIES: dict[Cap, frozenset[Role]] = {
    Cap.ORG_VIEW: frozenset(
        {Role.ADMIN, Role.QUALITY_MANAGER, Role.TEAM_LEAD, Role.TRAINER, Role.QA_INSPECTOR, Role.AUDITOR}
    ),
    Cap.ORG_MANAGE: frozenset({Role.ADMIN}),
    Cap.AUDIT_VIEW: frozenset({Role.AUDITOR, Role.ADMIN}),
    Cap.AUDIT_VERIFY: frozenset({Role.AUDITOR, Role.ADMIN}),
    Cap.TICKET_VIEW: frozenset(
        {Role.AGENT, Role.TEAM_LEAD, Role.QA_INSPECTOR, Role.QUALITY_MANAGER, Role.AUDITOR, Role.ADMIN}
    ),
    Cap.TICKET_WORK: frozenset({Role.AGENT, Role.TEAM_LEAD, Role.QUALITY_MANAGER, Role.ADMIN}),
    Cap.TICKET_ASSIGN: frozenset({Role.TEAM_LEAD, Role.QUALITY_MANAGER, Role.ADMIN}),
    Cap.PROCESS_MANAGE: frozenset({Role.QUALITY_MANAGER, Role.ADMIN}),
    Cap.KB_VIEW: frozenset(STAFF_ROLES),
    Cap.KB_MANAGE: frozenset({Role.TEAM_LEAD, Role.QUALITY_MANAGER, Role.TRAINER, Role.ADMIN}),
    Cap.CALENDAR_MANAGE: frozenset({Role.ADMIN, Role.QUALITY_MANAGER}),
    Cap.STANDARD_VIEW: frozenset(STAFF_ROLES),
    Cap.STANDARD_PROPOSE: frozenset(STAFF_ROLES - {Role.AUDITOR}),
    Cap.STANDARD_EDIT: frozenset({Role.QUALITY_MANAGER, Role.ADMIN}),
    Cap.STANDARD_APPROVE: frozenset({Role.QUALITY_MANAGER}),
    Cap.KPI_VIEW: frozenset(STAFF_ROLES),
    Cap.KPI_VIEW_CENTRE: frozenset(
        {Role.TEAM_LEAD, Role.QA_INSPECTOR, Role.QUALITY_MANAGER, Role.TRAINER, Role.AUDITOR, Role.ADMIN}
    ),
    Cap.KPI_REBUILD: frozenset({Role.ADMIN}),
    Cap.ALERT_VIEW: frozenset({Role.TEAM_LEAD, Role.QA_INSPECTOR, Role.QUALITY_MANAGER, Role.AUDITOR, Role.ADMIN}),
    Cap.ALERT_HANDLE: frozenset({Role.TEAM_LEAD, Role.QUALITY_MANAGER}),
    Cap.ALERT_VERIFY: frozenset({Role.QUALITY_MANAGER}),
    Cap.INSPECTION_VIEW: frozenset(
        {Role.TEAM_LEAD, Role.QA_INSPECTOR, Role.QUALITY_MANAGER, Role.TRAINER, Role.AUDITOR, Role.ADMIN}
    ),
    Cap.INSPECTION_PERFORM: frozenset({Role.QA_INSPECTOR, Role.QUALITY_MANAGER}),
    Cap.INSPECTION_MANAGE: frozenset({Role.QUALITY_MANAGER}),
    Cap.INSPECTION_APPEAL: frozenset({Role.AGENT, Role.TEAM_LEAD}),
    Cap.FEEDBACK_RATE: frozenset({Role.CUSTOMER}),
    Cap.FEEDBACK_MODERATE: frozenset({Role.QUALITY_MANAGER}),
    Cap.SURVEY_VIEW: frozenset({Role.TEAM_LEAD, Role.QA_INSPECTOR, Role.QUALITY_MANAGER, Role.AUDITOR, Role.ADMIN}),
    Cap.SURVEY_MANAGE: frozenset({Role.QUALITY_MANAGER}),
    Cap.RETURN_VISIT_VIEW: frozenset({Role.AGENT, Role.TEAM_LEAD, Role.QUALITY_MANAGER, Role.AUDITOR, Role.ADMIN}),
    Cap.RETURN_VISIT_RECORD: frozenset({Role.AGENT}),
    Cap.MYSTERY_VISIT_VIEW: frozenset(
        {Role.MYSTERY_SHOPPER, Role.TEAM_LEAD, Role.QA_INSPECTOR, Role.QUALITY_MANAGER, Role.AUDITOR, Role.ADMIN}
    ),
    Cap.MYSTERY_VISIT_RECORD: frozenset({Role.MYSTERY_SHOPPER}),
    Cap.MYSTERY_VISIT_REVIEW: frozenset({Role.QUALITY_MANAGER}),
    Cap.FEEDBACK_MANAGE: frozenset({Role.QUALITY_MANAGER, Role.ADMIN}),
}


def can(user: Any, cap: Cap) -> bool:
    """True when ``user`` is signed in, active and holds ``cap`` through its role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in CAPABILITIES[cap]
