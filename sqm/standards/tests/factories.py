"""Factories for standards tests. They write rows directly (no audit entries, no validation):
use the services where a test is about the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from sqm.standards.models import (
    ChangeProposal,
    Clause,
    Indicator,
    ProposalStatus,
    SlaTerm,
    Standard,
    StandardCategory,
    StandardVersion,
    VersionStatus,
)


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    category = StandardCategory.QUALITY
    name_zh = factory.Sequence(lambda n: f"测试标准{n}")
    name_en = factory.Sequence(lambda n: f"Test standard {n}")
    created_at = factory.LazyFunction(timezone.now)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardVersion

    standard = factory.SubFactory(StandardFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = VersionStatus.DRAFT
    title_zh = factory.LazyAttribute(lambda o: o.standard.name_zh)
    title_en = factory.LazyAttribute(lambda o: o.standard.name_en)
    created_at = factory.LazyFunction(timezone.now)


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    version = factory.SubFactory(VersionFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title_zh = factory.Sequence(lambda n: f"条款{n}")
    title_en = factory.Sequence(lambda n: f"Clause {n}")
    body_zh = "坐席应在首次接触中尽力解决客户问题。"
    body_en = "Agents solve the problem in the first contact."


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    version = factory.SubFactory(VersionFactory)
    code = factory.Sequence(lambda n: f"ind-{n}")
    name_zh = "客户满意度"
    name_en = "Customer satisfaction"
    kpi = "csat"
    unit = "%"
    direction = "higher"
    target = Decimal("90")
    yellow = Decimal("88")
    orange = Decimal("85")
    red = Decimal("80")
    weight = Decimal("100")


class SlaTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaTerm

    version = factory.SubFactory(VersionFactory, standard__category=StandardCategory.PROCESS)
    policy_code = factory.Sequence(lambda n: f"term-{n}")
    name = "测试 SLA"
    response_minutes = 60
    resolution_minutes = 600


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeProposal

    standard = factory.SelfAttribute("base_version.standard")
    base_version = factory.SubFactory(
        VersionFactory, status=VersionStatus.EFFECTIVE, effective_from=dt.date(2025, 1, 1)
    )
    title = factory.Sequence(lambda n: f"建议 {n}")
    rationale = "连续三个月满意度超过目标。"
    evidence = factory.LazyFunction(lambda: [{"kind": "kpi_trend", "reference": "CSAT 2026-06..08", "note": ""}])
    status = ProposalStatus.OPEN
    created_at = factory.LazyFunction(timezone.now)


def effective_standard(
    *, category: str = StandardCategory.QUALITY, since: dt.date = dt.date(2025, 1, 1), **indicator: object
) -> StandardVersion:
    """A standard with an effective v1 holding one CSAT indicator (weight 100) and one clause."""
    standard = StandardFactory(category=category)
    version = VersionFactory(standard=standard, number=1, status=VersionStatus.EFFECTIVE, effective_from=since)
    IndicatorFactory(version=version, code="csat", **indicator)
    ClauseFactory(version=version, number="1")
    return version
