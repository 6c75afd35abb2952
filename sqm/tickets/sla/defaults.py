"""What SQM ships with: the centre calendar with China's statutory schedule, a 24×7 calendar and
the default SLA policies (DESIGN.md §2.1: complaints respond in 1 hour and resolve in 24 hours;
service requests respond in 30 minutes), plus faster ones for VIP customers.

Used by the data migration (with historical models) and by tests that flushed the database.
Idempotent: existing rows with the same name or code are left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

CENTRE_CALENDAR = "中心工作日历"
ALWAYS_OPEN_CALENDAR = "全天候 24×7"
CENTRE_TIME_ZONE = "Asia/Shanghai"  # migrations cannot rely on settings; the demo centre's zone
FIRST_YEAR = 2025
NINE_TO_SIX = [["09:00", "18:00"]]
WORKWEEK = [NINE_TO_SIX] * 5 + [[], []]
ALL_DAY = [[["00:00", "24:00"]]] * 7
POLICIES_FROM = dt.date(2025, 1, 1)

# code, name, ticket type, priority, response minutes, resolution minutes, escalate after
DEFAULT_POLICIES: list[tuple[str, str, str, str, int, int, int]] = [
    ("complaint-urgent", "紧急投诉 SLA", "complaint", "urgent", 30, 8 * 60, 30),
    ("complaint", "投诉 SLA（1 小时响应，24 小时解决）", "complaint", "", 60, 24 * 60, 60),
    ("service-urgent", "紧急服务 SLA", "", "urgent", 15, 9 * 60, 30),
    ("service", "服务 SLA（30 分钟响应，3 个工作日解决）", "", "", 30, 3 * 9 * 60, 120),
]
# Faster promises for VIP customers (migration 0011): code, name, ticket type, tier, response,
# resolution, escalate after. A policy naming the tier beats one that does not, other criteria
# being equal; an urgent complaint still runs under the (tighter) urgent complaint policy.
TIER_POLICIES: list[tuple[str, str, str, str, int, int, int]] = [
    ("vip-complaint", "VIP 投诉 SLA（30 分钟响应，12 小时解决）", "complaint", "vip", 30, 12 * 60, 30),
    ("vip-service", "VIP 服务 SLA（15 分钟响应，2 个工作日解决）", "", "vip", 15, 2 * 9 * 60, 60),
]


def install_sla_defaults(calendar_model: Any = None, day_model: Any = None, policy_model: Any = None) -> dict[str, int]:
    """Create the shipped calendars and policies where missing; returns how many rows were made."""
    if calendar_model is None:
        from sqm.tickets.models import CalendarDay, SlaPolicy, WorkCalendar

        calendar_model, day_model, policy_model = WorkCalendar, CalendarDay, SlaPolicy
    made = {"calendars": 0, "days": 0, "policies": 0}
    centre, created = calendar_model.objects.get_or_create(
        name=CENTRE_CALENDAR,
        defaults={
            "time_zone": CENTRE_TIME_ZONE,
            "weekly_hours": WORKWEEK,
            "is_default": not calendar_model.objects.filter(is_default=True).exists(),
        },
    )
    if created:
        made["calendars"] += 1
        made["days"] += _china_days(centre, day_model)
    _always, created = calendar_model.objects.get_or_create(
        name=ALWAYS_OPEN_CALENDAR, defaults={"time_zone": CENTRE_TIME_ZONE, "weekly_hours": ALL_DAY, "is_24x7": True}
    )
    made["calendars"] += int(created)
    for code, name, ticket_type, priority, response, resolution, escalate in DEFAULT_POLICIES:
        _policy, created = policy_model.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "name": name,
                "status": "effective",
                "effective_from": POLICIES_FROM,
                "ticket_type": ticket_type,
                "priority": priority,
                "response_minutes": response,
                "resolution_minutes": resolution,
                "warn_fraction": 0.75,
                "escalate_after_minutes": escalate,
            },
        )
        made["policies"] += int(created)
    made["policies"] += install_tier_policies(policy_model)
    return made


def install_tier_policies(policy_model: Any = None) -> int:
    """Create the shipped customer-tier policies where missing; returns how many were made."""
    if policy_model is None:
        from sqm.tickets.models import SlaPolicy

        policy_model = SlaPolicy
    made = 0
    for code, name, ticket_type, tier, response, resolution, escalate in TIER_POLICIES:
        _policy, created = policy_model.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "name": name,
                "status": "effective",
                "effective_from": POLICIES_FROM,
                "ticket_type": ticket_type,
                "priority": "",
                "tier": tier,
                "response_minutes": response,
                "resolution_minutes": resolution,
                "warn_fraction": 0.75,
                "escalate_after_minutes": escalate,
            },
        )
        made += int(created)
    return made


def _china_days(calendar: Any, day_model: Any) -> int:
    from sqm.tickets.sla import china

    years = [year for year in china.known_years() if year >= FIRST_YEAR]
    holidays, makeup = china.schedule(years)
    rows = [day_model(calendar=calendar, date=day, kind="holiday", name=name) for day, name in holidays.items()]
    rows += [day_model(calendar=calendar, date=day, kind="makeup", name=name) for day, name in makeup.items()]
    day_model.objects.bulk_create(rows)
    return len(rows)
