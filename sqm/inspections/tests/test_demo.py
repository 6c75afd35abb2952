"""The demo loader on a small centre: plans drawn with recorded seeds that re-check, believable
results, appeals decided and pending, and a calibration session with four inspectors."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db.models import Avg

from sqm.audit.services import chain_verify
from sqm.inspections import demo, selectors
from sqm.inspections.models import (
    Appeal,
    CalibrationSession,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    PlanStatus,
    SamplingPlan,
    TrainingNeed,
)
from sqm.org import demo as org_demo
from sqm.tickets import demo as ticket_demo


@pytest.fixture
def loaded(db):
    from sqm.inspections.models import Scorecard

    Scorecard.objects.filter(code="QA-DEFAULT").delete()  # the loader installs it when missing
    rng = random.Random(7)
    shared: dict = {}
    org_demo.load(rng=rng, shared=shared)
    shared["tickets"] = 3000
    ticket_demo.load(rng=rng, shared=shared)
    summary = demo.load(rng=rng, shared=shared)
    return summary


def test_demo_plans_results_appeals_and_calibration(loaded):
    plans = list(SamplingPlan.objects.order_by("period_start"))
    assert len(plans) == 12 and all(p.seed is not None for p in plans)
    assert plans[-1].status == PlanStatus.DRAWN and plans[0].status == PlanStatus.CLOSED
    for plan in plans[::4]:
        assert selectors.plan_verify(plan.pk).ok
    results = Inspection.objects.filter(calibration__isnull=True, status=InspectionStatus.FINAL)
    assert results.count() > 500
    average = results.aggregate(a=Avg("score"))["a"]
    assert Decimal("60") < Decimal(str(average)) < Decimal("95")
    assert results.filter(failed_critical=True, score=0).count() == results.filter(failed_critical=True).count()
    # every scored inspection has one inspector answer per item
    scored = results.first()
    assert (
        InspectionAnswer.objects.filter(inspection=scored, stage="inspector").count() == scored.scorecard.items.count()
    )
    assert Appeal.objects.filter(decided_at__isnull=False).exists()
    assert (
        Inspection.objects.filter(status=InspectionStatus.APPEALED).count()
        == Appeal.objects.filter(decided_at__isnull=True).count()
    )
    assert TrainingNeed.objects.exists()
    session = CalibrationSession.objects.get()
    report = selectors.calibration_report(session)
    assert len(report.inspectors) == 4 and report.submitted == report.expected
    assert report.alpha_overall is not None
    assert Inspection.objects.filter(status__in=["assigned", "in_progress"], plan=plans[-1]).exists()
    assert chain_verify().ok
    assert "12 monthly plans" in loaded
