"""The contingency-plan library: shipped plans, writing and retiring plans, recording drills, and
which plan red alerts link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.kpis import alert_defaults
from sqm.kpis.models import AlertRule, ContingencyDrill, ContingencyPlan
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import staff
from sqm.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY = "一、启动条件：排队超过 50 人。二、处置：召回备班、跨组支援。三、恢复后复盘。"


@pytest.fixture
def people():
    services.install_alert_defaults()
    return staff()


@pytest.fixture
def english(client_for):
    def make(user):
        client = client_for(user)
        client.cookies["sqm_language"] = "en"
        return client

    return make


def test_shipped_plans_and_rules_are_installed_once_and_edits_survive(people):
    assert set(ContingencyPlan.objects.values_list("scenario", flat=True)) >= {
        "resource_shortage",
        "system_outage",
        "mass_complaints",
        "public_opinion",
    }
    plan = ContingencyPlan.objects.get(code="mass-complaints")
    assert "专项工作组" in plan.body_zh and "Task force" in plan.body_en
    AlertRule.objects.filter(code="complaint_growth").update(params={"growth": "0.5"})
    assert services.install_alert_defaults() == (0, 0)
    assert AlertRule.objects.get(code="complaint_growth").params == {"growth": "0.5"}
    assert AlertRule.objects.count() >= len(alert_defaults.RULES)


def test_create_update_retire_restore_are_audited(people):
    qm = people["qm"]
    plan = services.plan_create(
        actor=qm, code="power-cut", scenario="other", title_zh="停电应急预案", title_en="Power cut", body_zh=BODY
    )
    services.plan_update(
        actor=qm,
        plan=plan,
        scenario="resource_shortage",
        title_zh="停电应急预案",
        title_en="Power cut",
        body_zh=BODY,
        owner=people["lead"],
    )
    services.plan_set_active(actor=qm, plan=plan, active=False)
    services.plan_set_active(actor=qm, plan=plan, active=True)
    actions = list(
        AuditEntry.objects.filter(object_type="kpis.contingencyplan", object_id=str(plan.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "retire", "restore"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "Power Cut"}, "code"),
        ({"code": "mass-complaints"}, "code"),
        ({"scenario": "flood"}, "scenario"),
        ({"title_zh": ""}, "title_zh"),
        ({"body_zh": "太短"}, "body_zh"),
    ],
)
def test_bad_plan_input_names_the_field(people, changes, field):
    values = {"code": "power-cut", "scenario": "other", "title_zh": "停电", "title_en": "Power cut", "body_zh": BODY}
    values.update(changes)
    with pytest.raises(DomainError) as caught:
        services.plan_create(actor=people["qm"], **values)
    assert list(caught.value.errors) == [field]


def test_only_quality_managers_write_plans(people):
    with pytest.raises(PermissionDeniedError):
        services.plan_create(
            actor=people["lead"], code="x", scenario="other", title_zh="停电", title_en="x", body_zh=BODY
        )


def test_a_retired_plan_is_not_linked_by_new_red_alerts(people):
    qm = people["qm"]
    outage = ContingencyPlan.objects.get(code="system-outage")
    services.plan_set_active(actor=qm, plan=outage, active=False)
    alert = services.alert_raise_major_incident(
        actor=people["lead"], title="电话系统故障", description="IVR 无法接通。", scenario="system_outage"
    )
    assert alert.contingency_plan is None
    newer = services.plan_create(
        actor=qm,
        code="outage-v2",
        scenario="system_outage",
        title_zh="系统故障应急预案（2027版）",
        title_en="Outage",
        body_zh=BODY,
    )
    alert2 = services.alert_raise_major_incident(
        actor=people["lead"], title="工单系统故障", description="无法登录。", scenario="system_outage"
    )
    assert alert2.contingency_plan == newer


def test_drills_are_recorded_after_they_happen(people):
    qm = people["qm"]
    plan = ContingencyPlan.objects.get(code="resource-shortage")
    today = timezone.localdate()
    with pytest.raises(DomainError) as caught:
        services.drill_record(
            actor=qm, plan=plan, held_on=today + dt.timedelta(days=1), participants="全员", findings="无"
        )
    assert list(caught.value.errors) == ["held_on"]
    with pytest.raises(DomainError) as caught:
        services.drill_record(actor=qm, plan=plan, held_on=today, participants="", findings="无")
    assert list(caught.value.errors) == ["participants"]
    drill = services.drill_record(
        actor=qm,
        plan=plan,
        held_on=today,
        participants="投诉处理组、咨询组",
        findings="备班召回用时 35 分钟。",
        follow_up="完善通讯录",
    )
    assert drill.recorded_by == qm
    with pytest.raises(PermissionDeniedError):
        services.drill_record(actor=people["lead"], plan=plan, held_on=today, participants="x", findings="y")


# --- pages --------------------------------------------------------------------------------------------


def test_library_pages_per_role(people, english):
    lead_page = english(people["lead"]).get("/kpis/plans/").content.decode()
    assert "Contingency plan: resource shortage" in lead_page and "New plan" not in lead_page
    plan = ContingencyPlan.objects.get(code="mass-complaints")
    detail = english(people["lead"]).get(f"/kpis/plans/{plan.pk}/").content.decode()
    assert "Task force" in detail and "Record a drill" not in detail
    zh = english(people["qm"])
    zh.cookies["sqm_language"] = "zh-hans"
    assert "专项工作组" in zh.get(f"/kpis/plans/{plan.pk}/").content.decode()
    assert english(UserFactory(role=Role.AGENT)).get(f"/kpis/plans/{plan.pk}/").status_code == 403


def test_quality_manager_writes_plans_and_drills_through_the_pages(people, english):
    client = english(people["qm"])
    bad = client.post(
        "/kpis/plans/new/",
        {"code": "Bad Code", "scenario": "other", "title_zh": "停电", "title_en": "Power", "body_zh": BODY},
    )
    assert bad.status_code == 400
    assert "lower-case letters" in str(bad.context["form"].errors["code"])
    created = client.post(
        "/kpis/plans/new/",
        {
            "code": "power-cut",
            "scenario": "other",
            "title_zh": "停电应急预案",
            "title_en": "Power cut",
            "body_zh": BODY,
        },
    )
    plan = ContingencyPlan.objects.get(code="power-cut")
    assert created["Location"] == f"/kpis/plans/{plan.pk}/"
    edit = client.post(
        f"/kpis/plans/{plan.pk}/edit/",
        {"scenario": "resource_shortage", "title_zh": "停电应急预案", "title_en": "Power outage", "body_zh": BODY},
    )
    assert edit.status_code == 302
    plan.refresh_from_db()
    assert plan.title_en == "Power outage" and plan.scenario == "resource_shortage"
    future = client.post(
        f"/kpis/plans/{plan.pk}/drills/new/", {"held_on": "2999-01-01", "participants": "全员", "findings": "无"}
    )
    assert future.status_code == 400 and "cannot be in the future" in str(
        future.context["drill_form"].errors["held_on"]
    )
    ok = client.post(
        f"/kpis/plans/{plan.pk}/drills/new/",
        {"held_on": "2026-05-20", "participants": "投诉处理组", "findings": "切换用时 6 分钟", "follow_up": ""},
    )
    assert ok.status_code == 302 and ContingencyDrill.objects.filter(plan=plan).count() == 1
    assert client.post(f"/kpis/plans/{plan.pk}/retire/").status_code == 302
    plan.refresh_from_db()
    assert not plan.is_active
    page = client.get(f"/kpis/plans/{plan.pk}/").content.decode()
    assert "Bring back into use" in page and "Record a drill" not in page
    assert client.post(f"/kpis/plans/{plan.pk}/restore/").status_code == 302
    assert ContingencyPlan.objects.get(pk=plan.pk).is_active
