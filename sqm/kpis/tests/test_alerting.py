"""The pure judgements behind the alert rules, with hand-computed numbers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from sqm.core.errors import DomainError
from sqm.kpis import alert_defaults, alerting
from sqm.kpis.models import AlertLevel, RuleKind

D = Decimal


# --- thresholds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("90.0", None),
        ("85.1", None),
        ("85.0", AlertLevel.YELLOW),  # at the threshold counts as reached
        ("82.0", AlertLevel.YELLOW),
        ("80.0", AlertLevel.ORANGE),
        ("75.5", AlertLevel.ORANGE),
        ("75.0", AlertLevel.RED),
        ("10.0", AlertLevel.RED),
    ],
)
def test_threshold_level_higher_is_better(value, level):
    assert alerting.threshold_level("higher", D(85), D(80), D(75), D(value)) == level


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("25", None),
        ("30", AlertLevel.YELLOW),
        ("44.9", AlertLevel.YELLOW),
        ("45", AlertLevel.ORANGE),
        ("61", AlertLevel.RED),
    ],
)
def test_threshold_level_lower_is_better(value, level):
    # e.g. average response: yellow at 30 min, orange at 45, red at 60
    assert alerting.threshold_level("lower", D(30), D(45), D(60), D(value)) == level


def test_no_value_no_level():
    assert alerting.threshold_level("higher", D(85), D(80), D(75), None) is None


def test_worse_and_rank():
    assert alerting.worse("yellow", "red") == "red"
    assert alerting.worse(None, "yellow") == "yellow"
    assert alerting.level_rank("orange") == 2 and alerting.level_rank(None) == 0


# --- complaint growth and surges ---------------------------------------------------------------------


def test_complaints_up_thirty_percent_week_on_week():
    growth = D("0.30")
    assert alerting.complaint_growth(13, 10, growth, 10)  # +30 % exactly
    assert not alerting.complaint_growth(12, 10, growth, 10)  # +20 %
    assert not alerting.complaint_growth(9, 6, growth, 10)  # +50 % but below the minimum count
    assert alerting.complaint_growth(10, 0, growth, 10)  # from a week without complaints
    assert not alerting.complaint_growth(10, 10, growth, 10)
    assert alerting.growth_of(13, 10) == D("0.3000")
    assert alerting.growth_of(5, 0) is None


def test_category_surge_against_the_trailing_average():
    # four weeks 2, 4, 3, 3 → average 3; factor 3 → 9 complaints this week is a surge
    assert alerting.category_surge(9, [2, 4, 3, 3], D(3), 8) == (True, D("3.00"))
    assert alerting.category_surge(8, [2, 4, 3, 3], D(3), 8)[0] is False
    assert alerting.category_surge(9, [2, 4, 3, 3], D(3), 10)[0] is False  # minimum count
    assert alerting.category_surge(10, [0, 0, 0, 0], D(3), 10) == (True, D("0.00"))


# --- p-chart ------------------------------------------------------------------------------------------


def test_p_chart_limits_by_hand():
    # eight weeks at 90/100 → p̄ = 0.9; σ(n=100) = √(0.9·0.1/100) = 0.03; LCL = 0.9 − 3·0.03 = 0.81
    history = [(90, 100)] * 8
    low = alerting.p_chart(80, 100, history, 3)
    assert low is not None and low.out_low and not low.out_high
    assert low.centre == Fraction(9, 10) and low.p == Fraction(4, 5)
    assert alerting.percent(low.lower, 2) == "81.00" and alerting.percent(low.upper, 2) == "99.00"
    assert alerting.p_chart_bad(low, "higher") and not alerting.p_chart_bad(low, "lower")
    inside = alerting.p_chart(82, 100, history, 3)
    assert inside is not None and not inside.out_low and not inside.out_high


def test_p_chart_boundary_is_exact():
    # n = 30: LCL = 0.9 − 3·√(0.09/30) = 0.7357…; 22/30 = 0.7333 is below, 23/30 = 0.7667 is not.
    history = [(90, 100)] * 8
    assert alerting.p_chart(22, 30, history, 3).out_low
    assert not alerting.p_chart(23, 30, history, 3).out_low
    # exactly on the limit is inside: p̄ = 1/2, n = 4 → σ = 1/4; 3σ = 3/4 is beyond [0, 1], so use k = 2: p = 0 → |p−p̄| = 1/2 = 2σ
    on_limit = alerting.p_chart(0, 4, [(50, 100)], 2)
    assert not on_limit.out_low


def test_p_chart_small_sample_is_wide():
    # a team of 10 cases at 6/10: LCL = 0.9 − 3·√(0.009) = 0.6154 → 0.6 is out on the chart itself;
    # the rule's minimum volume is what keeps such a team quiet (see test_alert_rules).
    chart = alerting.p_chart(6, 10, [(90, 100)] * 8, 3)
    assert chart.out_low
    assert alerting.p_chart(7, 10, [(90, 100)] * 8, 3).out_low is False


def test_p_chart_needs_a_centre_line_strictly_between_0_and_1():
    assert alerting.p_chart(5, 10, [(100, 100)], 3) is None
    assert alerting.p_chart(5, 10, [(0, 100)], 3) is None
    assert alerting.p_chart(5, 0, [(50, 100)], 3) is None
    assert alerting.p_chart(5, 10, [], 3) is None


def test_proportion_kpis_are_shares_of_cases():
    assert "csat" in alerting.PROPORTION_KPIS and "sla_resolution" in alerting.PROPORTION_KPIS
    assert "nps" not in alerting.PROPORTION_KPIS and "avg_response" not in alerting.PROPORTION_KPIS


# --- groups of customers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "group"),
    [
        ("zhang.wei@Hengda-Logistics.cn", "hengda-logistics.cn"),
        ("li@hengda-logistics.cn.", "hengda-logistics.cn"),
        ("someone@qq.com", None),
        ("someone@163.com", None),
        ("someone@gmail.com", None),
        ("c0001@mail.example", None),
        ("x@example.com", None),
        ("x@shop.test", None),
        ("", None),
        ("not-an-address", None),
        ("a@localhost", None),
    ],
)
def test_email_group(email, group):
    assert alerting.email_group(email) == group


# --- automatic review -------------------------------------------------------------------------------------


def test_review_trend_raise_bar_and_investigate():
    # target 90, margin 5 % → beat by margin means ≥ 94.5
    args = {"target": D(90), "margin": D("0.05"), "direction": "higher", "periods": 3}
    assert alerting.review_trend([D(80), D("94.5"), D(95), D(97)], **args) == "raise_bar"
    assert alerting.review_trend([D(95), D("94.4"), D(96)], **args) is None
    assert alerting.review_trend([D(89), D("89.9"), D(70)], **args) == "investigate"
    assert alerting.review_trend([D(89), None, D(70)], **args) is None  # too few cases breaks the run
    assert alerting.review_trend([D(95), D(95)], **args) is None  # not enough periods yet
    # lower is better: target 30 min, margin 10 % → ≤ 27 beats it by the margin
    lower = {"target": D(30), "margin": D("0.10"), "direction": "lower", "periods": 2}
    assert alerting.review_trend([D(27), D(20)], **lower) == "raise_bar"
    assert alerting.review_trend([D(31), D(40)], **lower) == "investigate"
    assert alerting.review_trend([D(28), D(40)], **lower) is None


# --- parameters -------------------------------------------------------------------------------------------


def test_shipped_rules_have_valid_parameters():
    for spec in alert_defaults.RULES:
        cleaned = alerting.clean_params(spec["kind"], spec["params"])
        assert cleaned.keys() == {p.name for p in alerting.PARAMS[spec["kind"]]}


def test_defaults_fill_missing_parameters():
    cleaned = alerting.clean_params(RuleKind.COMPLAINT_GROWTH, {})
    assert cleaned["growth"] == "0.30" and cleaned["min_count"] == 10
    typed = alerting.typed_params(RuleKind.COMPLAINT_GROWTH, {"growth": "0.5"})
    assert typed["growth"] == D("0.5")


@pytest.mark.parametrize(
    ("kind", "params", "field", "words"),
    [
        (RuleKind.COMPLAINT_GROWTH, {"growth": "0"}, "growth", "Week-on-week growth must be greater than 0"),
        (RuleKind.COMPLAINT_GROWTH, {"growth": "-0.1"}, "growth", "greater than 0"),
        (RuleKind.COMPLAINT_GROWTH, {"growth": "abc"}, "growth", "must be a number"),
        (RuleKind.COMPLAINT_GROWTH, {"min_count": 0}, "min_count", "Minimum complaints this week must be between 1"),
        (RuleKind.COMPLAINT_GROWTH, {"min_count": "2.5"}, "min_count", "whole number"),
        (RuleKind.GROUP_COMPLAINTS, {"count": 1}, "count", "between 2"),
        (RuleKind.CATEGORY_SURGE, {"factor": "0.5"}, "factor", "Surge factor must be between 1"),
        (RuleKind.P_CHART, {"metric": "nps"}, "metric", "not one of the allowed choices"),
        (RuleKind.P_CHART, {"sigma": "0"}, "sigma", "greater than 0"),
        (RuleKind.P_CHART, {"periods": 4, "min_history": 6}, "min_history", "cannot exceed"),
        (RuleKind.THRESHOLD, {"grain": "year"}, "grain", "not one of the allowed choices"),
        (RuleKind.THRESHOLD, {"colour": "red"}, "colour", "not a parameter"),
    ],
)
def test_bad_parameters_name_the_field(kind, params, field, words):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        alerting.clean_params(kind, params)
    assert list(caught.value.errors) == [field]
    assert words in caught.value.as_text()
