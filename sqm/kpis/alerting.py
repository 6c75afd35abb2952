"""Judgement of the alert rules: pure functions, no database.

The services in :mod:`sqm.kpis.services.alerts` read rollups and tickets, hand the numbers to the
functions here and write whatever they decide. Keeping the arithmetic apart makes every rule
testable with hand-computed numbers:

* :func:`threshold_level` — which of an indicator's yellow/orange/red thresholds a value has
  reached, in the indicator's direction. A value *at* a threshold has reached it (a CSAT of
  exactly 85.0 against a yellow threshold of 85 is yellow), and the value compared is the KPI as
  shown (rounded to its places), so the tile and the alert never disagree.
* :func:`complaint_growth` — complaints this week against last week, up by at least the growth
  factor (30 % by default) with at least a minimum count this week.
* :func:`category_surge` — one category's complaints this week against ``factor`` × its trailing
  average of the weeks before.
* :func:`p_chart` — Shewhart p-chart: centre line p̄ = Σx / Σn over the trailing periods, limits
  p̄ ± k·√(p̄(1−p̄)/n) for the judged period's own n. The comparison is exact (squared, in
  fractions), so a boundary case never depends on floating point.
* :func:`email_group` — the "group of customers" of the group-complaints rule (see there).
* :func:`review_trend` — whether an indicator beat its target by the review margin, or missed it,
  for N consecutive periods (automatic standard-review proposals).

Rule parameters are declared once in :data:`PARAMS` (type, bounds, default); :func:`clean_params`
validates a rule's parameters and names the offending field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError
from sqm.kpis.models import ALERT_LEVEL_RANK, AlertLevel, ContingencyScenario, Dimension, Grain, RuleKind
from sqm.standards.catalogue import CATALOGUE, Aggregate, Direction, KpiCode

# --- levels -----------------------------------------------------------------------------------------


def level_rank(level: str | None) -> int:
    """0 for no level, then yellow 1, orange 2, red 3."""
    return ALERT_LEVEL_RANK.get(AlertLevel(level), 0) if level else 0


def worse(a: str | None, b: str | None) -> str | None:
    """The worse of two levels (None counts as no alert)."""
    return a if level_rank(a) >= level_rank(b) else b


def threshold_level(
    direction: str, yellow: Decimal, orange: Decimal, red: Decimal, value: Decimal | None
) -> AlertLevel | None:
    """The worst threshold ``value`` has reached (at or beyond it), or None when it is within all three.

    For "higher is better" a threshold is reached when the value is at or below it, for "lower is
    better" when it is at or above it.
    """
    if value is None:
        return None
    reached = (lambda t: value <= t) if direction == Direction.HIGHER else (lambda t: value >= t)
    for level, threshold in ((AlertLevel.RED, red), (AlertLevel.ORANGE, orange), (AlertLevel.YELLOW, yellow)):
        if reached(Decimal(threshold)):
            return level
    return None


def threshold_of(level: str, yellow: Decimal, orange: Decimal, red: Decimal) -> Decimal:
    return {AlertLevel.YELLOW: yellow, AlertLevel.ORANGE: orange, AlertLevel.RED: red}[AlertLevel(level)]


# --- complaint rules --------------------------------------------------------------------------------


def complaint_growth(this_week: int, last_week: int, growth: Decimal, min_count: int) -> bool:
    """True when ``this_week`` ≥ ``last_week`` × (1 + ``growth``) and ``this_week`` ≥ ``min_count``.

    Exact: 13 against 10 with growth 0.30 is +30 % and alerts; 12 against 10 does not. From a
    week without complaints any count reaching ``min_count`` is growth.
    """
    if this_week < min_count or this_week <= last_week:
        return False
    return Decimal(this_week) >= Decimal(last_week) * (1 + growth)


def growth_of(this_week: int, last_week: int) -> Decimal | None:
    """Week-on-week growth as a fraction (0.30 = +30 %), None from a week without complaints."""
    if not last_week:
        return None
    return ((Decimal(this_week) - last_week) / last_week).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def category_surge(count: int, history: Sequence[int], factor: Decimal, min_count: int) -> tuple[bool, Decimal]:
    """(surge?, trailing average): ``count`` ≥ ``factor`` × mean(``history``) and ≥ ``min_count``.

    ``history`` holds one count per trailing week, zeros included (a quiet week pulls the average
    down, as it should).
    """
    average = (Decimal(sum(history)) / len(history)) if history else Decimal(0)
    return (count >= min_count and Decimal(count) >= factor * average), average.quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


# --- p-chart ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PChart:
    """One period judged against the p-chart of the periods before it."""

    p: Fraction
    centre: Fraction
    n: int
    sigma: Fraction
    out_low: bool
    out_high: bool

    @property
    def half_width(self) -> Decimal:
        """k·√(p̄(1−p̄)/n), as a decimal (for display; the judgement itself is exact)."""
        with localcontext() as ctx:
            ctx.prec = 28
            variance = Decimal(self.centre.numerator * (self.centre.denominator - self.centre.numerator)) / Decimal(
                self.centre.denominator**2 * self.n
            )
            return Decimal(self.sigma.numerator) / Decimal(self.sigma.denominator) * variance.sqrt()

    @property
    def lower(self) -> Decimal:
        return _fraction_to_decimal(self.centre) - self.half_width

    @property
    def upper(self) -> Decimal:
        return _fraction_to_decimal(self.centre) + self.half_width


def _fraction_to_decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(value.numerator) / Decimal(value.denominator)


def p_chart(num: int, den: int, history: Iterable[tuple[int, int]], sigma: Fraction | Decimal | int) -> PChart | None:
    """Judge ``num``/``den`` against the p-chart of ``history`` ((num, den) per trailing period).

    Returns None when there is nothing to judge: no cases this period, no history, or a centre
    line of exactly 0 or 1 (the limits collapse onto it and any single case would be "out").
    """
    total_num = total_den = 0
    for x, n in history:
        total_num += x
        total_den += n
    if den <= 0 or total_den <= 0:
        return None
    centre = Fraction(total_num, total_den)
    if centre <= 0 or centre >= 1:
        return None
    k = Fraction(sigma) if not isinstance(sigma, Decimal) else Fraction(str(sigma))
    p = Fraction(num, den)
    gap = p - centre
    # |p − p̄| > k·√(p̄(1−p̄)/n)  ⇔  (p − p̄)²·n > k²·p̄(1−p̄)
    outside = gap * gap * den > k * k * centre * (1 - centre)
    return PChart(p=p, centre=centre, n=den, sigma=k, out_low=outside and gap < 0, out_high=outside and gap > 0)


def p_chart_bad(chart: PChart, direction: str) -> bool:
    """Outside the limits on the side that is worse for a KPI of ``direction``."""
    return chart.out_low if direction == Direction.HIGHER else chart.out_high


PROPORTION_KPIS: tuple[str, ...] = tuple(
    spec.code.value
    for spec in CATALOGUE.values()
    if spec.aggregate == Aggregate.RATIO and spec.scale == Fraction(100) and spec.code != KpiCode.NPS
)
"""KPIs that are a share of cases (numerator ≤ denominator, scale 100): the p-chart applies."""


# --- group of customers -----------------------------------------------------------------------------

PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "qq.com",
        "vip.qq.com",
        "foxmail.com",
        "163.com",
        "vip.163.com",
        "126.com",
        "vip.126.com",
        "yeah.net",
        "188.com",
        "sina.com",
        "sina.cn",
        "vip.sina.com",
        "sohu.com",
        "tom.com",
        "21cn.com",
        "139.com",
        "189.cn",
        "wo.cn",
        "aliyun.com",
        "88.com",
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "live.cn",
        "msn.com",
        "yahoo.com",
        "yahoo.com.cn",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "aol.com",
        "gmx.com",
        "mail.com",
        "yandex.com",
    }
)
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")
RESERVED_DOMAINS = frozenset({"example.com", "example.org", "example.net", "localhost"})


def email_group(email: str | None) -> str | None:
    """The customer group an e-mail address stands for: its domain, unless anyone can have one there.

    SQM's customers carry no organisation field, so "the same group of customers" is read as the
    same organisational e-mail domain (``@hengda-logistics.cn``): colleagues of one company
    complaining together is the pattern the red-flag rule is about. Public mailbox providers
    (qq.com, 163.com, gmail.com, …) and reserved names (example.com, *.test, …) group nobody.
    Phone prefixes are not used: a mobile prefix names a carrier and region, not an
    organisation, and would lump strangers together.
    """
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    if not domain or "." not in domain or domain in PUBLIC_EMAIL_DOMAINS or domain in RESERVED_DOMAINS:
        return None
    if domain.endswith(RESERVED_SUFFIXES) or domain.startswith("["):
        return None
    return domain


# --- automatic review of standards -------------------------------------------------------------------


def review_trend(
    values: Sequence[Decimal | None], *, target: Decimal, margin: Decimal, direction: str, periods: int
) -> str | None:
    """ "raise_bar", "investigate" or None for the last ``periods`` values (oldest first).

    *Raise the bar*: every one of them beat the target by at least ``margin`` × |target| (higher
    is better: value ≥ target + margin·|target|; lower: value ≤ target − margin·|target|).
    *Investigate*: every one missed the target. A missing value (too few cases) breaks the run.
    """
    if periods < 1 or len(values) < periods:
        return None
    recent = list(values)[-periods:]
    if any(v is None for v in recent):
        return None
    cushion = abs(Decimal(target)) * Decimal(margin)
    checked: list[Decimal] = [v for v in recent if v is not None]
    if direction == Direction.HIGHER:
        if all(v >= target + cushion for v in checked):
            return "raise_bar"
        if all(v < target for v in checked):
            return "investigate"
    else:
        if all(v <= target - cushion for v in checked):
            return "raise_bar"
        if all(v > target for v in checked):
            return "investigate"
    return None


# --- default scenarios ------------------------------------------------------------------------------

KPI_SCENARIO: dict[str, str] = {
    KpiCode.COMPLAINTS: ContingencyScenario.MASS_COMPLAINTS,
    KpiCode.COMPLAINT_RATE: ContingencyScenario.MASS_COMPLAINTS,
    KpiCode.BACKLOG: ContingencyScenario.RESOURCE_SHORTAGE,
    KpiCode.SLA_RESPONSE: ContingencyScenario.RESOURCE_SHORTAGE,
    KpiCode.SLA_RESOLUTION: ContingencyScenario.RESOURCE_SHORTAGE,
    KpiCode.FIRST_RESPONSE_BUSINESS: ContingencyScenario.RESOURCE_SHORTAGE,
    KpiCode.FIRST_RESPONSE_CALENDAR: ContingencyScenario.RESOURCE_SHORTAGE,
    KpiCode.AVG_RESPONSE: ContingencyScenario.RESOURCE_SHORTAGE,
}
"""The contingency plan a red threshold alert on a KPI links when its rule names no scenario:
complaints call for the mass-complaints plan, late answers for the resource-shortage plan."""


def scenario_for(params: Mapping[str, Any], metric: str = "") -> str:
    return str(params.get("scenario") or KPI_SCENARIO.get(metric, ""))


# --- rule parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a rule kind: how it is typed, bounded, labelled and defaulted."""

    name: str
    label: Promise
    type: str  # "int" | "decimal" | "choice"
    default: Any
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    above: bool = False  # the minimum itself is not allowed (growth must be > 0)
    choices: tuple[tuple[str, Any], ...] = ()
    help_text: Promise | str = ""

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)


_GRAINS = tuple(Grain.choices)
_SCENARIOS = (
    ("", _("by KPI (mass complaints for complaints, resource shortage for late answers)")),
    *ContingencyScenario.choices,
)
_ESCALATE = ParamSpec(
    "escalate_every_hours",
    _("Escalate an overdue plan again every (hours)"),
    "int",
    24,
    Decimal(1),
    Decimal(24 * 14),
    help_text=_("An overdue plan goes one level up at its due time, then again after each such interval."),
)
_SCENARIO = ParamSpec(
    "scenario",
    _("Contingency plan scenario (red alerts)"),
    "choice",
    "",
    choices=_SCENARIOS,
)


def _int(name: str, label: Promise, default: int, low: int, high: int, help_text: Promise | str = "") -> ParamSpec:
    return ParamSpec(name, label, "int", default, Decimal(low), Decimal(high), help_text=help_text)


PARAMS: dict[str, tuple[ParamSpec, ...]] = {
    RuleKind.THRESHOLD: (
        ParamSpec("grain", _("Period judged"), "choice", Grain.WEEK, choices=_GRAINS),
        ParamSpec(
            "review_grain",
            _("Period of the automatic standard review"),
            "choice",
            Grain.MONTH,
            choices=_GRAINS,
            help_text=_("Beating or missing a target for the indicator's number of these periods proposes a review."),
        ),
        _SCENARIO,
        _ESCALATE,
    ),
    RuleKind.COMPLAINT_GROWTH: (
        ParamSpec(
            "growth",
            _("Week-on-week growth"),
            "decimal",
            Decimal("0.30"),
            Decimal(0),
            Decimal(100),
            above=True,
            help_text=_("A fraction: 0.30 alerts at 30 % more complaints than the week before."),
        ),
        _int("min_count", _("Minimum complaints this week"), 10, 1, 1_000_000),
        _SCENARIO,
        _ESCALATE,
    ),
    RuleKind.CATEGORY_SURGE: (
        ParamSpec(
            "factor",
            _("Surge factor"),
            "decimal",
            Decimal(3),
            Decimal(1),
            Decimal(100),
            help_text=_("Alert when a category's complaints this week reach this multiple of its trailing average."),
        ),
        _int("min_count", _("Minimum complaints this week"), 10, 1, 1_000_000),
        _int("weeks", _("Trailing weeks averaged"), 4, 1, 26),
        ParamSpec(
            "scenario", _("Contingency plan scenario (red alerts)"), "choice", "mass_complaints", choices=_SCENARIOS
        ),
        _ESCALATE,
    ),
    RuleKind.GROUP_COMPLAINTS: (
        _int("count", _("Complaints from one group"), 5, 2, 10_000),
        _int(
            "min_customers",
            _("Distinct customers at least"),
            2,
            1,
            10_000,
            help_text=_("One customer complaining many times is not a group."),
        ),
        _int("window_hours", _("Within (hours)"), 72, 1, 24 * 31),
        ParamSpec(
            "scenario", _("Contingency plan scenario (red alerts)"), "choice", "mass_complaints", choices=_SCENARIOS
        ),
        _ESCALATE,
    ),
    RuleKind.MAJOR_INCIDENT: (_ESCALATE,),
    RuleKind.P_CHART: (
        ParamSpec(
            "metric",
            _("KPI (a share of cases)"),
            "choice",
            KpiCode.CSAT,
            choices=tuple((code, KpiCode(code).label) for code in PROPORTION_KPIS),
        ),
        ParamSpec("grain", _("Period judged"), "choice", Grain.WEEK, choices=_GRAINS),
        ParamSpec(
            "dimension",
            _("Judged per"),
            "choice",
            Dimension.TEAM,
            choices=tuple(
                (d.value, d.label) for d in (Dimension.TEAM, Dimension.AGENT, Dimension.CHANNEL, Dimension.TYPE)
            ),
        ),
        _int("periods", _("Trailing periods for the centre line"), 8, 2, 52),
        _int("min_history", _("Periods with data needed"), 4, 1, 52),
        _int(
            "min_volume",
            _("Minimum cases in the period"),
            30,
            1,
            1_000_000,
            help_text=_("Smaller samples are not judged, so small teams do not alert on noise."),
        ),
        ParamSpec(
            "sigma",
            _("Control limits at (standard deviations)"),
            "decimal",
            Decimal(3),
            Decimal(0),
            Decimal(6),
            above=True,
        ),
        _SCENARIO,
        _ESCALATE,
    ),
}


def param_defaults(kind: str) -> dict[str, Any]:
    return {spec.name: _stored(spec, spec.default) for spec in PARAMS.get(kind, ())}


def _stored(spec: ParamSpec, value: Any) -> Any:
    if spec.type == "int":
        return int(value)
    if spec.type == "decimal":
        return str(value)
    return str(value)


def _bound_message(spec: ParamSpec) -> str:
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        template = (
            gettext("%(label)s must be greater than %(low)s and at most %(high)s.")
            if spec.above
            else gettext("%(label)s must be between %(low)s and %(high)s.")
        )
    elif low is not None:
        template = (
            gettext("%(label)s must be greater than %(low)s.")
            if spec.above
            else gettext("%(label)s must be at least %(low)s.")
        )
    else:
        template = gettext("%(label)s must be at most %(high)s.")
    return template % {"label": spec.label, "low": low, "high": high}


def clean_param(spec: ParamSpec, raw: Any) -> Any:
    """One parameter typed and checked; a DomainError names it and says the rule it broke."""
    if spec.type == "choice":
        value = "" if raw is None else str(raw)
        if value not in spec.choice_values:
            raise DomainError(
                gettext("“%(value)s” is not one of the allowed choices for %(label)s.")
                % {"value": value[:40], "label": spec.label},
                field=spec.name,
                code="invalid_choice",
            )
        return value
    try:
        if isinstance(raw, bool) or raw is None or raw == "":
            raise InvalidOperation
        number = Decimal(str(raw).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        kind = gettext("a whole number") if spec.type == "int" else gettext("a number")
        raise DomainError(
            gettext("%(label)s must be %(kind)s.") % {"label": spec.label, "kind": kind}, field=spec.name
        ) from None
    if spec.type == "int" and number != number.to_integral_value():
        raise DomainError(
            gettext("%(label)s must be %(kind)s.") % {"label": spec.label, "kind": gettext("a whole number")},
            field=spec.name,
        )
    too_low = spec.minimum is not None and (number <= spec.minimum if spec.above else number < spec.minimum)
    too_high = spec.maximum is not None and number > spec.maximum
    if too_low or too_high:
        raise DomainError(_bound_message(spec), field=spec.name, code="out_of_range")
    if spec.type == "int":
        return int(number)
    return str(number.to_integral_value()) if number == number.to_integral_value() else str(number)


def clean_params(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """A rule's parameters, typed and checked (missing ones take their default; unknown ones are refused)."""
    specs = {spec.name: spec for spec in PARAMS.get(kind, ())}
    for name in params:
        if name not in specs:
            raise DomainError(
                gettext("“%(name)s” is not a parameter of this kind of rule.") % {"name": str(name)[:40]},
                field=str(name)[:40],
                code="unknown",
            )
    cleaned = {name: clean_param(spec, params.get(name, spec.default)) for name, spec in specs.items()}
    if kind == RuleKind.P_CHART and cleaned["min_history"] > cleaned["periods"]:
        raise DomainError(
            gettext("%(label)s cannot exceed the number of trailing periods (%(periods)d).")
            % {"label": specs["min_history"].label, "periods": cleaned["periods"]},
            field="min_history",
        )
    return cleaned


def typed_params(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned parameters with decimals as :class:`Decimal`, for the rule evaluators."""
    cleaned = clean_params(kind, {k: v for k, v in params.items() if k in {s.name for s in PARAMS.get(kind, ())}})
    for spec in PARAMS.get(kind, ()):
        if spec.type == "decimal":
            cleaned[spec.name] = Decimal(cleaned[spec.name])
    return cleaned


# --- findings and titles ----------------------------------------------------------------------------


@dataclass
class Finding:
    """What a rule found: the condition (its de-duplication key), level, scope and evidence."""

    condition_key: str
    level: str
    evidence: dict[str, Any]
    dimension: str = Dimension.CENTRE
    key: str = ""
    period_start: dt.date | None = None
    standard_version_id: int | None = None
    scenario: str = ""
    task_force_ids: list[int] = field(default_factory=list)


def _scope_label(evidence: Mapping[str, Any]) -> str:
    dimension = evidence.get("dimension") or Dimension.CENTRE
    if dimension == Dimension.CENTRE:
        return gettext("whole centre")
    name = evidence.get("scope_name") or evidence.get("key") or ""
    if dimension == Dimension.CHANNEL:
        from sqm.tickets.models import Channel

        name = dict(Channel.choices).get(name, name)
    elif dimension == Dimension.TYPE:
        from sqm.tickets.models import TicketType

        name = dict(TicketType.choices).get(name, name)
    return f"{Dimension(dimension).label} {name}"


def _localised(evidence: Mapping[str, Any], field_name: str) -> str:
    from django.utils.translation import get_language

    zh, en = evidence.get(f"{field_name}_zh") or "", evidence.get(f"{field_name}_en") or ""
    return (en or zh) if (get_language() or "").startswith("en") else (zh or en)


def alert_title(alert: Any) -> str:
    """A one-line description of ``alert`` in the active language, built from its evidence."""
    evidence: Mapping[str, Any] = alert.evidence or {}
    kind = evidence.get("kind")
    try:
        if kind == RuleKind.THRESHOLD:
            return gettext(
                "%(indicator)s (%(scope)s) was %(value)s %(unit)s in the period from %(period)s: "
                "%(level)s threshold %(threshold)s reached (target %(target)s)"
            ) % {
                "indicator": _localised(evidence, "indicator"),
                "scope": _scope_label(evidence),
                "value": evidence["value"],
                "unit": evidence.get("unit", ""),
                "period": evidence["period"],
                "level": AlertLevel(evidence["level"]).label,
                "threshold": evidence["threshold"],
                "target": evidence["target"],
            }
        if kind == RuleKind.COMPLAINT_GROWTH:
            growth = evidence.get("growth")
            return gettext(
                "Complaints up %(growth)s week on week: %(this)d in the week from %(period)s against %(last)d"
            ) % {
                "growth": f"{Decimal(growth) * 100:.0f} %" if growth is not None else "∞",
                "this": evidence["this_week"],
                "last": evidence["last_week"],
                "period": evidence["period"],
            }
        if kind == RuleKind.CATEGORY_SURGE:
            return gettext(
                "Complaint surge on “%(category)s”: %(count)d in the week from %(period)s, "
                "%(weeks)d-week average %(average)s"
            ) % {
                "category": _localised(evidence, "category"),
                "count": evidence["count"],
                "period": evidence["period"],
                "weeks": evidence["weeks"],
                "average": evidence["average"],
            }
        if kind == RuleKind.GROUP_COMPLAINTS:
            return gettext("%(count)d complaints from %(customers)d customers of %(group)s within %(hours)d hours") % {
                "count": evidence["count"],
                "customers": evidence["customers"],
                "group": evidence["group"],
                "hours": evidence["window_hours"],
            }
        if kind == RuleKind.P_CHART:
            return gettext(
                "%(metric)s of %(scope)s outside its control limits in the period from %(period)s: "
                "%(value)s %% against a centre line of %(centre)s %% (n = %(n)d)"
            ) % {
                "metric": KpiCode(evidence["metric"]).label,
                "scope": _scope_label(evidence),
                "period": evidence["period"],
                "value": evidence["value"],
                "centre": evidence["centre"],
                "n": evidence["n"],
            }
    except (KeyError, ValueError, TypeError, InvalidOperation):
        pass
    return str(alert.title)


def plain(value: Decimal | int | str) -> str:
    """A decimal without trailing zeros or exponent (90.0000 → "90", 85.5000 → "85.5")."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.to_integral_value())
    return str(number.normalize())


def percent(value: Fraction | Decimal, places: int = 1) -> str:
    """A share as a percentage string with ``places`` decimals (0.9 → "90.0")."""
    number = _fraction_to_decimal(value) if isinstance(value, Fraction) else value
    return str((number * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
