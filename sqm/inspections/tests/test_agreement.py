"""Krippendorff's alpha against the published worked example, and its edge cases."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from sqm.inspections.agreement import alpha_of_table, krippendorff_alpha, rounded, spread

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
# twelve units, values 1–5 with missing data. Published: nominal α = 0.743, interval α = 0.849.
OBSERVERS = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
}
UNITS = [list(values) for values in zip(*OBSERVERS.values(), strict=True)]


def test_published_example_interval():
    assert rounded(krippendorff_alpha(UNITS, "interval")) == Decimal("0.849")


def test_published_example_nominal():
    assert rounded(krippendorff_alpha(UNITS, "nominal")) == Decimal("0.743")


def test_table_form_gives_the_same_value():
    table = {u: {coder: OBSERVERS[coder][u] for coder in OBSERVERS} for u in range(12)}
    assert alpha_of_table(table) == krippendorff_alpha(UNITS)


def test_units_with_one_value_do_not_count():
    """Unit 12 has one value only (observer B's 3); dropping it changes nothing."""
    assert krippendorff_alpha(UNITS[:11]) == krippendorff_alpha(UNITS)


def test_perfect_agreement_is_one_and_no_variation_is_undefined():
    assert krippendorff_alpha([[1, 1], [3, 3], [4, 4]]) == 1
    assert krippendorff_alpha([[2, 2], [2, 2]]) is None  # every value the same: D_e = 0
    assert krippendorff_alpha([[1], [2]]) is None  # nothing pairable


def test_systematic_disagreement_is_below_zero():
    assert krippendorff_alpha([[0, 4], [4, 0], [0, 4]]) < 0


def test_interval_alpha_does_not_depend_on_the_scale():
    scaled = [[None if v is None else Fraction(v, 5) for v in unit] for unit in UNITS]
    assert krippendorff_alpha(scaled) == krippendorff_alpha(UNITS)


def test_spread_is_population_sd_and_range():
    assert spread([2, 4, 4, 4, 5, 5, 7, 9]) == (Decimal("2.00"), Decimal("7.00"))
    assert spread([3, 3]) == (Decimal("0.00"), Decimal("0.00"))
    assert spread([]) == (None, None)
