"""An alert's life: open → acknowledged → plan submitted → verified → closed, the transitions that
are refused, separation of duties, overdue plans escalating one level at a time, notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.kpis.models import Alert, AlertLevel, AlertRule, AlertStatus, Dimension, RuleKind
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import NOW, AlertFactory, staff
from sqm.org.tests.factories import UserFactory
from sqm.tickets.models import Notification

pytestmark = pytest.mark.django_db

PLAN = "原因：周末排班不足。措施：增加两名备班坐席，每日复盘投诉，11月30日前完成。"


@pytest.fixture
def people():
    services.install_alert_defaults()
    return staff()


@pytest.fixture
def alert(people):
    rule = AlertRule.objects.get(code="complaint_growth")
    return AlertFactory(
        rule=rule,
        level=AlertLevel.YELLOW,
        dimension=Dimension.TEAM,
        key=str(people["team"].pk),
        raised_at=NOW,
        plan_due_at=NOW + dt.timedelta(days=3),
    )


def kinds(alert: Alert) -> list[str]:
    return list(alert.events.order_by("id").values_list("kind", flat=True))


def test_the_whole_life_of_an_alert(people, alert):
    lead, qm = people["lead"], people["qm"]
    alert = services.alert_acknowledge(actor=lead, alert=alert, now=NOW + dt.timedelta(hours=1))
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.owner == lead
    alert = services.alert_plan_submit(actor=lead, alert=alert, plan=PLAN, now=NOW + dt.timedelta(days=1))
    assert alert.status == AlertStatus.PLAN_SUBMITTED and alert.plan_submitted_by == lead
    assert Notification.objects.filter(user=qm, kind="alert_plan_submitted").count() == 1
    alert = services.alert_verify(actor=qm, alert=alert, note="已核实排班表", now=NOW + dt.timedelta(days=2))
    assert alert.status == AlertStatus.VERIFIED and alert.verified_by == qm
    alert = services.alert_close(actor=qm, alert=alert, now=NOW + dt.timedelta(days=2, hours=1))
    assert alert.status == AlertStatus.CLOSED and alert.closed_at == NOW + dt.timedelta(days=2, hours=1)
    assert kinds(alert) == ["acknowledged", "plan_submitted", "verified", "closed"]
    actions = list(
        AuditEntry.objects.filter(object_type="kpis.alert", object_id=str(alert.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["acknowledge", "submit_plan", "verify", "close"]
    entry = AuditEntry.objects.get(object_type="kpis.alert", object_id=str(alert.pk), action="verify")
    assert entry.changes["status"] == {"before": "plan_submitted", "after": "verified"}


def test_closed_only_after_verification(people, alert):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.alert_close(actor=people["qm"], alert=alert)
    assert list(caught.value.errors) == ["status"]
    assert "closed only with a verified rectification plan" in caught.value.as_text()


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (AlertStatus.ACKNOWLEDGED, "acknowledge"),
        (AlertStatus.OPEN, "plan"),
        (AlertStatus.ACKNOWLEDGED, "verify"),
        (AlertStatus.VERIFIED, "plan"),
        (AlertStatus.OPEN, "reopen"),
        (AlertStatus.CLOSED, "assign"),
        (AlertStatus.PLAN_SUBMITTED, "close"),
    ],
)
def test_forbidden_transitions_change_nothing(people, alert, status, action):
    Alert.objects.filter(pk=alert.pk).update(status=status, owner=people["lead"])
    alert.refresh_from_db()
    qm, lead = people["qm"], people["lead"]
    calls = {
        "acknowledge": lambda: services.alert_acknowledge(actor=lead, alert=alert),
        "plan": lambda: services.alert_plan_submit(actor=lead, alert=alert, plan=PLAN),
        "verify": lambda: services.alert_verify(actor=qm, alert=alert),
        "reopen": lambda: services.alert_reopen(actor=qm, alert=alert, note="不通过"),
        "assign": lambda: services.alert_assign(actor=lead, alert=alert, owner=people["lead2"]),
        "close": lambda: services.alert_close(actor=qm, alert=alert),
    }
    with pytest.raises(DomainError) as caught:
        calls[action]()
    assert caught.value.code == "invalid_transition" and list(caught.value.errors) == ["status"]
    alert.refresh_from_db()
    assert alert.status == status and not alert.events.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.AUDITOR, Role.QA_INSPECTOR, Role.ADMIN])
def test_roles_without_handle_capability_cannot_acknowledge(people, alert, role):
    with pytest.raises(PermissionDeniedError):
        services.alert_acknowledge(actor=UserFactory(role=role), alert=alert)


def test_team_lead_cannot_verify_or_close(people, alert):
    services.alert_acknowledge(actor=people["lead"], alert=alert)
    services.alert_plan_submit(actor=people["lead"], alert=alert, plan=PLAN)
    with pytest.raises(PermissionDeniedError):
        services.alert_verify(actor=people["lead2"], alert=alert)


def test_the_plan_author_may_not_verify_it(people, alert):
    qm, qm2 = people["qm"], people["qm2"]
    services.alert_acknowledge(actor=qm, alert=alert)
    services.alert_plan_submit(actor=qm, alert=alert, plan=PLAN)
    with translation.override("en"), pytest.raises(PermissionDeniedError) as caught:
        services.alert_verify(actor=qm, alert=alert)
    assert "another quality manager must verify it" in caught.value.as_text()
    with pytest.raises(PermissionDeniedError):
        services.alert_reopen(actor=qm, alert=alert, note="自己退回")
    assert services.alert_verify(actor=qm2, alert=alert).status == AlertStatus.VERIFIED


def test_only_the_owner_or_a_quality_manager_submits_the_plan(people, alert):
    services.alert_acknowledge(actor=people["lead"], alert=alert)
    with pytest.raises(PermissionDeniedError):
        services.alert_plan_submit(actor=people["lead2"], alert=alert, plan=PLAN)
    assert services.alert_plan_submit(actor=people["qm"], alert=alert, plan=PLAN).plan_submitted_by == people["qm"]


@pytest.mark.parametrize(("text", "code"), [("", "required"), ("太短了", "min_length"), ("x\x00" * 20, "invalid")])
def test_plan_text_is_required_and_substantial(people, alert, text, code):
    services.alert_acknowledge(actor=people["lead"], alert=alert)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.alert_plan_submit(actor=people["lead"], alert=alert, plan=text)
    assert list(caught.value.errors) == ["plan"] and caught.value.code == code


def test_failed_verification_sends_the_plan_back_with_a_new_due_date(people, alert):
    lead, qm = people["lead"], people["qm"]
    services.alert_acknowledge(actor=lead, alert=alert)
    services.alert_plan_submit(actor=lead, alert=alert, plan=PLAN)
    with pytest.raises(DomainError) as caught:
        services.alert_reopen(actor=qm, alert=alert, note="  ")
    assert list(caught.value.errors) == ["note"]
    later = NOW + dt.timedelta(days=5)
    alert = services.alert_reopen(actor=qm, alert=alert, note="措施没有落实到人", now=later)
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.plan_submitted_at is None
    assert alert.plan_due_at == later + dt.timedelta(days=3) and alert.escalation_level == 0
    assert alert.plan == PLAN, "the rejected plan stays for the next draft"
    assert "措施没有落实到人" in Notification.objects.get(user=lead, kind="alert_reopened").text
    assert kinds(alert)[-1] == "reopened"


def test_assign_to_someone_who_may_handle_alerts(people, alert):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.alert_assign(actor=people["lead"], alert=alert, owner=UserFactory(role=Role.AGENT))
    assert list(caught.value.errors) == ["owner"] and "team lead or quality manager" in caught.value.as_text()
    services.alert_assign(actor=people["lead"], alert=alert, owner=people["qm2"])
    alert.refresh_from_db()
    assert alert.owner == people["qm2"] and alert.status == AlertStatus.OPEN
    note = Notification.objects.get(user=people["qm2"], kind="alert_assigned")
    assert note.text.startswith("You now own this Yellow alert"), "in the recipient's language (English)"


def test_major_incident_is_red_at_once_with_plan_and_task_force(people):
    lead = people["lead"]
    alert = services.alert_raise_major_incident(
        actor=lead,
        title="工单系统宕机",
        description="09:40 起工单系统无法登录，电话渠道正常。",
        scenario="system_outage",
    )
    assert (
        alert.level == AlertLevel.RED
        and alert.status == AlertStatus.OPEN
        and alert.rule.kind == RuleKind.MAJOR_INCIDENT
    )
    assert alert.contingency_plan.code == "system-outage"
    assert {lead, people["qm"], people["qm2"]} <= set(alert.task_force.all())
    assert alert.display_title == "工单系统宕机"
    assert alert.events.get().actor == lead
    assert Notification.objects.filter(user=people["qm"], kind="alert_raised").count() == 1
    second = services.alert_raise_major_incident(
        actor=lead, title="工单系统再次宕机", description="同上", scenario="system_outage"
    )
    assert second.pk != alert.pk, "every incident is its own alert"


@pytest.mark.parametrize(
    ("title", "scenario", "field"),
    [("宕机", "system_outage", "title"), ("工单系统宕机", "earthquake", "scenario"), ("", "other", "title")],
)
def test_major_incident_bad_input_names_the_field(people, title, scenario, field):
    with pytest.raises(DomainError) as caught:
        services.alert_raise_major_incident(actor=people["lead"], title=title, description="详情", scenario=scenario)
    assert list(caught.value.errors) == [field]
    assert not Alert.objects.exists()


# --- overdue plans -------------------------------------------------------------------------------------


def test_overdue_plan_climbs_the_chain_one_level_per_interval(people, alert, django_capture_on_commit_callbacks):
    lead, lead2, qm, qm2, admin = people["lead"], people["lead2"], people["qm"], people["qm2"], people["admin"]
    services.alert_assign(actor=lead, alert=alert, owner=lead2)  # owned by a lead of another team
    Notification.objects.all().delete()
    due = alert.plan_due_at
    assert services.alerts_escalate_overdue(due - dt.timedelta(minutes=1)) == 0, "not due yet"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_escalate_overdue(due + dt.timedelta(minutes=1)) == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert [n.user for n in Notification.objects.filter(kind="alert_escalated")] == [lead], "first the team's lead"
    assert Notification.objects.filter(user=lead2, kind="alert_overdue").count() == 1, "and the owner is told"
    assert {m.to[0] for m in mail.outbox} == {lead.email, lead2.email}
    assert services.alerts_escalate_overdue(due + dt.timedelta(hours=2)) == 0, "once per interval"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_escalate_overdue(due + dt.timedelta(days=1)) == 1  # complaint growth: every 24 h
    assert set(Notification.objects.filter(kind="alert_escalated").values_list("user__username", flat=True)) == {
        lead.username,
        qm.username,
        qm2.username,
    }
    english = Notification.objects.get(user=qm2, kind="alert_escalated")
    assert english.text.startswith("Escalated to you (step 2)")
    assert qm2.email in {m.to[0] for m in mail.outbox}

    assert services.alerts_escalate_overdue(due + dt.timedelta(days=2)) == 1
    assert Notification.objects.filter(user=admin, kind="alert_escalated").count() == 1, "then the administrators"
    assert services.alerts_escalate_overdue(due + dt.timedelta(days=9)) == 0, "the chain ends there"
    alert.refresh_from_db()
    assert alert.escalation_level == 3
    assert kinds(alert)[-3:] == ["escalated", "escalated", "escalated"]
    assert AuditEntry.objects.filter(object_id=str(alert.pk), object_type="kpis.alert", action="escalate").count() == 3


def test_owner_who_leads_the_team_is_skipped_in_the_chain(people, alert):
    alert = services.alert_acknowledge(actor=people["lead"], alert=alert)  # the team's own lead owns it
    chain = services.escalation_chain(alert)
    assert [sorted(u.username for u in group) for group in chain] == [["qm-1", "qm-2"], ["admin-x"]]


def test_a_submitted_plan_stops_the_escalation(people, alert):
    services.alert_acknowledge(actor=people["lead"], alert=alert)
    services.alert_plan_submit(actor=people["lead"], alert=alert, plan=PLAN)
    assert services.alerts_escalate_overdue(NOW + dt.timedelta(days=10)) == 0


def test_raise_notifies_by_mail_after_commit_in_each_language(people, django_capture_on_commit_callbacks):
    from sqm.kpis.tests.alert_factories import PREV_WEEK, WEEK, only_rules, rollup

    only_rules(AlertRule.objects.get(code="complaint_growth"))
    rollup("complaints", PREV_WEEK, 10)
    rollup("complaints", WEEK, 13)
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(NOW)
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {people["qm"].email, people["qm2"].email}, "a centre-wide alert goes to the quality managers"
    assert to[people["qm2"].email].body.startswith("Yellow alert: Complaints up 30 % week on week")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(NOW + dt.timedelta(minutes=5))
    assert mail.outbox == [], "the same open condition is not mailed twice"
