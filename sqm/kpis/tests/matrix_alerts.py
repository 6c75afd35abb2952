"""Permission-matrix rows of the alert and contingency-plan pages and API (merged by
sqm/core/tests/test_permission_matrix.py).

``refresh`` puts the alert back to open before every call; the body factories of the lifecycle
operations first move it into the state the operation needs (acknowledged and owned by the
caller for a plan, a plan written by someone else for verifying), so every role holding the
capability succeeds and every other role gets 403.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import Page

PLAN_TEXT = "原因：排班不足。措施：增加备班坐席并每日复盘，月底前完成。"


def prepare(w: SimpleNamespace) -> None:
    from sqm.kpis.models import AlertRule
    from sqm.kpis.services.alerts import install_alert_defaults
    from sqm.kpis.tests.alert_factories import AlertFactory, PlanFactory
    from sqm.org.tests.factories import UserFactory

    install_alert_defaults()
    w.alert_rule = AlertRule.objects.get(code="complaint_growth")
    w.alert = AlertFactory(rule=w.alert_rule, level="yellow")
    w.alert_planner = UserFactory(role=Role.QUALITY_MANAGER, username="matrix-planner")
    w.alert_owner = UserFactory(role=Role.TEAM_LEAD, username="matrix-owner")
    w.alert_caller = None
    w.contingency_plan = PlanFactory()


def refresh(w: SimpleNamespace) -> None:
    from sqm.kpis.models import Alert, AlertStatus

    Alert.objects.filter(pk=w.alert.pk).update(
        status=AlertStatus.OPEN,
        owner=None,
        plan="",
        plan_submitted_at=None,
        plan_submitted_by=None,
        verified_by=None,
        verified_at=None,
        closed_at=None,
    )
    if not w.contingency_plan.__class__.objects.filter(pk=w.contingency_plan.pk, is_active=True).exists():
        w.contingency_plan.__class__.objects.filter(pk=w.contingency_plan.pk).update(is_active=True)


def path_params(w: SimpleNamespace, user: Any) -> dict[str, Any]:
    w.alert_caller = user
    return {"alert_id": w.alert.pk, "contingency_plan_id": w.contingency_plan.pk}


def _state(w: SimpleNamespace, status: str, body: dict[str, Any]) -> dict[str, Any]:
    from django.utils import timezone

    from sqm.kpis.models import Alert, AlertStatus

    now = timezone.now()
    changes: dict[str, Any] = {"status": status, "owner": w.alert_caller}
    if status in (AlertStatus.PLAN_SUBMITTED, AlertStatus.VERIFIED):
        changes |= {"plan": PLAN_TEXT, "plan_submitted_at": now, "plan_submitted_by": w.alert_planner}
    if status == AlertStatus.VERIFIED:
        changes |= {"verified_by": w.alert_planner, "verified_at": now}
    Alert.objects.filter(pk=w.alert.pk).update(**changes)
    return body


A = "/api/kpis/alerts"
P = "/api/kpis/plans"

PAGES = {
    "kpis:alert_list": Page(Cap.ALERT_VIEW),
    "kpis:alert_detail": Page(Cap.ALERT_VIEW, kwargs=lambda w, u: {"pk": w.alert.pk}),
    "kpis:alert_acknowledge": Page(Cap.ALERT_HANDLE, "POST", lambda w, u: {"pk": w.alert.pk}),
    "kpis:alert_assign": Page(Cap.ALERT_HANDLE, "POST", lambda w, u: {"pk": w.alert.pk}),
    "kpis:alert_plan": Page(Cap.ALERT_HANDLE, "POST", lambda w, u: {"pk": w.alert.pk}),
    "kpis:alert_verify": Page(Cap.ALERT_VERIFY, "POST", lambda w, u: {"pk": w.alert.pk}),
    "kpis:alert_reopen": Page(Cap.ALERT_VERIFY, "POST", lambda w, u: {"pk": w.alert.pk}),
    "kpis:alert_close": Page(Cap.ALERT_VERIFY, "POST", lambda w, u: {"pk": w.alert.pk}),
    "kpis:alert_major_incident": Page(Cap.ALERT_HANDLE),
    "kpis:alert_rule_list": Page(Cap.ALERT_VIEW),
    "kpis:alert_rule_create": Page(Cap.ALERT_VERIFY),
    "kpis:alert_rule_edit": Page(Cap.ALERT_VERIFY, kwargs=lambda w, u: {"pk": w.alert_rule.pk}),
    "kpis:plan_list": Page(Cap.ALERT_VIEW),
    "kpis:plan_create": Page(Cap.ALERT_VERIFY),
    "kpis:plan_detail": Page(Cap.ALERT_VIEW, kwargs=lambda w, u: {"pk": w.contingency_plan.pk}),
    "kpis:plan_edit": Page(Cap.ALERT_VERIFY, kwargs=lambda w, u: {"pk": w.contingency_plan.pk}),
    "kpis:plan_retire": Page(Cap.ALERT_VERIFY, "POST", lambda w, u: {"pk": w.contingency_plan.pk}),
    "kpis:plan_restore": Page(Cap.ALERT_VERIFY, "POST", lambda w, u: {"pk": w.contingency_plan.pk}),
    "kpis:plan_drill_create": Page(Cap.ALERT_VERIFY, "POST", lambda w, u: {"pk": w.contingency_plan.pk}),
}

API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("GET", A): (Cap.ALERT_VIEW, None),
    ("POST", A + "/major-incidents"): (
        Cap.ALERT_HANDLE,
        lambda w: {"title": "电话系统故障", "description": "IVR 无法接通，已通知运营商。", "scenario": "system_outage"},
    ),
    ("GET", A + "/{alert_id}"): (Cap.ALERT_VIEW, None),
    ("POST", A + "/{alert_id}/acknowledge"): (Cap.ALERT_HANDLE, None),
    ("POST", A + "/{alert_id}/assign"): (Cap.ALERT_HANDLE, lambda w: {"owner_id": w.alert_owner.pk}),
    ("POST", A + "/{alert_id}/plan"): (Cap.ALERT_HANDLE, lambda w: _state(w, "acknowledged", {"plan": PLAN_TEXT})),
    ("POST", A + "/{alert_id}/verify"): (Cap.ALERT_VERIFY, lambda w: _state(w, "plan_submitted", {"note": "已核实"})),
    ("POST", A + "/{alert_id}/reopen"): (
        Cap.ALERT_VERIFY,
        lambda w: _state(w, "plan_submitted", {"note": "措施未落实"}),
    ),
    ("POST", A + "/{alert_id}/close"): (Cap.ALERT_VERIFY, lambda w: _state(w, "verified", {})),
    ("GET", P): (Cap.ALERT_VIEW, None),
    ("POST", P): (
        Cap.ALERT_VERIFY,
        lambda w: {
            "code": f"matrix-plan-{w.counter()}",
            "scenario": "other",
            "title_zh": "停电应急预案",
            "title_en": "Power cut",
            "body_zh": "一、启用备用电源；二、切换到异地坐席；三、通报客户。",
        },
    ),
    ("GET", P + "/{contingency_plan_id}"): (Cap.ALERT_VIEW, None),
    ("PATCH", P + "/{contingency_plan_id}"): (
        Cap.ALERT_VERIFY,
        lambda w: {"title_en": f"Mass complaints v{w.counter()}"},
    ),
    ("POST", P + "/{contingency_plan_id}/drills"): (
        Cap.ALERT_VERIFY,
        lambda w: {"held_on": "2026-06-18", "participants": "投诉处理组全员", "findings": "口径下发用时 40 分钟。"},
    ),
}
