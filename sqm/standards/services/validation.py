"""The rules of the standards library (docs/standards.md, "Rules"): every check raises a
:class:`DomainError` naming the field, with a message that says the rule.

The ``*_values`` functions clean the input of a clause, an indicator or an SLA term and return the
values to save; the ``check_*`` functions check a whole version before it goes to review.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError
from sqm.core.validation import check_choice, clean_text
from sqm.standards.catalogue import CATALOGUE, Direction, KpiCode
from sqm.standards.models import (
    Clause,
    EvidenceKind,
    Indicator,
    ScopeDimension,
    SlaTerm,
    SopKind,
    StandardCategory,
    StandardVersion,
    VersionStatus,
)

CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
MAX_EVIDENCE = 20
HUNDRED = Decimal(100)
# Bounds of indicator values by KPI (in the KPI's display unit); other KPIs are only non-negative.
_PERCENT_KPIS = {
    KpiCode.CSAT,
    KpiCode.RESOLUTION_RATE,
    KpiCode.FCR,
    KpiCode.SLA_RESPONSE,
    KpiCode.SLA_RESOLUTION,
    KpiCode.REOPEN_RATE,
}
_BOUNDS: dict[str, tuple[Decimal, Decimal | None]] = {
    **{code.value: (Decimal(0), HUNDRED) for code in _PERCENT_KPIS},
    KpiCode.NPS.value: (Decimal(-100), HUNDRED),
    KpiCode.AVG_RATING.value: (Decimal(0), Decimal(5)),
}
TIERS = ("target", "yellow", "orange", "red")


# --- single values --------------------------------------------------------------------------------


def clean_code(value: str, field: str = "code") -> str:
    """A code of at most 40 letters, digits, dots, hyphens and underscores."""
    code = clean_text(value, field, 40)
    if not set(code) <= CODE_CHARS:
        raise DomainError(
            _("Use only letters, digits, dots, hyphens and underscores in a code (no spaces)."), field=field
        )
    return code


def to_decimal(value: Any, field: str) -> Decimal:
    """A finite number below 10⁸, kept to four decimal places."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainError(_("Enter a number."), field=field) from exc
    if not number.is_finite():
        raise DomainError(_("Enter a number."), field=field)
    if abs(number) >= Decimal("1e8"):
        raise DomainError(_("This number is too large."), field=field)
    return number.quantize(Decimal("0.0001"))


def to_int(value: Any, field: str, minimum: int = 0, maximum: int = 10**9) -> int:
    """A whole number from ``minimum`` to ``maximum``."""
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Enter a whole number."), field=field) from exc
    if number < minimum or number > maximum:
        raise DomainError(
            _("Enter a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum}, field=field
        )
    return number


def plain(value: Decimal) -> str:
    """``92.5000`` → ``92.5``; ``90.0000`` → ``90``."""
    return format(value.normalize(), "f")


def lock_draft(version: StandardVersion, field: str = "version") -> StandardVersion:
    """Lock the version's row and return it fresh, if it is a draft: only drafts are edited;
    anything else is changed through a new version. (Locked, so that a draft being sent for
    review cannot gain a clause at the same moment.)"""
    current = StandardVersion.objects.select_for_update().filter(pk=version.pk).first()
    if current is None or current.status != VersionStatus.DRAFT:
        raise DomainError(
            _("Version %(number)d is %(status)s and cannot be edited; open a new draft version instead.")
            % {"number": version.number, "status": VersionStatus(current.status if current else version.status).label},
            field=field,
            code="not_editable",
        )
    return current


# --- indicators -----------------------------------------------------------------------------------


def _threshold_message(higher: bool) -> Any:
    if higher:
        return _(
            "With higher is better, the %(worse)s threshold (%(worse_value)s) must not be above "
            "%(better)s (%(better_value)s): target ≥ yellow ≥ orange ≥ red."
        )
    return _(
        "With lower is better, the %(worse)s threshold (%(worse_value)s) must not be below "
        "%(better)s (%(better_value)s): target ≤ yellow ≤ orange ≤ red."
    )


def check_thresholds(*, direction: str, target: Decimal, yellow: Decimal, orange: Decimal, red: Decimal) -> None:
    """The tiers must get worse in the indicator's direction: for higher-is-better
    target ≥ yellow ≥ orange ≥ red; for lower-is-better target ≤ yellow ≤ orange ≤ red."""
    values = {"target": target, "yellow": yellow, "orange": orange, "red": red}
    higher = direction == Direction.HIGHER
    labels = {"target": _("the target"), "yellow": _("yellow"), "orange": _("orange"), "red": _("red")}
    for better, worse in itertools.pairwise(TIERS):
        wrong = (values[worse] > values[better]) if higher else (values[worse] < values[better])
        if wrong:
            params = {
                "worse": labels[worse],
                "worse_value": plain(values[worse]),
                "better": labels[better],
                "better_value": plain(values[better]),
            }
            raise DomainError(_threshold_message(higher) % params, field=worse, code="threshold_order")


def check_bounds(kpi: str, values: dict[str, Decimal]) -> None:
    """Each value lies in the KPI's range: percentages 0–100, NPS −100–100, rating 0–5, else ≥ 0."""
    low, high = _BOUNDS.get(kpi, (Decimal(0), None))
    for field, value in values.items():
        if value >= low and (high is None or value <= high):
            continue
        if high is None:
            message = _("%(kpi)s cannot be negative.") % {"kpi": KpiCode(kpi).label}
        else:
            message = _("%(kpi)s lies between %(low)s and %(high)s.") % {
                "kpi": KpiCode(kpi).label,
                "low": plain(low),
                "high": plain(high),
            }
        raise DomainError(message, field=field, code="out_of_range")


def check_scope(scope: str, scope_key: str) -> str:
    """The scope value names a team code, channel or ticket type that exists (blank: each one);
    a centre-wide indicator has none. Returns the cleaned value."""
    from sqm.org.models import Team
    from sqm.tickets.models import Channel, TicketType

    check_choice(scope, ScopeDimension, "scope")
    key = (scope_key or "").strip()
    if scope == ScopeDimension.CENTRE:
        if key:
            raise DomainError(_("A centre-wide indicator has no scope value; leave it blank."), field="scope_key")
        return ""
    if not key:
        return ""
    if scope == ScopeDimension.CHANNEL:
        check_choice(key, Channel, "scope_key")
    elif scope == ScopeDimension.TYPE:
        check_choice(key, TicketType, "scope_key")
    elif not Team.objects.filter(code=key).exists():
        raise DomainError(_("No team has the code “%(code)s”.") % {"code": key[:40]}, field="scope_key")
    return key


def default_unit(kpi: str) -> str:
    """The KPI's unit as stored: its English msgid, shown translated by ``Indicator.unit_label``."""
    with translation.override("en"):
        return str(CATALOGUE[KpiCode(kpi)].unit)


def _kpi_direction(kpi: str, direction: str | None) -> str:
    """The KPI's own direction (an indicator reads its KPI the way the catalogue defines it)."""
    check_choice(kpi, KpiCode, "kpi")
    spec = CATALOGUE[KpiCode(kpi)]
    direction = direction or spec.direction
    check_choice(direction, Direction, "direction")
    if direction != spec.direction:
        raise DomainError(
            _("%(kpi)s is a KPI where %(direction)s; the indicator must read it the same way.")
            % {"kpi": KpiCode(kpi).label, "direction": str(Direction(spec.direction).label).lower()},
            field="direction",
        )
    return direction


def _weight(value: Any) -> Decimal:
    weight = to_decimal(value, "weight")
    if not Decimal(0) < weight <= HUNDRED:
        raise DomainError(_("The weight is a share of 100: more than 0 and at most 100."), field="weight")
    return weight.quantize(Decimal("0.01"))


def _review_margin(value: Any) -> Decimal:
    margin = to_decimal(value, "review_margin")
    if not Decimal(0) < margin < Decimal(1):
        raise DomainError(
            _("The review margin is a fraction of the target between 0 and 1, e.g. 0.1 for 10 %."),
            field="review_margin",
        )
    return margin.quantize(Decimal("0.001"))


def indicator_values(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    kpi: str,
    target: Any,
    yellow: Any,
    orange: Any,
    red: Any,
    weight: Any,
    unit: str | None,
    direction: str | None,
    scope: str,
    scope_key: str,
    min_volume: Any,
    review_margin: Any,
    review_periods: Any,
) -> dict[str, Any]:
    """The cleaned values of an indicator: the KPI's direction, values within the KPI's range,
    thresholds in order, a weight from 0 to 100 and a scope that exists."""
    code = clean_code(code)
    direction = _kpi_direction(kpi, direction)
    tiers = {name: to_decimal(raw, name) for name, raw in zip(TIERS, (target, yellow, orange, red), strict=True)}
    check_bounds(kpi, tiers)
    check_thresholds(direction=direction, **tiers)
    return {
        "code": code,
        "name_zh": clean_text(name_zh, "name_zh", 120),
        "name_en": clean_text(name_en, "name_en", 120),
        "kpi": kpi,
        "unit": clean_text(unit, "unit", 30, required=False) or default_unit(kpi),
        "direction": direction,
        **tiers,
        "weight": _weight(weight),
        "scope": scope,
        "scope_key": check_scope(scope, scope_key),
        "min_volume": to_int(min_volume, "min_volume", 0, 1_000_000),
        "review_margin": _review_margin(review_margin),
        "review_periods": to_int(review_periods, "review_periods", 1, 24),
    }


def check_indicator_code_free(version: StandardVersion, code: str, exclude_pk: int | None = None) -> None:
    """Indicator codes are unique within a version."""
    rows = Indicator.objects.filter(version=version, code=code)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        raise DomainError(
            _("Indicator %(code)s exists already in this version.") % {"code": code}, field="code", code="unique"
        )


# --- clauses --------------------------------------------------------------------------------------


def clean_ticket_types(ticket_types: Iterable[str] | None) -> list[str]:
    """Known ticket types, each once, in the order given."""
    from sqm.tickets.models import TicketType

    result: list[str] = []
    for value in ticket_types or ():
        check_choice(value, TicketType, "ticket_types")
        if value not in result:
            result.append(value)
    return result


def clause_values(
    *,
    number: str,
    title_zh: str,
    title_en: str,
    body_zh: str,
    body_en: str,
    sop_kind: str,
    ticket_types: Iterable[str] | None,
) -> dict[str, Any]:
    """The cleaned values of a clause (a Chinese title and text are required)."""
    number = clean_text(number, "number", 20)
    if not set(number) <= CODE_CHARS:
        raise DomainError(_("Number a clause with digits and dots, e.g. 4.2."), field="number")
    check_choice(sop_kind or "", SopKind, "sop_kind")
    return {
        "number": number,
        "title_zh": clean_text(title_zh, "title_zh", 200),
        "title_en": clean_text(title_en, "title_en", 200, required=False),
        "body_zh": clean_text(body_zh, "body_zh", 20000),
        "body_en": clean_text(body_en, "body_en", 20000, required=False),
        "sop_kind": sop_kind or "",
        "ticket_types": clean_ticket_types(ticket_types),
    }


def check_clause_number_free(version: StandardVersion, number: str, exclude_pk: int | None = None) -> None:
    """Clause numbers are unique within a version."""
    rows = Clause.objects.filter(version=version, number=number)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        raise DomainError(
            _("Clause %(number)s exists already in this version.") % {"number": number}, field="number", code="unique"
        )


# --- SLA terms ------------------------------------------------------------------------------------


def _check_process(version: StandardVersion) -> None:
    if version.standard.category != StandardCategory.PROCESS:
        raise DomainError(
            _("SLA terms belong to standards of the process category; this standard is “%(category)s”.")
            % {"category": StandardCategory(version.standard.category).label},
            field="policy_code",
        )


def _check_policy_code_free(version: StandardVersion, policy_code: str, exclude_pk: int | None) -> None:
    """One term per policy code in a version, and a policy code belongs to one standard only."""
    clash = SlaTerm.objects.filter(version=version, policy_code=policy_code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(
            _("This version has an SLA term for policy %(code)s already.") % {"code": policy_code},
            field="policy_code",
            code="unique",
        )
    other = (
        SlaTerm.objects.filter(policy_code=policy_code)
        .exclude(version__standard_id=version.standard_id)
        .select_related("version__standard")
        .first()
    )
    if other is not None:
        raise DomainError(
            _("SLA policy %(code)s belongs to the standard %(standard)s.")
            % {"code": policy_code, "standard": other.version.standard.code},
            field="policy_code",
            code="unique",
        )


def _check_applies_to(ticket_type: str, priority: str, tier: str) -> str:
    """Known ticket type, priority and customer tier (each blank: any). Returns the cleaned tier."""
    from sqm.org.models import CustomerTier
    from sqm.tickets.models import Priority, TicketType

    if ticket_type:
        check_choice(ticket_type, TicketType, "ticket_type")
    if priority:
        check_choice(priority, Priority, "priority")
    tier = clean_text(tier, "tier", 20, required=False)
    if tier and tier not in CustomerTier.values:
        raise DomainError(
            _("Unknown customer tier “%(tier)s”; choose one of: %(choices)s.")
            % {"tier": tier, "choices": ", ".join(CustomerTier.values)},
            field="tier",
            code="invalid_choice",
        )
    return tier


def _targets(response_minutes: Any, resolution_minutes: Any) -> tuple[int, int]:
    response = to_int(response_minutes, "response_minutes", 1, 525_600)
    resolution = to_int(resolution_minutes, "resolution_minutes", 1, 5_256_000)
    if resolution <= response:
        raise DomainError(
            _(
                "The resolution target (%(resolution)d minutes) must be longer than the response target (%(response)d minutes)."
            )
            % {"resolution": resolution, "response": response},
            field="resolution_minutes",
        )
    return response, resolution


def _warn_fraction(value: Any) -> Decimal:
    warn = to_decimal(value, "warn_fraction")
    if not Decimal(0) < warn < Decimal(1):
        raise DomainError(_("Warn at a fraction between 0 and 1, e.g. 0.75."), field="warn_fraction")
    return warn.quantize(Decimal("0.01"))


def term_values(
    *,
    version: StandardVersion,
    exclude_pk: int | None,
    policy_code: str,
    name: str,
    ticket_type: str,
    priority: str,
    tier: str,
    response_minutes: Any,
    resolution_minutes: Any,
    warn_fraction: Any,
    escalate_after_minutes: Any,
    calendar: Any,
) -> dict[str, Any]:
    """The cleaned values of an SLA term of a process standard (``version.standard`` loaded):
    a policy code of its own, known ticket type, priority and tier, resolution longer than response."""
    _check_process(version)
    policy_code = clean_code(policy_code, "policy_code")
    _check_policy_code_free(version, policy_code, exclude_pk)
    tier = _check_applies_to(ticket_type, priority, tier)
    response, resolution = _targets(response_minutes, resolution_minutes)
    return {
        "policy_code": policy_code,
        "name": clean_text(name, "name", 100),
        "ticket_type": ticket_type or "",
        "priority": priority or "",
        "tier": tier,
        "response_minutes": response,
        "resolution_minutes": resolution,
        "warn_fraction": _warn_fraction(warn_fraction),
        "escalate_after_minutes": to_int(escalate_after_minutes, "escalate_after_minutes", 0, 100_000),
        "calendar": calendar,
    }


# --- a whole version ------------------------------------------------------------------------------


def check_weights(version: StandardVersion) -> None:
    """The weights of a version's indicators add up to 100 (a version without indicators has none)."""
    weights = list(Indicator.objects.filter(version=version).values_list("weight", flat=True))
    if not weights:
        return
    total = sum(weights, Decimal(0))
    if total != HUNDRED:
        raise DomainError(
            _("The weights of the indicators add up to %(sum)s %%; they must add up to 100 %%.")
            % {"sum": plain(total)},
            field="weight",
            code="weights_sum",
        )


def check_ready_for_review(version: StandardVersion) -> None:
    """A draft goes to review complete and consistent: some content, weights adding up to 100,
    every indicator's thresholds in order, SLA terms only on a process standard that is not retired."""
    if version.status != VersionStatus.DRAFT:
        raise DomainError(_("Only a draft can be submitted for review."), field="status", code="not_draft")
    if version.standard.is_retired:
        raise DomainError(_("This standard is retired; it takes no new versions."), field="standard")
    if not version.clauses.exists() and not version.indicators.exists():
        raise DomainError(_("A version needs at least one clause or indicator."), field="clauses", code="empty")
    check_weights(version)
    for indicator in version.indicators.all():
        check_thresholds(**{"direction": indicator.direction, **{t: getattr(indicator, t) for t in TIERS}})
    if version.sla_terms.exists() and version.standard.category != StandardCategory.PROCESS:
        raise DomainError(_("Only standards of the process category carry SLA terms."), field="sla_terms")


# --- proposals ------------------------------------------------------------------------------------


def _evidence_item(raw: Any) -> dict[str, str] | None:
    """One cleaned evidence item, or None for an empty row of the form."""
    if not isinstance(raw, dict):
        raise DomainError(_("Each evidence item needs a kind and a reference."), field="evidence")
    kind = str(raw.get("kind") or "").strip()
    reference = str(raw.get("reference") or "").strip()
    note = str(raw.get("note") or "").strip()
    if not kind and not reference and not note:
        return None
    check_choice(kind, EvidenceKind, "evidence")
    return {
        "kind": kind,
        "reference": clean_text(reference, "evidence", 300),
        "note": clean_text(note, "evidence", 2000, required=False),
    }


def clean_evidence(evidence: Any) -> list[dict[str, str]]:
    """At least one and at most 20 pieces of evidence, each of a known kind with a reference."""
    if not isinstance(evidence, list | tuple):
        raise DomainError(_("Evidence is a list of items."), field="evidence")
    items = [item for item in map(_evidence_item, evidence) if item is not None]
    if not items:
        raise DomainError(
            _(
                "Cite at least one piece of evidence: a KPI trend, an evaluation, customer suggestions or a corrective action."
            ),
            field="evidence",
            code="required",
        )
    if len(items) > MAX_EVIDENCE:
        raise DomainError(_("Cite at most %(max)d evidence items.") % {"max": MAX_EVIDENCE}, field="evidence")
    return items
