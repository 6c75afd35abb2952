"""Automatic review proposals of standards: an indicator that beat its target by the review
margin for its N periods proposes raising the bar; one that missed it N times, an investigation."""

from __future__ import annotations

import datetime as dt

import pytest

from sqm.kpis.models import Dimension, Grain
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import indicator, retire_other_standards, rollup, staff
from sqm.standards.models import ChangeProposal, ProposalKind

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
AUG, SEP, OCT = dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)


@pytest.fixture
def people():
    services.install_alert_defaults()
    retire_other_standards()
    return staff()


def months(metric: str, values: list[tuple[int, int]], **scope) -> None:
    for start, (num, den) in zip((AUG, SEP, OCT), values, strict=True):
        rollup(metric, start, num, den, grain=Grain.MONTH, **scope)


def test_target_beaten_by_the_margin_three_months_running_proposes_raising_the_bar(people):
    ind = indicator(target="90", review_margin="0.05", review_periods=3)  # beaten by 5 %: ≥ 94.5
    months("csat", [(95, 100), (190, 200), (97, 100)])
    raised = services.standards_review_propose(TODAY)
    proposal = ChangeProposal.objects.get()
    assert raised == [proposal]
    assert proposal.is_automatic and proposal.kind == ProposalKind.RAISE_BAR
    assert (proposal.standard, proposal.indicator_code) == (ind.version.standard, "csat")
    [evidence] = proposal.evidence
    assert evidence["kind"] == "kpi_trend"
    assert evidence["reference"] == "kpi:csat:month:centre::2026-08-01..2026-10-01"
    assert evidence["note"] == "2026-08: 95.0 %; 2026-09: 95.0 %; 2026-10: 97.0 %"
    assert services.standards_review_propose(TODAY) == [], "one proposal per indicator, kind and period"


def test_target_missed_three_months_running_proposes_an_investigation(people):
    indicator(target="90", review_periods=3)
    months("csat", [(85, 100), (89, 100), (70, 100)])
    services.standards_review_propose(TODAY)
    assert ChangeProposal.objects.get().kind == ProposalKind.INVESTIGATE


@pytest.mark.parametrize(
    "values",
    [
        [(95, 100), (94, 100), (97, 100)],  # September beat the target by less than the margin
        [(85, 100), (91, 100), (80, 100)],  # September met the target
        [(95, 100), (19, 20), (97, 100)],  # September had too few ratings to judge
    ],
)
def test_a_broken_run_proposes_nothing(people, values):
    indicator(target="90", review_margin="0.05", review_periods=3, min_volume=30)
    months("csat", values)
    assert services.standards_review_propose(TODAY) == []


def test_lower_is_better_and_a_scoped_indicator(people):
    indicator(
        kpi="avg_response",
        code="avg-response",
        direction="lower",
        target="30",
        yellow="35",
        orange="45",
        red="60",
        scope="channel",
        scope_key="phone",
        review_margin="0.10",
        review_periods=2,
        unit="min",
        min_volume=1,
    )
    # seconds: 25 min and 20 min on the phone channel (≤ 27 beats 30 by 10 %); the centre is slower
    rollup("avg_response", SEP, 25 * 60 * 10, 10, grain=Grain.MONTH, dimension=Dimension.CHANNEL, key="phone")
    rollup("avg_response", OCT, 20 * 60 * 10, 10, grain=Grain.MONTH, dimension=Dimension.CHANNEL, key="phone")
    rollup("avg_response", SEP, 40 * 60 * 10, 10, grain=Grain.MONTH)
    rollup("avg_response", OCT, 40 * 60 * 10, 10, grain=Grain.MONTH)
    services.standards_review_propose(TODAY)
    proposal = ChangeProposal.objects.get()
    assert proposal.kind == ProposalKind.RAISE_BAR and proposal.indicator_code == "avg-response"
    assert ":channel:phone:" in proposal.evidence[0]["reference"]
