"""The scoring rule: Σ weight × points / max over the items that apply, critical items fail all."""

from __future__ import annotations

from decimal import Decimal

from sqm.inspections.scoring import ItemRule, compute, is_failed

ITEMS = [
    ItemRule(1, Decimal("40"), 4, False),
    ItemRule(2, Decimal("30"), 4, False),
    ItemRule(3, Decimal("25"), 2, False),
    ItemRule(4, Decimal("5"), 1, True),
]


def test_full_points_give_100():
    result = compute(ITEMS, {1: 4, 2: 4, 3: 2, 4: 1})
    assert result.score == Decimal("100.00") and not result.failed_critical


def test_weighted_fractions_exactly():
    # 40×3/4 + 30×1/4 + 25×1/2 + 5×1 = 30 + 7.5 + 12.5 + 5 = 55
    assert compute(ITEMS, {1: 3, 2: 1, 3: 1, 4: 1}).score == Decimal("55.00")


def test_not_applicable_items_leave_both_sums():
    # item 2 N/A: (40×4/4 + 25×2/2 + 5) / 70 × 100 = 100; item 1 at half: (20+25+5)/70 = 71.428… → 71.43
    assert compute(ITEMS, {1: 4, 2: None, 3: 2, 4: 1}).score == Decimal("100.00")
    assert compute(ITEMS, {1: 2, 2: None, 3: 2, 4: 1}).score == Decimal("71.43")


def test_a_failed_critical_item_scores_zero_whatever_else():
    result = compute(ITEMS, {1: 4, 2: 4, 3: 2, 4: 0})
    assert result.score == Decimal("0.00") and result.failed_critical


def test_rounding_is_half_up_at_two_places():
    items = [ItemRule(1, Decimal("33.33"), 3, False), ItemRule(2, Decimal("66.67"), 3, False)]
    # 33.33 × 1/3 + 66.67 × 0 = 11.11
    assert compute(items, {1: 1, 2: 0}).score == Decimal("11.11")
    items = [ItemRule(1, Decimal("50"), 8, False), ItemRule(2, Decimal("50"), 8, False)]
    # 50 × 1/8 = 6.25 exactly; 50 × 3/8 + 0 = 18.75
    assert compute(items, {1: 3, 2: 0}).score == Decimal("18.75")


def test_failed_means_below_half():
    assert is_failed(1, 4) and not is_failed(2, 4)
    assert is_failed(0, 1) and not is_failed(1, 1)
    assert not is_failed(None, 4)
