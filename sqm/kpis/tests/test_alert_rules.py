"""Each alert rule on hand-written rollups and tickets: what it raises, at which level, and that
the same condition never raises a second alert while one is open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from sqm.core.roles import Role
from sqm.kpis.models import (
    Alert,
    AlertEvent,
    AlertLevel,
    AlertRule,
    AlertStatus,
    Dimension,
    Grain,
    RuleKind,
)
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import (
    NOW,
    PREV_WEEK,
    WEEK,
    AlertRuleFactory,
    fact,
    indicator,
    only_rules,
    retire_other_standards,
    rollup,
    staff,
    weeks_before,
)
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import Notification
from sqm.tickets.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    services.install_alert_defaults()
    retire_other_standards()
    return staff()


def rule(code: str) -> AlertRule:
    found = AlertRule.objects.get(code=code)
    only_rules(found)
    return found


def notices(user, kind: str = "") -> list[Notification]:
    rows = Notification.objects.filter(user=user).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


# --- thresholds -------------------------------------------------------------------------------------


def test_indicator_below_its_yellow_threshold_raises_a_yellow_alert(people):
    threshold = rule("threshold")
    ind = indicator(target="90", yellow="85", orange="80", red="75", min_volume=30)
    rollup("csat", WEEK, 164, 200)  # 82.0 %
    result = services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert result.raised == [alert.pk]
    assert alert.level == AlertLevel.YELLOW and alert.status == AlertStatus.OPEN
    assert alert.condition_key == f"threshold:{ind.version.standard.code}:csat:centre:"
    assert alert.period_start == WEEK and alert.standard_version_id == ind.version_id
    assert alert.plan_due_at == NOW + dt.timedelta(days=threshold.plan_due_days)
    assert alert.evidence["value"] == "82.0" and alert.evidence["threshold"] == "85"
    with translation.override("en"):
        assert "82.0 % in the period from 2026-11-16" in alert.display_title
        assert "Yellow threshold 85 reached (target 90)" in alert.display_title
    assert [e.kind for e in alert.events.all()] == ["raised"]
    assert len(notices(people["qm"], "alert_raised")) == 1


@pytest.mark.parametrize(("num", "level"), [(170, AlertLevel.YELLOW), (160, AlertLevel.ORANGE), (150, AlertLevel.RED)])
def test_worst_threshold_reached_decides_the_level(people, num, level):
    rule("threshold")
    indicator(target="90", yellow="85", orange="80", red="75")
    rollup("csat", WEEK, num, 200)  # 85.0, 80.0, 75.0 — each exactly on a threshold
    services.alerts_evaluate(NOW)
    assert Alert.objects.get().level == level


def test_periods_with_too_few_cases_are_not_judged(people):
    rule("threshold")
    indicator(min_volume=30)
    rollup("csat", WEEK, 10, 29)  # 34 % but only 29 ratings
    assert services.alerts_evaluate(NOW).raised == []
    rollup("csat", WEEK + dt.timedelta(days=7), 50, 100)  # the current, incomplete week is not judged
    assert services.alerts_evaluate(NOW).raised == []


def test_team_scoped_indicator_is_judged_per_team_and_tells_the_team_lead(people):
    rule("threshold")
    other = TeamFactory(name="咨询组", code="INF")
    indicator(scope="team", min_volume=30)
    rollup("csat", WEEK, 90, 100, dimension=Dimension.TEAM, key=people["team"].pk)  # 90 %: fine
    rollup("csat", WEEK, 70, 100, dimension=Dimension.TEAM, key=other.pk)  # 70 %: red
    rollup("csat", WEEK, 160, 200)  # centre 80 %: not judged, the indicator is per team
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert (alert.dimension, alert.key, alert.level) == (Dimension.TEAM, str(other.pk), AlertLevel.RED)
    with translation.override("en"):
        assert "Team 咨询组" in alert.display_title
    other.lead = people["lead2"]
    other.save()
    rollup("csat", WEEK, 60, 100, dimension=Dimension.TEAM, key=people["team"].pk)
    services.alerts_evaluate(NOW)
    second = Alert.objects.get(key=str(people["team"].pk))
    assert notices(people["lead"], "alert_raised")[0].link == f"/kpis/alerts/{second.pk}/"


def test_scope_key_names_one_team_by_code(people):
    rule("threshold")
    indicator(scope="team", scope_key="CMP")
    other = TeamFactory()
    rollup("csat", WEEK, 50, 100, dimension=Dimension.TEAM, key=other.pk)
    rollup("csat", WEEK, 70, 100, dimension=Dimension.TEAM, key=people["team"].pk)
    services.alerts_evaluate(NOW)
    assert list(Alert.objects.values_list("key", flat=True)) == [str(people["team"].pk)]


def test_a_standard_specific_threshold_rule_takes_its_standard_over(people):
    general = rule("threshold")
    ind = indicator()
    rollup("csat", WEEK, 150, 200)
    muted = AlertRuleFactory(
        kind=RuleKind.THRESHOLD, level="", standard=ind.version.standard, params={"grain": "week"}, is_active=False
    )
    assert services.alerts_evaluate(NOW).raised == []  # the inactive specific rule mutes the standard
    muted.is_active, muted.params = True, {"grain": "day"}
    muted.save()
    rollup("csat", dt.date(2026, 11, 24), 10, 40, grain=Grain.DAY)  # yesterday: 25 %
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert alert.rule == muted and alert.period_start == dt.date(2026, 11, 24)
    assert general.alerts.count() == 0


# --- de-duplication and level escalation -------------------------------------------------------------


def test_same_condition_never_raises_a_second_alert_while_one_is_open(people):
    rule("threshold")
    indicator()
    rollup("csat", WEEK, 164, 200)
    services.alerts_evaluate(NOW)
    again = services.alerts_evaluate(NOW + dt.timedelta(minutes=5))
    assert again.raised == [] and again.unchanged == 1
    assert Alert.objects.count() == 1
    assert len(notices(people["qm"])) == 1, "notified once"


def test_worse_level_raises_the_open_alert_instead_of_a_new_one(people):
    rule("threshold")
    indicator()
    rollup("csat", WEEK, 164, 200)  # 82 % yellow
    services.alerts_evaluate(NOW)
    rollup("csat", WEEK, 148, 200)  # late ratings: 74 % red
    result = services.alerts_evaluate(NOW + dt.timedelta(minutes=5))
    alert = Alert.objects.get()
    assert result.level_raised == [alert.pk] and result.raised == []
    assert alert.level == AlertLevel.RED and alert.evidence["value"] == "74.0"
    assert [e.kind for e in alert.events.order_by("id")] == ["raised", "level_raised"]
    assert [n.kind for n in notices(people["qm"])] == ["alert_raised", "alert_level_raised"]
    rollup("csat", WEEK, 160, 200)  # better again: the level never goes down by itself
    services.alerts_evaluate(NOW + dt.timedelta(minutes=10))
    services.alerts_evaluate(NOW + dt.timedelta(minutes=15))
    alert.refresh_from_db()
    assert alert.level == AlertLevel.RED
    assert len(notices(people["qm"])) == 2, "the same level is never notified twice"


def test_after_closing_a_new_alert_comes_only_for_a_later_period(people):
    rule("threshold")
    indicator()
    rollup("csat", WEEK, 164, 200)
    services.alerts_evaluate(NOW)
    Alert.objects.update(status=AlertStatus.CLOSED)
    assert services.alerts_evaluate(NOW + dt.timedelta(hours=1)).raised == [], "the closed alert covered this week"
    next_week = WEEK + dt.timedelta(days=7)
    rollup("csat", next_week, 150, 200)
    raised = services.alerts_evaluate(NOW + dt.timedelta(days=7)).raised
    assert len(raised) == 1 and Alert.objects.get(pk=raised[0]).period_start == next_week
    assert Alert.objects.count() == 2


def test_red_alert_links_the_contingency_plan_of_its_scenario(people):
    rule("threshold")
    indicator(kpi="sla_resolution", code="sla", target="95", yellow="90", orange="85", red="80")
    rollup("sla_resolution", WEEK, 70, 100)
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert alert.level == AlertLevel.RED
    assert alert.contingency_plan.code == "resource-shortage"


# --- complaint growth --------------------------------------------------------------------------------


def test_complaints_up_30_percent_raise_yellow_with_plan_due_in_3_days(people):
    growth = rule("complaint_growth")
    rollup("complaints", PREV_WEEK, 10)
    rollup("complaints", WEEK, 13)
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert alert.rule == growth and alert.level == AlertLevel.YELLOW
    assert alert.plan_due_at == NOW + dt.timedelta(days=3)
    assert alert.evidence["this_week"] == 13 and alert.evidence["last_week"] == 10
    assert alert.evidence["growth"] == "0.3000"
    with translation.override("en"):
        assert alert.display_title == "Complaints up 30 % week on week: 13 in the week from 2026-11-16 against 10"
    assert alert.contingency_plan is None, "only red alerts link a contingency plan"


@pytest.mark.parametrize(("last", "this"), [(10, 12), (5, 9)])
def test_smaller_growth_or_few_complaints_raise_nothing(people, last, this):
    rule("complaint_growth")
    rollup("complaints", PREV_WEEK, last)
    rollup("complaints", WEEK, this)
    assert services.alerts_evaluate(NOW).raised == []


# --- category surge ----------------------------------------------------------------------------------


def test_category_surge_is_red_with_a_task_force_and_the_mass_complaints_plan(people):
    rule("category_surge")  # factor 3, min 10, 4 weeks
    billing = CategoryFactory(name_zh="账单争议", name_en="Billing dispute")
    quiet = CategoryFactory()
    for n, count in enumerate([2, 4, 3, 3], start=1):
        rollup("complaints", weeks_before(WEEK, n), count, dimension=Dimension.CATEGORY, key=billing.pk)
    rollup("complaints", WEEK, 12, dimension=Dimension.CATEGORY, key=billing.pk)  # 12 ≥ 3 × 3
    rollup("complaints", WEEK, 11, dimension=Dimension.CATEGORY, key=quiet.pk)
    for n in range(1, 5):
        rollup("complaints", weeks_before(WEEK, n), 5, dimension=Dimension.CATEGORY, key=quiet.pk)  # 11 < 15
    fact("complaints", WEEK + dt.timedelta(days=2), team_id=people["team"].pk, category_id=billing.pk)
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert alert.level == AlertLevel.RED and (alert.dimension, alert.key) == (Dimension.CATEGORY, str(billing.pk))
    assert alert.evidence["average"] == "3.00" and alert.evidence["count"] == 12
    assert set(alert.task_force.all()) == {people["lead"], people["qm"], people["qm2"]}
    assert alert.contingency_plan.code == "mass-complaints"
    with translation.override("en"):
        assert "Complaint surge on “Billing dispute”: 12" in alert.display_title
    assert len(notices(people["lead"], "alert_raised")) == 1


# --- group complaints --------------------------------------------------------------------------------


def _complaints(domain: str, count: int, *, customers: int, start: dt.datetime) -> None:
    people = [
        UserFactory(role=Role.CUSTOMER, email=f"c{i}.{start:%H%M}@{domain}", username=f"{domain}-{start:%H%M}-{i}")
        for i in range(customers)
    ]
    for i in range(count):
        when = start + dt.timedelta(minutes=10 * i)
        TicketFactory(type="complaint", customer=people[i % customers], created_at=when, updated_at=when)


def test_complaints_from_one_organisation_raise_red(people):
    rule("group_complaints")  # 5 within 72 h, from at least 2 customers
    _complaints("hengda-logistics.cn", 5, customers=3, start=NOW - dt.timedelta(hours=20))
    _complaints("qq.com", 7, customers=7, start=NOW - dt.timedelta(hours=5))  # a public mailbox: no group
    _complaints("solo-trading.cn", 6, customers=1, start=NOW - dt.timedelta(hours=5))  # one angry customer
    _complaints("old-corp.cn", 5, customers=2, start=NOW - dt.timedelta(hours=100))  # outside the window
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert alert.condition_key == "group_complaints:hengda-logistics.cn"
    assert alert.level == AlertLevel.RED and alert.evidence["count"] == 5 and alert.evidence["customers"] == 3
    assert alert.contingency_plan.code == "mass-complaints"
    assert {people["qm"], people["qm2"]} <= set(alert.task_force.all())


def test_group_complaints_count_only_what_the_last_closed_alert_did_not_cover(people):
    rule("group_complaints")
    _complaints("hengda-logistics.cn", 5, customers=2, start=NOW - dt.timedelta(hours=20))
    services.alerts_evaluate(NOW)
    assert services.alerts_evaluate(NOW + dt.timedelta(minutes=5)).raised == []
    Alert.objects.update(status=AlertStatus.CLOSED)
    later = NOW + dt.timedelta(hours=2)
    assert services.alerts_evaluate(later).raised == [], "the same complaints do not raise again"
    _complaints("hengda-logistics.cn", 4, customers=2, start=NOW + dt.timedelta(hours=1))
    assert services.alerts_evaluate(later).raised == [], "four new ones are not five"
    _complaints("hengda-logistics.cn", 1, customers=1, start=NOW + dt.timedelta(hours=1, minutes=50))
    assert len(services.alerts_evaluate(later).raised) == 1


# --- p-chart -----------------------------------------------------------------------------------------


def test_p_chart_alerts_a_big_team_out_of_control_but_not_a_small_noisy_one(people):
    rule("p_chart_csat")  # weekly, 8 trailing weeks, n ≥ 30, 3 σ
    big, small, steady = people["team"], TeamFactory(name="小组"), TeamFactory(name="稳定组")
    for team in (big, small, steady):
        for n in range(1, 9):
            rollup("csat", weeks_before(WEEK, n), 90, 100, dimension=Dimension.TEAM, key=team.pk)  # p̄ = 0.9
    rollup("csat", WEEK, 80, 100, dimension=Dimension.TEAM, key=big.pk)  # LCL 0.81: out
    rollup("csat", WEEK, 6, 10, dimension=Dimension.TEAM, key=small.pk)  # 60 % of 10: noise
    rollup("csat", WEEK, 82, 100, dimension=Dimension.TEAM, key=steady.pk)  # inside
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert (alert.key, alert.level) == (str(big.pk), AlertLevel.ORANGE)
    assert alert.evidence["centre"] == "90.0" and alert.evidence["lower"] == "81.00" and alert.evidence["n"] == 100
    with translation.override("en"):
        assert "Customer satisfaction (CSAT) of Team 投诉处理组 outside its control limits" in alert.display_title


def test_p_chart_needs_enough_history(people):
    rule("p_chart_csat")  # min_history 4
    for n in range(1, 4):
        rollup("csat", weeks_before(WEEK, n), 90, 100, dimension=Dimension.TEAM, key=people["team"].pk)
    rollup("csat", WEEK, 50, 100, dimension=Dimension.TEAM, key=people["team"].pk)
    assert services.alerts_evaluate(NOW).raised == []


def test_p_chart_on_a_lower_is_better_kpi_alerts_above_the_upper_limit(people):
    reopen = AlertRuleFactory(
        kind=RuleKind.P_CHART,
        level=AlertLevel.ORANGE,
        params={"metric": "reopen_rate", "periods": 4, "min_history": 4, "min_volume": 30},
    )
    only_rules(reopen)
    for n in range(1, 5):
        rollup("reopen_rate", weeks_before(WEEK, n), 10, 100, dimension=Dimension.TEAM, key=people["team"].pk)
    rollup("reopen_rate", WEEK, 2, 100, dimension=Dimension.TEAM, key=people["team"].pk)  # better: no alert
    assert services.alerts_evaluate(NOW).raised == []
    rollup("reopen_rate", WEEK, 20, 100, dimension=Dimension.TEAM, key=people["team"].pk)  # UCL 0.19: out
    assert len(services.alerts_evaluate(NOW).raised) == 1


# --- robustness --------------------------------------------------------------------------------------


def test_a_rule_with_broken_parameters_is_skipped_and_the_others_still_run(people):
    growth = rule("complaint_growth")
    broken = AlertRuleFactory(kind=RuleKind.COMPLAINT_GROWTH, params={"growth": "lots"})
    AlertRule.objects.filter(pk=broken.pk).update(is_active=True)
    rollup("complaints", PREV_WEEK, 10)
    rollup("complaints", WEEK, 20)
    result = services.alerts_evaluate(NOW)
    assert result.broken_rules == [broken.code]
    assert Alert.objects.get().rule == growth


def test_every_raise_is_an_event_and_an_audit_entry(people):
    from sqm.audit.models import AuditEntry

    rule("complaint_growth")
    rollup("complaints", PREV_WEEK, 10)
    rollup("complaints", WEEK, 20)
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    assert AlertEvent.objects.filter(alert=alert, kind="raised", actor=None).exists()
    entry = AuditEntry.objects.get(object_type="kpis.alert", object_id=str(alert.pk))
    assert entry.action == "raise" and entry.changes["rule"]["after"] == "complaint_growth"


def test_agent_scoped_p_chart_names_the_agent_and_tells_their_team_lead(people):
    per_agent = AlertRuleFactory(
        kind=RuleKind.P_CHART,
        level=AlertLevel.ORANGE,
        params={"metric": "fcr", "dimension": "agent", "periods": 4, "min_history": 4, "min_volume": 30},
    )
    only_rules(per_agent)
    agent = UserFactory(role=Role.AGENT, team=people["team"], display_name="王小明")
    for n in range(1, 5):
        rollup("fcr", weeks_before(WEEK, n), 80, 100, dimension=Dimension.AGENT, key=agent.pk)
    rollup("fcr", WEEK, 20, 40, dimension=Dimension.AGENT, key=agent.pk)  # 50 %: LCL 0.8 − 3·√(0.16/40) = 0.61
    services.alerts_evaluate(NOW)
    alert = Alert.objects.get()
    with translation.override("en"):
        assert "First-contact resolution of Agent 王小明" in alert.display_title
    assert len(notices(people["lead"], "alert_raised")) == 1
    assert services.escalation_chain(alert)[0] == [people["lead"]]


def test_the_periodic_tasks_are_scheduled_and_run(people):
    from sqm import schedule
    from sqm.kpis import tasks

    assert {"kpis.alerts_evaluate", "kpis.alerts_escalate_overdue", "kpis.alerts_review_standards"} <= set(
        schedule.PERIODIC
    )
    rule("complaint_growth")
    assert tasks.alerts_evaluate() == 0
    assert tasks.alerts_escalate_overdue() == 0
    assert tasks.alerts_review_standards() == 0
