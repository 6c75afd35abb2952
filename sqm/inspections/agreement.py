"""Agreement between inspectors: Krippendorff's alpha and simple spreads, as pure functions.

Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):

    alpha = 1 − D_o / D_e

where, over the *pairable* values (those in units that at least two coders valued; n of them),

    D_o = 1/n · Σ_units 1/(m_u − 1) · Σ_{i≠j in unit} δ(v_i, v_j)      (observed disagreement)
    D_e = 1/(n(n − 1)) · Σ_{i≠j over all pairable values} δ(v_i, v_j)  (expected disagreement)

with δ(a, b) = (a − b)² for the interval metric and δ = [a ≠ b] for the nominal one. Computed in
exact fractions: Σ_{i≠j} (v_i − v_j)² = 2·m·Σv² − 2·(Σv)² and Σ_{i≠j} [v_i ≠ v_j] = m² − Σ_c m_c².
Alpha is undefined (``None``) without pairable values or when every value is the same (D_e = 0).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

Metric = Literal["interval", "nominal"]
Number = int | Fraction | Decimal


def _pair_sum(values: Sequence[Fraction], metric: Metric) -> Fraction:
    """Σ over ordered pairs i ≠ j of δ(v_i, v_j)."""
    m = len(values)
    if metric == "nominal":
        counts = Counter(values)
        return Fraction(m * m - sum(c * c for c in counts.values()))
    total = sum(values, Fraction(0))
    squares = sum((v * v for v in values), Fraction(0))
    return 2 * m * squares - 2 * total * total


def krippendorff_alpha(units: Iterable[Sequence[Number | None]], metric: Metric = "interval") -> Fraction | None:
    """Alpha of reliability data given unit by unit: each unit is the values its coders gave
    (``None`` = missing). Units with fewer than two values are not pairable and are skipped."""
    pairable: list[list[Fraction]] = []
    for unit in units:
        values = [Fraction(v) for v in unit if v is not None]
        if len(values) >= 2:
            pairable.append(values)
    n = sum(len(values) for values in pairable)
    if n < 2:
        return None
    observed = sum((_pair_sum(values, metric) / (len(values) - 1) for values in pairable), Fraction(0)) / n
    everything = [v for values in pairable for v in values]
    expected = _pair_sum(everything, metric) / (n * (n - 1))
    if expected == 0:
        return None
    return 1 - observed / expected


def alpha_of_table(
    table: Mapping[Hashable, Mapping[Hashable, Number | None]], metric: Metric = "interval"
) -> Fraction | None:
    """Alpha of ``{unit: {coder: value}}``."""
    return krippendorff_alpha((list(coders.values()) for coders in table.values()), metric)


def rounded(value: Fraction | Decimal | None, places: int = 3) -> Decimal | None:
    """A fraction as a Decimal with ``places`` places, half up (None stays None)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def mean(values: Sequence[Number]) -> Fraction | None:
    if not values:
        return None
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values)


def spread(values: Sequence[Number]) -> tuple[Decimal | None, Decimal | None]:
    """(population standard deviation, range) of ``values``, two decimals; None without values."""
    if not values:
        return None, None
    exact = [Fraction(v) for v in values]
    centre = sum(exact, Fraction(0)) / len(exact)
    variance = sum(((v - centre) ** 2 for v in exact), Fraction(0)) / len(exact)
    sd = Decimal(math.sqrt(variance)) if variance else Decimal(0)
    return rounded(sd, 2), rounded(max(exact) - min(exact), 2)
