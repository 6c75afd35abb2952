"""The scoring rule of a scorecard, as pure functions (no database): see docs/inspections.md.

    score = 100 × Σ (weight × points / max_points) / Σ weight      over the items that apply

Items answered "not applicable" (points ``None``) leave both sums; with no N/A the weights add up
to 100, so the score is simply Σ weight × fraction. Any critical item answered 0 fails the
inspection: the score is 0 and ``failed_critical`` is set, whatever the other items say. The
score is exact (fractions) and rounded once, half up, to two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
WEIGHT_TOTAL = Decimal(100)


@dataclass(frozen=True)
class ItemRule:
    """What scoring needs to know of one item."""

    id: int
    weight: Decimal
    max_points: int
    critical: bool


@dataclass(frozen=True)
class Score:
    score: Decimal
    failed_critical: bool


def to_decimal(value: Fraction) -> Decimal:
    """An exact fraction as a Decimal with two places, rounded half up."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def item_fraction(points: int, max_points: int) -> Fraction:
    return Fraction(points, max_points)


def is_failed(points: int | None, max_points: int) -> bool:
    """An item counts as failed (and proposes a training need) below half of its points."""
    return points is not None and 2 * points < max_points


LCM_POINTS = 2520  # divisible by every points scale 1 … 10, so item shares stay whole numbers


def _hundredths(weight: Decimal) -> int:
    """A weight (at most two decimals) in hundredths."""
    return int(weight * 100)


def compute(items: Sequence[ItemRule], points: Mapping[int, int | None]) -> Score:
    """The score of answers ``points`` (item id → points or None for N/A) on ``items``.

    The caller has checked that every item is answered, points are within 0 … max_points and
    critical items are not N/A; here a missing item counts as N/A. Exact: the sums are whole
    numbers (weights in hundredths × points × 2520 / max_points), divided once at the end.
    """
    for item in items:
        if item.critical and points.get(item.id) == 0:
            return Score(Decimal("0.00"), True)
    earned = 0
    total = 0
    for item in items:
        value = points.get(item.id)
        if value is None:
            continue
        weight = _hundredths(item.weight)
        earned += weight * value * (LCM_POINTS // item.max_points)
        total += weight * LCM_POINTS
    if total == 0:
        return Score(Decimal("0.00"), False)
    return Score(to_decimal(Fraction(100 * earned, total)), False)


def weight_total(weights: Sequence[Decimal]) -> Decimal:
    return sum(weights, Decimal(0))
