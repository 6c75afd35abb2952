"""Factories and helpers for the alert tests.

KPI input is written as :class:`KpiRollup` rows directly (the rollup engine is tested on its
own), so every number a rule reads is spelled out in the test. Times are fixed: ``NOW`` is
Wednesday 25 November 2026, 10:00 in the centre's time zone, so the last complete week starts
on Monday 16 November and the week before on 9 November.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from sqm.core.roles import Role
from sqm.kpis.models import (
    Alert,
    AlertLevel,
    AlertRule,
    AlertStatus,
    ContingencyPlan,
    ContingencyScenario,
    Dimension,
    Grain,
    KpiFact,
    KpiRollup,
    RuleKind,
)
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.standards.models import Standard, StandardVersion, VersionStatus
from sqm.standards.tests.factories import IndicatorFactory, StandardFactory, VersionFactory

TZ = timezone.get_default_timezone()


def at(text: str) -> dt.datetime:
    """A centre-local time, e.g. ``at("2026-11-25 10:00")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


NOW = at("2026-11-25 10:00")  # a Wednesday
WEEK = dt.date(2026, 11, 16)  # the last complete week (Monday)
PREV_WEEK = dt.date(2026, 11, 9)


def weeks_before(start: dt.date, n: int) -> dt.date:
    return start - dt.timedelta(days=7 * n)


def rollup(
    metric: str,
    start: dt.date,
    num: int,
    den: int = 0,
    *,
    grain: str = Grain.WEEK,
    dimension: str = Dimension.CENTRE,
    key: str | int = "",
) -> KpiRollup:
    row, _created = KpiRollup.objects.update_or_create(
        grain=grain,
        period_start=start,
        dimension=dimension,
        key=str(key),
        metric=metric,
        defaults={"num": num, "den": den},
    )
    return row


def fact(metric: str, day: dt.date, *, team_id: int | None = None, category_id: int | None = None, n: int = 1) -> None:
    """A fact behind a rollup cell (task forces read the teams behind a category's complaints)."""
    KpiFact.objects.create(
        source="ticket",
        source_id=KpiFact.objects.count() + 1,
        metric=metric,
        day=day,
        team_id=team_id,
        category_id=category_id,
        num=n,
        den=n,
    )


class AlertRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertRule

    code = factory.Sequence(lambda n: f"rule-{n}")
    name_zh = factory.Sequence(lambda n: f"规则{n}")
    name_en = factory.Sequence(lambda n: f"Rule {n}")
    kind = RuleKind.COMPLAINT_GROWTH
    level = AlertLevel.YELLOW
    params = factory.LazyFunction(dict)
    plan_due_days = 3
    is_active = True


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContingencyPlan

    code = factory.Sequence(lambda n: f"plan-{n}")
    scenario = ContingencyScenario.MASS_COMPLAINTS
    title_zh = factory.Sequence(lambda n: f"群体性投诉应急预案{n}")
    title_en = factory.Sequence(lambda n: f"Mass complaints plan {n}")
    body_zh = "一、启动条件；二、专项工作组；三、处置步骤；四、结案。"
    body_en = "1. When; 2. Task force; 3. Steps; 4. Closure."
    is_active = True
    updated_at = factory.LazyFunction(timezone.now)


class AlertFactory(factory.django.DjangoModelFactory):
    """An alert row written directly (no event, audit or notification)."""

    class Meta:
        model = Alert

    rule = factory.SubFactory(AlertRuleFactory)
    level = AlertLevel.ORANGE
    status = AlertStatus.OPEN
    condition_key = factory.Sequence(lambda n: f"test:condition:{n}")
    title = factory.Sequence(lambda n: f"测试预警 {n}")
    evidence = factory.LazyFunction(dict)
    raised_at = factory.LazyFunction(timezone.now)
    plan_due_at = factory.LazyAttribute(lambda o: o.raised_at + dt.timedelta(days=3))


def only_rules(*rules: AlertRule) -> None:
    """Switch off every other rule (the shipped ones come with the migration)."""
    AlertRule.objects.exclude(pk__in=[r.pk for r in rules]).update(is_active=False)


def retire_other_standards() -> None:
    """Take the starter library out of force, so only a test's own indicators are judged."""
    Standard.objects.update(is_retired=True)


def indicator(
    *,
    kpi: str = "csat",
    code: str = "csat",
    direction: str = "higher",
    target: str = "90",
    yellow: str = "85",
    orange: str = "80",
    red: str = "75",
    scope: str = "centre",
    scope_key: str = "",
    min_volume: int = 30,
    review_margin: str = "0.05",
    review_periods: int = 3,
    since: dt.date = dt.date(2025, 1, 1),
    standard: Standard | None = None,
    unit: str = "%",
) -> Any:
    """An indicator of an effective standard version (a new standard unless one is given)."""
    standard = standard or StandardFactory()
    version = StandardVersion.objects.filter(
        standard=standard, status=VersionStatus.EFFECTIVE
    ).first() or VersionFactory(standard=standard, number=1, status=VersionStatus.EFFECTIVE, effective_from=since)
    return IndicatorFactory(
        version=version,
        code=code,
        kpi=kpi,
        unit=unit,
        direction=direction,
        target=Decimal(target),
        yellow=Decimal(yellow),
        orange=Decimal(orange),
        red=Decimal(red),
        scope=scope,
        scope_key=scope_key,
        min_volume=min_volume,
        review_margin=Decimal(review_margin),
        review_periods=review_periods,
    )


def staff() -> dict[str, Any]:
    """A small centre: a quality manager (and a second one), an admin, a team with its lead."""
    lead = UserFactory(role=Role.TEAM_LEAD, username="lead-a", email="lead-a@centre.cn")
    team = TeamFactory(lead=lead, name="投诉处理组", code="CMP")
    lead.team = team
    lead.save()
    return {
        "qm": UserFactory(role=Role.QUALITY_MANAGER, username="qm-1", email="qm1@centre.cn"),
        "qm2": UserFactory(role=Role.QUALITY_MANAGER, username="qm-2", email="qm2@centre.cn", language="en"),
        "admin": UserFactory(role=Role.ADMIN, username="admin-x", email="admin@centre.cn"),
        "lead": lead,
        "team": team,
        "lead2": UserFactory(role=Role.TEAM_LEAD, username="lead-b", email="lead-b@centre.cn"),
    }
