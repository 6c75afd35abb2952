"""The starter library of service standards a customer service centre ships with (issue 5 point 6).

Eight standards across the six categories, in Chinese and English, effective from 2025-01-01:
satisfaction and outcome quality (CSAT ≥ 90 %, NPS, complaint rate, first-contact resolution,
reopen rate, SLA compliance), complaint handling (respond within 1 hour, resolve within
24 hours — 002 §2.2), service response (average response within 30 minutes — 002 §1.3), staff
conduct (polite phrasing), the walk-in hall (greet → guide → open the door → welcome — 003),
communication scripts and customer-data protection. The rows live in ``quality``, ``process``
and ``conduct``.

The SLA terms of the two process standards carry the codes and targets of the default ticket SLA
policies (``sqm/tickets/sla/defaults.py``), so installing the library links each term to the
policy version already in force instead of making a second one.

Used by the data migration (with historical models) and by tests that flushed the database.
Idempotent: a standard whose code exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from sqm.standards.defaults.conduct import CONDUCT
from sqm.standards.defaults.process import PROCESS
from sqm.standards.defaults.quality import QUALITY

EFFECTIVE_FROM = dt.date(2025, 1, 1)
INSTALLED_AT = dt.datetime(2024, 12, 20, 1, 0, tzinfo=dt.UTC)
STANDARDS: list[dict[str, Any]] = [*QUALITY, *PROCESS, *CONDUCT]
INDICATOR_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "kpi",
    "unit",
    "direction",
    "target",
    "yellow",
    "orange",
    "red",
    "weight",
    "scope",
    "scope_key",
    "min_volume",
    "review_margin",
    "review_periods",
)
DECIMAL_COLUMNS = frozenset({"target", "yellow", "orange", "red", "weight", "review_margin"})


class Models(NamedTuple):
    """The model classes to write with: the live ones, or a migration's historical ones."""

    standard: Any
    version: Any
    clause: Any
    indicator: Any
    term: Any
    policy: Any


def _live_models() -> Models:
    from sqm.standards.models import Clause, Indicator, SlaTerm, Standard, StandardVersion
    from sqm.tickets.models import SlaPolicy

    return Models(Standard, StandardVersion, Clause, Indicator, SlaTerm, SlaPolicy)


def _version(models: Models, spec: dict[str, Any]) -> Any:
    """The standard and its effective v1."""
    standard = models.standard.objects.create(
        code=spec["code"],
        category=spec["category"],
        name_zh=spec["name_zh"],
        name_en=spec["name_en"],
        created_at=INSTALLED_AT,
    )
    return models.version.objects.create(
        standard=standard,
        number=1,
        status="effective",
        title_zh=spec["name_zh"],
        title_en=spec["name_en"],
        purpose_zh=spec["purpose_zh"],
        purpose_en=spec["purpose_en"],
        change_note="初版（系统预置） / First edition (shipped with SQM)",
        effective_from=EFFECTIVE_FROM,
        created_at=INSTALLED_AT,
        submitted_at=INSTALLED_AT,
        approved_at=INSTALLED_AT,
    )


def _clauses(models: Models, version: Any, rows: list[tuple[Any, ...]]) -> None:
    models.clause.objects.bulk_create(
        [
            models.clause(
                version=version,
                number=number,
                position=position,
                title_zh=title_zh,
                title_en=title_en,
                body_zh=body_zh,
                body_en=body_en,
                sop_kind=sop_kind,
                ticket_types=list(ticket_types),
            )
            for position, (number, title_zh, title_en, body_zh, body_en, sop_kind, ticket_types) in enumerate(
                rows, start=1
            )
        ]
    )


def _indicators(models: Models, version: Any, rows: list[tuple[Any, ...]]) -> None:
    def values(row: tuple[Any, ...]) -> dict[str, Any]:
        named = dict(zip(INDICATOR_COLUMNS, row, strict=True))
        return {k: Decimal(v) if k in DECIMAL_COLUMNS else v for k, v in named.items()}

    models.indicator.objects.bulk_create(
        [
            models.indicator(version=version, position=position, **values(row))
            for position, row in enumerate(rows, start=1)
        ]
    )


def _shipped_policy(models: Models, term: tuple[Any, ...]) -> Any:
    """The default SLA policy version in force that promises exactly this term, if any."""
    policy_code, _name, ticket_type, priority, response, resolution, warn, escalate = term
    return (
        models.policy.objects.filter(
            code=policy_code,
            status="effective",
            ticket_type=ticket_type,
            priority=priority,
            tier__isnull=True,
            response_minutes=response,
            resolution_minutes=resolution,
            warn_fraction=float(warn),
            escalate_after_minutes=escalate,
            calendar__isnull=True,
        )
        .order_by("-version")
        .first()
    )


def _terms(models: Models, version: Any, rows: list[tuple[Any, ...]]) -> int:
    """Create the SLA terms, each linked to its shipped policy; returns how many were linked."""
    linked = 0
    for row in rows:
        policy_code, name, ticket_type, priority, response, resolution, warn, escalate = row
        policy = _shipped_policy(models, row)
        models.term.objects.create(
            version=version,
            policy_code=policy_code,
            name=name,
            ticket_type=ticket_type,
            priority=priority,
            response_minutes=response,
            resolution_minutes=resolution,
            warn_fraction=Decimal(warn),
            escalate_after_minutes=escalate,
            policy=policy,
        )
        linked += int(policy is not None)
    return linked


def install_standard_defaults(
    standard_model: Any = None,
    version_model: Any = None,
    clause_model: Any = None,
    indicator_model: Any = None,
    term_model: Any = None,
    policy_model: Any = None,
) -> dict[str, int]:
    """Create the starter standards where missing, each with an effective v1 from 2025-01-01;
    returns how many rows of each kind were made. Without arguments, the live models are used."""
    if standard_model is None:
        models = _live_models()
    else:
        models = Models(standard_model, version_model, clause_model, indicator_model, term_model, policy_model)
    made = {"standards": 0, "clauses": 0, "indicators": 0, "terms": 0, "linked_policies": 0}
    for spec in STANDARDS:
        if models.standard.objects.filter(code=spec["code"]).exists():
            continue
        version = _version(models, spec)
        _clauses(models, version, spec["clauses"])
        _indicators(models, version, spec["indicators"])
        made["linked_policies"] += _terms(models, version, spec["terms"])
        made["standards"] += 1
        made["clauses"] += len(spec["clauses"])
        made["indicators"] += len(spec["indicators"])
        made["terms"] += len(spec["terms"])
    return made
