"""The alert pages per role: list with filters (pinned query count), detail with evidence,
timeline and the actions a role may take, the major-incident form and rule editing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.roles import Role
from sqm.kpis.models import Alert, AlertLevel, AlertRule, AlertStatus, Dimension, RuleKind
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import AlertFactory, staff
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

PLAN = "原因：周末排班不足。措施：增加两名备班坐席，每日复盘投诉，月底前完成。"


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


@pytest.fixture
def alert(people):
    return AlertFactory(
        rule=AlertRule.objects.get(code="complaint_growth"),
        level=AlertLevel.YELLOW,
        dimension=Dimension.TEAM,
        key=str(people["team"].pk),
        evidence={
            "kind": "complaint_growth",
            "this_week": 13,
            "last_week": 10,
            "growth": "0.3000",
            "period": "2026-11-16",
            "previous": "2026-11-09",
            "threshold": "0.30",
        },
    )


def test_list_filters_and_shows_scope(people, english, alert):
    red = AlertFactory(level=AlertLevel.RED, status=AlertStatus.ACKNOWLEDGED, owner=people["lead"])
    AlertFactory(level=AlertLevel.ORANGE, status=AlertStatus.CLOSED)
    client = english(people["qm"])
    page = client.get("/kpis/alerts/").content.decode()
    assert "Complaints up 30 % week on week: 13" in page and "Team · 投诉处理组" in page
    only_red = client.get("/kpis/alerts/?level=red").content.decode()
    assert f"/kpis/alerts/{red.pk}/" in only_red and f"/kpis/alerts/{alert.pk}/" not in only_red
    active = client.get("/kpis/alerts/?status=active").context["rows"]
    assert {r["alert"].pk for r in active} == {alert.pk, red.pk}
    mine = english(people["lead"]).get("/kpis/alerts/?mine=on").context["rows"]
    assert [r["alert"].pk for r in mine] == [red.pk]
    Alert.objects.filter(pk=alert.pk).update(plan_due_at=timezone.now() - dt.timedelta(hours=1))
    overdue = client.get("/kpis/alerts/?overdue=on")
    assert [r["alert"].pk for r in overdue.context["rows"]] == [alert.pk]
    assert "overdue" in overdue.content.decode()
    assert client.get("/kpis/alerts/?level=purple&status=nonsense").status_code == 200


def test_list_query_count_does_not_grow(people, client_for, django_assert_max_num_queries):
    teams = [TeamFactory() for _ in range(3)]
    categories = [CategoryFactory() for _ in range(3)]
    for i in range(40):
        AlertFactory(
            dimension=Dimension.TEAM if i % 2 else Dimension.CATEGORY,
            key=str((teams if i % 2 else categories)[i % 3].pk),
            owner=people["lead"] if i % 3 else None,
        )
    client = client_for(people["qm"])
    client.get("/kpis/alerts/")
    # session, user, summary counts, page count, page rows, team names, category names
    with django_assert_max_num_queries(8):
        response = client.get("/kpis/alerts/?status=active&mine=")
    assert len(response.context["rows"]) == 40


@pytest.mark.parametrize("role", [Role.AGENT, Role.TRAINER, Role.CUSTOMER])
def test_roles_without_alert_view_get_403(people, client_for, alert, role):
    client = client_for(UserFactory(role=role))
    assert client.get("/kpis/alerts/").status_code == 403
    assert client.get(f"/kpis/alerts/{alert.pk}/").status_code == 403
    assert client.get("/kpis/plans/").status_code == 403


def test_detail_shows_actions_by_role(people, english, alert):
    lead_page = english(people["lead"]).get(f"/kpis/alerts/{alert.pk}/").content.decode()
    assert "Acknowledge and take ownership" in lead_page
    assert "Complaints this week" in lead_page and "30.0 %" in lead_page
    auditor = UserFactory(role=Role.AUDITOR)
    auditor_page = english(auditor).get(f"/kpis/alerts/{alert.pk}/").content.decode()
    assert "Acknowledge and take ownership" not in auditor_page and "Complaints this week" in auditor_page
    assert english(auditor).post(f"/kpis/alerts/{alert.pk}/acknowledge/").status_code == 403


def test_acknowledge_plan_verify_close_through_the_pages(people, english, alert):
    lead, qm = english(people["lead"]), english(people["qm"])
    assert lead.post(f"/kpis/alerts/{alert.pk}/acknowledge/").status_code == 302
    short = lead.post(f"/kpis/alerts/{alert.pk}/plan/", {"plan": "加人"})
    assert short.status_code == 400
    assert "Write the rectification plan in at least 20 characters" in short.content.decode()
    assert lead.post(f"/kpis/alerts/{alert.pk}/plan/", {"plan": PLAN}).status_code == 302
    page = qm.get(f"/kpis/alerts/{alert.pk}/").content.decode()
    assert "Verify the rectification" in page and PLAN in page
    assert qm.post(f"/kpis/alerts/{alert.pk}/verify/", {"verify-note": "已核实"}).status_code == 302
    assert qm.post(f"/kpis/alerts/{alert.pk}/close/", {"close-note": ""}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.verification_note == "已核实"
    timeline = qm.get(f"/kpis/alerts/{alert.pk}/").content.decode()
    for label in ("Acknowledged", "Rectification plan submitted", "Verified", "Closed"):
        assert label in timeline


def test_the_plan_author_sees_why_they_cannot_verify(people, english, alert):
    qm = english(people["qm"])
    qm.post(f"/kpis/alerts/{alert.pk}/acknowledge/")
    qm.post(f"/kpis/alerts/{alert.pk}/plan/", {"plan": PLAN})
    page = qm.get(f"/kpis/alerts/{alert.pk}/").content.decode()
    assert "You wrote this plan; another quality manager must verify it." in page
    response = qm.post(f"/kpis/alerts/{alert.pk}/verify/", {"verify-note": ""})
    assert response.status_code == 400 and "separation of duties" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.PLAN_SUBMITTED


def test_forbidden_transition_from_the_page_is_a_message_not_an_error(people, english, alert):
    response = english(people["qm"]).post(f"/kpis/alerts/{alert.pk}/close/", {"close-note": ""})
    assert response.status_code == 400
    assert "An alert is closed only with a verified rectification plan." in response.content.decode()
    again = english(people["lead"])
    again.post(f"/kpis/alerts/{alert.pk}/acknowledge/")
    second = english(people["lead2"]).post(f"/kpis/alerts/{alert.pk}/acknowledge/", follow=True)
    assert "already being handled" in second.content.decode()


def test_reopen_needs_a_reason(people, english, alert):
    services.alert_acknowledge(actor=people["lead"], alert=alert)
    services.alert_plan_submit(actor=people["lead"], alert=alert, plan=PLAN)
    qm = english(people["qm"])
    assert qm.post(f"/kpis/alerts/{alert.pk}/reopen/", {"reopen-note": ""}).status_code == 400
    assert qm.post(f"/kpis/alerts/{alert.pk}/reopen/", {"reopen-note": "没有责任人"}).status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED


def test_assign_form_offers_alert_handlers_only(people, english, alert):
    client = english(people["lead"])
    agent = UserFactory(role=Role.AGENT)
    bad = client.post(f"/kpis/alerts/{alert.pk}/assign/", {"owner": agent.pk})
    assert bad.status_code == 400
    assert client.post(f"/kpis/alerts/{alert.pk}/assign/", {"owner": people["lead2"].pk}).status_code == 302
    assert Alert.objects.get(pk=alert.pk).owner == people["lead2"]


def test_raise_major_incident_from_the_form(people, english):
    client = english(people["lead"])
    assert client.get("/kpis/alerts/major-incident/").status_code == 200
    bad = client.post(
        "/kpis/alerts/major-incident/", {"title": "宕机", "description": "详情", "scenario": "system_outage"}
    )
    assert bad.status_code == 400 and "at least 4 characters" in bad.content.decode()
    response = client.post(
        "/kpis/alerts/major-incident/",
        {"title": "舆情：微博投诉被大量转发", "description": "10:20 发现，转发已过千。", "scenario": "public_opinion"},
    )
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kpis/alerts/{alert.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Contingency plan: public-opinion incident" in page and "Task force" in page
    assert english(UserFactory(role=Role.AUDITOR)).get("/kpis/alerts/major-incident/").status_code == 403


# --- rules --------------------------------------------------------------------------------------------


def test_rule_list_for_readers_and_editors(people, english):
    page = english(people["lead"]).get("/kpis/alerts/rules/").content.decode()
    assert "Complaints up 30 % week on week" in page and "Week-on-week growth" in page and "/edit/" not in page
    assert "/edit/" in english(people["qm"]).get("/kpis/alerts/rules/").content.decode()


def _rule_form(rule: AlertRule, **changes):
    from sqm.kpis.alerting import PARAMS

    data = {
        "name_zh": rule.name_zh,
        "name_en": rule.name_en,
        "level": rule.level,
        "plan_due_days": rule.plan_due_days,
        "is_active": "on",
        **{spec.name: rule.params.get(spec.name, spec.default) for spec in PARAMS[rule.kind]},
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"growth": "0"}, "Week-on-week growth must be greater than 0"),
        ({"growth": "三十"}, "Week-on-week growth must be a number"),
        ({"min_count": "0"}, "Minimum complaints this week must be between 1"),
        ({"plan_due_days": "0"}, "The plan must be due within 1 to 90 days."),
    ],
)
def test_rule_edit_rejects_bad_parameters_next_to_the_field(people, english, changes, message):
    rule = AlertRule.objects.get(code="complaint_growth")
    response = english(people["qm"]).post(f"/kpis/alerts/rules/{rule.pk}/edit/", _rule_form(rule, **changes))
    assert response.status_code == 400
    field = next(iter(changes))
    assert message in str(response.context["form"].errors[field])
    rule.refresh_from_db()
    assert rule.params["growth"] == "0.30"


def test_rule_edit_saves_and_audits(people, english):
    rule = AlertRule.objects.get(code="complaint_growth")
    response = english(people["qm"]).post(
        f"/kpis/alerts/rules/{rule.pk}/edit/", _rule_form(rule, growth="0.5", min_count="20", plan_due_days="2")
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params["growth"] == "0.5" and rule.params["min_count"] == 20 and rule.plan_due_days == 2
    entry = AuditEntry.objects.filter(object_type="kpis.alertrule", object_id=str(rule.pk)).latest("seq")
    assert entry.changes["plan_due_days"] == {"before": 3, "after": 2}
    assert english(people["lead"]).get(f"/kpis/alerts/rules/{rule.pk}/edit/").status_code == 403


def test_threshold_rule_has_no_level_field_and_a_new_one_needs_a_standard(people, english):
    threshold = AlertRule.objects.get(code="threshold")
    form = english(people["qm"]).get(f"/kpis/alerts/rules/{threshold.pk}/edit/").context["form"]
    assert "level" not in form.fields and "grain" in form.fields
    response = english(people["qm"]).post(
        "/kpis/alerts/rules/new/",
        {"code": "std-daily", "name_zh": "按日", "name_en": "Daily", "kind": RuleKind.THRESHOLD, "plan_due_days": 3},
    )
    assert response.status_code == 400
    assert "Name the standard this threshold rule judges." in str(response.context["form"].errors["standard"])
    created = english(people["qm"]).post(
        "/kpis/alerts/rules/new/",
        {
            "code": "p-fcr",
            "name_zh": "一次解决率控制图",
            "name_en": "FCR p-chart",
            "kind": RuleKind.P_CHART,
            "level": "orange",
            "plan_due_days": 5,
        },
    )
    rule = AlertRule.objects.get(code="p-fcr")
    assert created["Location"] == f"/kpis/alerts/rules/{rule.pk}/edit/"
    assert rule.params["metric"] == "csat" and rule.params["min_volume"] == 30
