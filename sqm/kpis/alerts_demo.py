"""Demo alerts and drills: a few alerts in different states of their life and two recorded drills,
written through the services (events, audit entries and notifications included).

``sqm demo`` reaches this through ``sqm.kpis.demo`` after the rollups are rebuilt; it needs the
organisation (``shared["org"]``) and takes well under a second. The alerts are dated in the last
weeks before the demo's "today" (``sqm.org.demo.DEMO_TODAY``):

* a closed yellow alert (complaints up week on week) whose plan a team lead wrote and the quality
  manager verified;
* an acknowledged orange alert (a team's SLA response compliance outside its p-chart limits),
  owned by that team's lead, its plan overdue;
* an open red alert (a complaint surge on one category) with a task force and the mass-complaints
  contingency plan linked.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from sqm.core.roles import Role
from sqm.kpis import alerting
from sqm.kpis.alerting import Finding
from sqm.kpis.models import AlertLevel, AlertRule, ContingencyPlan, Dimension, RuleKind
from sqm.kpis.services import alerts as services
from sqm.org.models import User
from sqm.tickets.models import Category


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Create the demo alerts and drills; returns a summary."""
    from sqm.org.demo import DEMO_TODAY

    services.install_alert_defaults()
    org = shared["org"]
    teams = list(org.teams)
    quality = User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk").first()
    if quality is None or len(teams) < 2 or teams[0].lead is None or teams[1].lead is None:
        return "skipped (no quality manager or team leads)"
    lead_a, lead_b = teams[0].lead, teams[1].lead
    rules = {rule.code: rule for rule in AlertRule.objects.all()}
    monday = DEMO_TODAY - dt.timedelta(days=DEMO_TODAY.weekday())  # the demo's current week

    # 1. closed yellow: complaints up 37 % in the week three weeks back
    week = monday - dt.timedelta(days=21)
    raised = _at(week + dt.timedelta(days=7), 9, 5)
    this_week, last_week = 52 + rng.randrange(0, 4), 38
    growth = alerting.growth_of(this_week, last_week)
    _outcome, yellow = services.apply_finding(
        rules["complaint_growth"],
        Finding(
            condition_key="complaint_growth:centre",
            level=AlertLevel.YELLOW,
            evidence={
                "kind": RuleKind.COMPLAINT_GROWTH,
                "metric": "complaints",
                "period": week.isoformat(),
                "previous": (week - dt.timedelta(days=7)).isoformat(),
                "this_week": this_week,
                "last_week": last_week,
                "growth": str(growth),
                "threshold": "0.30",
                "min_count": 10,
            },
            period_start=week,
        ),
        raised,
    )
    assert yellow is not None
    yellow = services.alert_acknowledge(actor=lead_a, alert=yellow, now=raised + dt.timedelta(hours=2))
    yellow = services.alert_plan_submit(
        actor=lead_a,
        alert=yellow,
        plan=(
            "原因：10月上旬宽带提速套餐切换，账单金额变化未提前告知，投诉集中在账单争议。\n"
            "措施：1. 10月15日前向受影响客户发送账单说明短信（责任人：运营支撑）；\n"
            "2. 坐席统一解释口径并加入知识库（责任人：本组班组长，10月14日前）；\n"
            "3. 每日晨会复盘前一日投诉，连续两周跟踪投诉量。"
        ),
        now=raised + dt.timedelta(days=1, hours=3),
    )
    yellow = services.alert_verify(
        actor=quality,
        alert=yellow,
        note="短信已发送，知识库已更新；次周投诉量回落到 40 件以下。",
        now=raised + dt.timedelta(days=9),
    )
    services.alert_close(actor=quality, alert=yellow, now=raised + dt.timedelta(days=9, hours=1))

    # 2. acknowledged orange: team B's SLA response compliance below its lower control limit last week
    week = monday - dt.timedelta(days=7)
    raised = _at(monday, 8, 5)
    _outcome, orange = services.apply_finding(
        rules["p_chart_sla_response"],
        Finding(
            condition_key=f"p_chart_sla_response:sla_response:team:{teams[1].pk}",
            level=AlertLevel.ORANGE,
            evidence={
                "kind": RuleKind.P_CHART,
                "metric": "sla_response",
                "grain": "week",
                "period": week.isoformat(),
                "dimension": Dimension.TEAM,
                "key": str(teams[1].pk),
                "scope_name": teams[1].name,
                "value": "81.3",
                "centre": "92.4",
                "lower": "87.91",
                "upper": "96.89",
                "num": 256,
                "n": 315,
                "sigma": "3",
                "periods": 8,
                "min_volume": 30,
            },
            dimension=Dimension.TEAM,
            key=str(teams[1].pk),
            period_start=week,
        ),
        raised,
    )
    assert orange is not None
    services.alert_acknowledge(actor=lead_b, alert=orange, now=raised + dt.timedelta(hours=1, minutes=20))

    # 3. open red: a complaint surge on one category, last week
    category = Category.objects.filter(is_active=True, parent__isnull=False).order_by("code").first()
    category = category or Category.objects.order_by("code").first()
    red_summary = ""
    if category is not None:
        history = [4, 6, 5, 5]
        task_force = [lead_a.pk, lead_b.pk, quality.pk]
        _outcome, red = services.apply_finding(
            rules["category_surge"],
            Finding(
                condition_key=f"category_surge:{category.pk}",
                level=AlertLevel.RED,
                evidence={
                    "kind": RuleKind.CATEGORY_SURGE,
                    "metric": "complaints",
                    "period": week.isoformat(),
                    "dimension": Dimension.CATEGORY,
                    "key": str(category.pk),
                    "category_zh": category.name_zh,
                    "category_en": category.name_en,
                    "count": 23,
                    "history": [
                        {"week": (week - dt.timedelta(days=7 * n)).isoformat(), "count": c}
                        for n, c in enumerate(history, start=1)
                    ],
                    "weeks": 4,
                    "average": "5.00",
                    "factor": "3",
                    "teams": [teams[0].pk, teams[1].pk],
                },
                dimension=Dimension.CATEGORY,
                key=str(category.pk),
                period_start=week,
                scenario="mass_complaints",
                task_force_ids=task_force,
            ),
            raised + dt.timedelta(minutes=5),
        )
        red_summary = ", an open red with its task force" if red is not None else ""

    # two drills
    plans = {plan.code: plan for plan in ContingencyPlan.objects.filter(is_active=True)}
    drills = 0
    for code, held_on, participants, findings, follow_up in (
        (
            "resource-shortage",
            DEMO_TODAY - dt.timedelta(days=136),
            f"{teams[0].name}、{teams[1].name}全体坐席，排班专员，质量经理",
            "模拟周一上午话务量突增 60%：备班人员 35 分钟内全部到岗；跨组支援坐席缺少宽带故障技能，处理时长偏长。",
            "为跨组支援名单补充技能标签；备班通讯录每月核对一次。",
        ),
        (
            "system-outage",
            DEMO_TODAY - dt.timedelta(days=52),
            "IT 值班工程师，当班班组长，8 名坐席",
            "工单系统断开 40 分钟：手工登记表 12 分钟内启用，恢复后 2 小时完成补录，补录件数与登记表一致。",
            "登记表增加“客户等级”栏；IVR 维护公告改为自动切换。",
        ),
    ):
        plan = plans.get(code)
        if plan is None:
            continue
        services.drill_record(
            actor=quality,
            plan=plan,
            held_on=held_on,
            participants=participants,
            findings=findings,
            follow_up=follow_up,
            now=_at(held_on, 17, 30),
        )
        drills += 1
    return f"alerts: a closed yellow, an acknowledged orange{red_summary}; {drills} contingency drills"
