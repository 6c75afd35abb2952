"""Writing a draft's contents: clauses (some published as SOPs), measurable indicators and SLA
terms. Every write locks the draft first (:func:`validation.lock_draft`), so nothing is edited once
a version has gone to review, been approved or taken effect."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet

from sqm.audit.services import audit_append, diff, jsonable, snapshot
from sqm.core.roles import Cap
from sqm.standards.models import Clause, Indicator, ScopeDimension, SlaTerm, StandardVersion
from sqm.standards.services.common import CLAUSE_FIELDS, INDICATOR_FIELDS, TERM_FIELDS, require
from sqm.standards.services.validation import (
    check_clause_number_free,
    check_indicator_code_free,
    clause_values,
    indicator_values,
    lock_draft,
    term_values,
)


def _next_position(rows: QuerySet[Any]) -> int:
    return int((rows.aggregate(p=Max("position"))["p"] or 0) + 1)


# --- clauses ------------------------------------------------------------------------------------------


def _clause_snapshot(clause: Clause) -> dict[str, Any]:
    state = snapshot(clause, CLAUSE_FIELDS)
    state["ticket_types"] = jsonable(list(clause.ticket_types))
    return state


@transaction.atomic
def clause_add(
    *,
    actor: Any,
    version: StandardVersion,
    number: str,
    title_zh: str,
    body_zh: str,
    title_en: str = "",
    body_en: str = "",
    sop_kind: str = "",
    ticket_types: Iterable[str] | None = None,
    position: int | None = None,
) -> Clause:
    """Add a clause to a draft (an SOP when ``sop_kind`` is set)."""
    require(actor, Cap.STANDARD_EDIT)
    version = lock_draft(version)
    values = clause_values(
        number=number,
        title_zh=title_zh,
        title_en=title_en,
        body_zh=body_zh,
        body_en=body_en,
        sop_kind=sop_kind,
        ticket_types=ticket_types,
    )
    check_clause_number_free(version, values["number"])
    if position is None:
        position = _next_position(Clause.objects.filter(version=version))
    clause = Clause.objects.create(version=version, position=position, **values)
    audit_append(actor=actor, action="create", target=clause, changes=diff(None, _clause_snapshot(clause)))
    return clause


@transaction.atomic
def clause_update(
    *,
    actor: Any,
    clause: Clause,
    number: str,
    title_zh: str,
    body_zh: str,
    title_en: str = "",
    body_en: str = "",
    sop_kind: str = "",
    ticket_types: Iterable[str] | None = None,
    position: int | None = None,
) -> Clause:
    """Edit a clause of a draft."""
    require(actor, Cap.STANDARD_EDIT)
    clause = Clause.objects.select_related("version").get(pk=clause.pk)
    lock_draft(clause.version)
    values = clause_values(
        number=number,
        title_zh=title_zh,
        title_en=title_en,
        body_zh=body_zh,
        body_en=body_en,
        sop_kind=sop_kind,
        ticket_types=ticket_types,
    )
    check_clause_number_free(clause.version, values["number"], exclude_pk=clause.pk)
    before = _clause_snapshot(clause)
    for key, value in values.items():
        setattr(clause, key, value)
    if position is not None:
        clause.position = position
    clause.save()
    audit_append(actor=actor, action="update", target=clause, changes=diff(before, _clause_snapshot(clause)))
    return clause


@transaction.atomic
def clause_remove(*, actor: Any, clause: Clause) -> None:
    """Take a clause out of a draft."""
    require(actor, Cap.STANDARD_EDIT)
    clause = Clause.objects.select_related("version").get(pk=clause.pk)
    lock_draft(clause.version)
    audit_append(actor=actor, action="delete", target=clause, changes=diff(_clause_snapshot(clause), None))
    clause.delete()


# --- indicators -------------------------------------------------------------------------------------


@transaction.atomic
def indicator_add(
    *,
    actor: Any,
    version: StandardVersion,
    code: str,
    name_zh: str,
    name_en: str,
    kpi: str,
    target: Any,
    yellow: Any,
    orange: Any,
    red: Any,
    weight: Any,
    unit: str | None = None,
    direction: str | None = None,
    scope: str = ScopeDimension.CENTRE,
    scope_key: str = "",
    min_volume: Any = 30,
    review_margin: Any = "0.1",
    review_periods: Any = 3,
    position: int | None = None,
) -> Indicator:
    """Add a measurable indicator to a draft. Unit and direction default to the KPI's; the
    thresholds must get worse in that direction (weights are checked when the draft goes to review)."""
    require(actor, Cap.STANDARD_EDIT)
    version = lock_draft(version)
    values = indicator_values(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kpi=kpi,
        target=target,
        yellow=yellow,
        orange=orange,
        red=red,
        weight=weight,
        unit=unit,
        direction=direction,
        scope=scope,
        scope_key=scope_key,
        min_volume=min_volume,
        review_margin=review_margin,
        review_periods=review_periods,
    )
    check_indicator_code_free(version, values["code"])
    if position is None:
        position = _next_position(Indicator.objects.filter(version=version))
    indicator = Indicator.objects.create(version=version, position=position, **values)
    changes = diff(None, snapshot(indicator, INDICATOR_FIELDS))
    audit_append(actor=actor, action="create", target=indicator, changes=changes)
    return indicator


@transaction.atomic
def indicator_update(
    *,
    actor: Any,
    indicator: Indicator,
    code: str,
    name_zh: str,
    name_en: str,
    kpi: str,
    target: Any,
    yellow: Any,
    orange: Any,
    red: Any,
    weight: Any,
    unit: str | None = None,
    direction: str | None = None,
    scope: str = ScopeDimension.CENTRE,
    scope_key: str = "",
    min_volume: Any = 30,
    review_margin: Any = "0.1",
    review_periods: Any = 3,
    position: int | None = None,
) -> Indicator:
    """Edit an indicator of a draft (same rules as :func:`indicator_add`)."""
    require(actor, Cap.STANDARD_EDIT)
    indicator = Indicator.objects.select_related("version").get(pk=indicator.pk)
    lock_draft(indicator.version)
    values = indicator_values(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kpi=kpi,
        target=target,
        yellow=yellow,
        orange=orange,
        red=red,
        weight=weight,
        unit=unit,
        direction=direction,
        scope=scope,
        scope_key=scope_key,
        min_volume=min_volume,
        review_margin=review_margin,
        review_periods=review_periods,
    )
    check_indicator_code_free(indicator.version, values["code"], exclude_pk=indicator.pk)
    before = snapshot(indicator, INDICATOR_FIELDS)
    for key, value in values.items():
        setattr(indicator, key, value)
    if position is not None:
        indicator.position = position
    indicator.save()
    changes = diff(before, snapshot(indicator, INDICATOR_FIELDS))
    audit_append(actor=actor, action="update", target=indicator, changes=changes)
    return indicator


@transaction.atomic
def indicator_remove(*, actor: Any, indicator: Indicator) -> None:
    """Take an indicator out of a draft."""
    require(actor, Cap.STANDARD_EDIT)
    indicator = Indicator.objects.select_related("version").get(pk=indicator.pk)
    lock_draft(indicator.version)
    changes = diff(snapshot(indicator, INDICATOR_FIELDS), None)
    audit_append(actor=actor, action="delete", target=indicator, changes=changes)
    indicator.delete()


# --- SLA terms ----------------------------------------------------------------------------------------


@transaction.atomic
def sla_term_add(
    *,
    actor: Any,
    version: StandardVersion,
    policy_code: str,
    name: str,
    response_minutes: Any,
    resolution_minutes: Any,
    ticket_type: str = "",
    priority: str = "",
    tier: str = "",
    warn_fraction: Any = "0.75",
    escalate_after_minutes: Any = 60,
    calendar: Any = None,
) -> SlaTerm:
    """Add an SLA promise to a draft of a process standard; it becomes a ticket SLA policy version
    when the draft is approved."""
    require(actor, Cap.STANDARD_EDIT)
    version = lock_draft(version)
    values = term_values(
        version=version,
        exclude_pk=None,
        policy_code=policy_code,
        name=name,
        ticket_type=ticket_type,
        priority=priority,
        tier=tier,
        response_minutes=response_minutes,
        resolution_minutes=resolution_minutes,
        warn_fraction=warn_fraction,
        escalate_after_minutes=escalate_after_minutes,
        calendar=calendar,
    )
    term = SlaTerm.objects.create(version=version, **values)
    audit_append(actor=actor, action="create", target=term, changes=diff(None, snapshot(term, TERM_FIELDS)))
    return term


@transaction.atomic
def sla_term_update(
    *,
    actor: Any,
    term: SlaTerm,
    policy_code: str,
    name: str,
    response_minutes: Any,
    resolution_minutes: Any,
    ticket_type: str = "",
    priority: str = "",
    tier: str = "",
    warn_fraction: Any = "0.75",
    escalate_after_minutes: Any = 60,
    calendar: Any = None,
) -> SlaTerm:
    """Edit an SLA term of a draft."""
    require(actor, Cap.STANDARD_EDIT)
    term = SlaTerm.objects.select_related("version__standard").get(pk=term.pk)
    lock_draft(term.version)
    values = term_values(
        version=term.version,
        exclude_pk=term.pk,
        policy_code=policy_code,
        name=name,
        ticket_type=ticket_type,
        priority=priority,
        tier=tier,
        response_minutes=response_minutes,
        resolution_minutes=resolution_minutes,
        warn_fraction=warn_fraction,
        escalate_after_minutes=escalate_after_minutes,
        calendar=calendar,
    )
    before = snapshot(term, TERM_FIELDS)
    for key, value in values.items():
        setattr(term, key, value)
    term.save()
    audit_append(actor=actor, action="update", target=term, changes=diff(before, snapshot(term, TERM_FIELDS)))
    return term


@transaction.atomic
def sla_term_remove(*, actor: Any, term: SlaTerm) -> None:
    """Take an SLA term out of a draft (the policy in force stays as it is)."""
    require(actor, Cap.STANDARD_EDIT)
    term = SlaTerm.objects.select_related("version").get(pk=term.pk)
    lock_draft(term.version)
    audit_append(actor=actor, action="delete", target=term, changes=diff(snapshot(term, TERM_FIELDS), None))
    term.delete()
