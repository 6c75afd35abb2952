"""Turning rolled-up numerators and denominators into KPI values, exactly (``Decimal``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqm.standards.catalogue import CATALOGUE, Aggregate, KpiCode


@dataclass(frozen=True)
class KpiValue:
    """A KPI in one period and slice: ``value`` is None when there is nothing to divide by."""

    metric: str
    num: int
    den: int
    value: Decimal | None

    @property
    def volume(self) -> int:
        """Cases behind the value (the denominator of a ratio, the count of a sum)."""
        spec = CATALOGUE[KpiCode(self.metric)]
        return self.den if spec.aggregate == Aggregate.RATIO else self.num


def kpi_value(metric: str, num: int, den: int) -> KpiValue:
    """The value of ``metric`` for summed ``num``/``den`` (for STOCK KPIs pass the running total as ``num``)."""
    spec = CATALOGUE[KpiCode(metric)]
    if spec.aggregate == Aggregate.RATIO:
        if not den:
            return KpiValue(metric, num, den, None)
        raw = Decimal(num * spec.scale.numerator) / Decimal(den * spec.scale.denominator)
    else:
        raw = Decimal(num)
    quantum = Decimal(1).scaleb(-spec.places)
    return KpiValue(metric, num, den, raw.quantize(quantum, rounding=ROUND_HALF_UP))
