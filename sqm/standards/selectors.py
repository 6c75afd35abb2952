"""Reads of standards: querysets with related rows loaded.

The version of a standard *in force* on a day is the one whose status is effective or superseded
and whose ``[effective_from, effective_until)`` contains the day; approved versions waiting for
their date and drafts never count. Every KPI judgement asks :func:`version_in_force` (or
:func:`indicators_in_force`) with the day it judges, so a past period is judged by the standard
that was in force then. A retired standard judges the days before it was retired, not the ones
after (:func:`_judging_q`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.utils import timezone

from sqm.standards.models import (
    ChangeProposal,
    Clause,
    Indicator,
    ProposalStatus,
    SlaTerm,
    Standard,
    StandardVersion,
    VersionStatus,
)

IN_FORCE_STATUSES = (VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED)
OPEN_VERSION_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


def _in_force_q(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": IN_FORCE_STATUSES, f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gt": on})
    )


def _judging_q(on: dt.date, prefix: str = "") -> Q:
    """The standard still judged ``on``: not retired, or retired after that day (so the history
    of a retired standard's KPIs is still judged by the version that was in force then)."""
    next_day = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    return Q(**{f"{prefix}is_retired": False}) | Q(**{f"{prefix}retired_at__gte": next_day})


def version_in_force(standard: Standard | int, on: dt.date) -> StandardVersion | None:
    """The version of ``standard`` in force on ``on`` (None before its first version took effect)."""
    standard_id = standard.pk if isinstance(standard, Standard) else int(standard)
    return (
        StandardVersion.objects.select_related("standard")
        .filter(_in_force_q(on), standard_id=standard_id)
        .order_by("-effective_from", "-number")
        .first()
    )


def versions_in_force(on: dt.date, *, include_retired: bool = False) -> QuerySet[StandardVersion]:
    """Every standard's version in force on ``on`` (one per standard), with the standard loaded."""
    rows = StandardVersion.objects.select_related("standard").filter(_in_force_q(on))
    if not include_retired:
        rows = rows.filter(standard__is_retired=False)
    return rows.order_by("standard__category", "standard__code")


def indicators_in_force(on: dt.date) -> list[Indicator]:
    """Every indicator of every standard's version in force on ``on`` (standards retired on or
    before that day excluded), with ``version__standard`` loaded (ordered by standard, then position).
    What every KPI judgement of the day ``on`` reads."""
    return list(
        Indicator.objects.select_related("version__standard")
        .filter(_in_force_q(on, "version__"), _judging_q(on, "version__standard__"))
        .order_by("version__standard__category", "version__standard__code", "position", "code")
    )


def indicator_in_force(*, standard_id: int, code: str, on: dt.date) -> Indicator | None:
    """The indicator ``code`` of the standard's version in force on ``on``, if it has one."""
    return (
        Indicator.objects.select_related("version__standard")
        .filter(_in_force_q(on, "version__"), version__standard_id=standard_id, code=code)
        .first()
    )


# --- library --------------------------------------------------------------------------------------


def standard_list(
    *, on: dt.date, category: str = "", q: str = "", include_retired: bool = False
) -> list[tuple[Standard, StandardVersion | None]]:
    """Standards (filtered by category and a code/name search) with their version in force on ``on``.

    Three queries whatever the number of standards: the standards, their versions in force, and
    the count of open drafts.
    """
    rows = Standard.objects.all()
    if not include_retired:
        rows = rows.filter(is_retired=False)
    if category:
        rows = rows.filter(category=category)
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name_zh__icontains=q) | Q(name_en__icontains=q))
    rows = rows.annotate(
        open_versions=Count("versions", filter=Q(versions__status__in=OPEN_VERSION_STATUSES), distinct=True),
        open_proposals=Count("proposals", filter=Q(proposals__status=ProposalStatus.OPEN), distinct=True),
    ).order_by("category", "code")
    standards = list(rows)
    in_force = {
        v.standard_id: v
        for v in StandardVersion.objects.filter(_in_force_q(on), standard_id__in=[s.pk for s in standards])
        .annotate(indicator_count=Count("indicators", distinct=True), clause_count=Count("clauses", distinct=True))
        .order_by("effective_from")
    }
    return [(s, in_force.get(s.pk)) for s in standards]


def standard_get(pk: int) -> Standard:
    """One standard with its owner (raises ``Standard.DoesNotExist``)."""
    return Standard.objects.select_related("owner").get(pk=pk)


def standard_find(pk: int) -> Standard | None:
    """The standard with this id, or None."""
    return Standard.objects.filter(pk=pk).first()


def standard_choices() -> list[Standard]:
    """Every standard by code (the filter list of the proposals page)."""
    return list(Standard.objects.order_by("code"))


def standard_by_code(code: str) -> Standard | None:
    """The standard with this code, or None."""
    return Standard.objects.filter(code=code).first()


def version_list(standard: Standard | int) -> QuerySet[StandardVersion]:
    """A standard's versions, newest first (the timeline), with who approved them."""
    standard_id = standard.pk if isinstance(standard, Standard) else int(standard)
    return (
        StandardVersion.objects.select_related("standard", "approved_by", "created_by", "proposal")
        .filter(standard_id=standard_id)
        .order_by("-number")
    )


def version_detail(pk: int) -> StandardVersion:
    """One version with its clauses, indicators and SLA terms loaded (four queries)."""
    return (
        StandardVersion.objects.select_related("standard", "approved_by", "created_by", "proposal")
        .prefetch_related(
            Prefetch("clauses", queryset=Clause.objects.order_by("position", "number")),
            Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code")),
            Prefetch(
                "sla_terms", queryset=SlaTerm.objects.select_related("policy", "calendar").order_by("policy_code")
            ),
        )
        .get(pk=pk)
    )


def version_find(pk: int) -> StandardVersion | None:
    """The version with this id, or None."""
    return StandardVersion.objects.filter(pk=pk).first()


def previous_version(version: StandardVersion) -> StandardVersion | None:
    """The version of the same standard numbered just before ``version``."""
    return (
        StandardVersion.objects.filter(standard_id=version.standard_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def draft_item(model: type[Model], pk: int) -> Any:
    """A clause, indicator or SLA term (``model``) with its version and standard, or None."""
    return model._default_manager.select_related("version__standard").filter(pk=pk).first()


def latest_version(standard: Standard | int) -> StandardVersion | None:
    """The standard's highest-numbered version, whatever its status (what a new draft copies)."""
    standard_id = standard.pk if isinstance(standard, Standard) else int(standard)
    return StandardVersion.objects.filter(standard_id=standard_id).order_by("-number").first()


def open_version(standard: Standard | int) -> StandardVersion | None:
    """The standard's draft or version in review, if any (there is at most one)."""
    standard_id = standard.pk if isinstance(standard, Standard) else int(standard)
    return (
        StandardVersion.objects.filter(standard_id=standard_id, status__in=OPEN_VERSION_STATUSES)
        .order_by("-number")
        .first()
    )


def versions_awaiting_review() -> QuerySet[StandardVersion]:
    """Versions in review, oldest submission first, with their standard and author."""
    return (
        StandardVersion.objects.select_related("standard", "created_by")
        .filter(status=VersionStatus.IN_REVIEW)
        .order_by("submitted_at")
    )


def versions_due(on: dt.date) -> QuerySet[StandardVersion]:
    """Approved versions whose effective date has come (what ``standards.activate_due`` activates)."""
    return (
        StandardVersion.objects.select_related("standard")
        .filter(status=VersionStatus.APPROVED, effective_from__lte=on)
        .order_by("effective_from", "standard_id", "number")
    )


# --- proposals ------------------------------------------------------------------------------------


def proposal_list(
    *, status: str = "", standard_id: int | None = None, kind: str = "", automatic: bool | None = None
) -> QuerySet[ChangeProposal]:
    """Proposals, newest first, filtered; with the standard, versions and people loaded."""
    rows = ChangeProposal.objects.select_related(
        "standard", "base_version", "raised_by", "decided_by", "result_version"
    )
    if status:
        rows = rows.filter(status=status)
    if standard_id:
        rows = rows.filter(standard_id=standard_id)
    if kind:
        rows = rows.filter(kind=kind)
    if automatic is not None:
        rows = rows.filter(is_automatic=automatic)
    return rows.order_by("-created_at", "-id")


def proposal_get(pk: int) -> ChangeProposal:
    """One proposal with what its page shows (raises ``ChangeProposal.DoesNotExist``)."""
    return ChangeProposal.objects.select_related(
        "standard", "base_version__standard", "raised_by", "decided_by", "result_version"
    ).get(pk=pk)


def open_automatic_proposal(*, standard_id: int, indicator_code: str, kind: str) -> ChangeProposal | None:
    """The open system proposal of this standard, indicator and kind, if any (there is at most one)."""
    return ChangeProposal.objects.filter(
        standard_id=standard_id, indicator_code=indicator_code, kind=kind, is_automatic=True, status=ProposalStatus.OPEN
    ).first()


# --- SOPs -----------------------------------------------------------------------------------------


def sops_in_force(*, on: dt.date, ticket_type: str | None = None, category: str = "", q: str = "") -> list[Clause]:
    """Clauses published as SOPs (``sop_kind`` set) of the versions in force on ``on``.

    With ``ticket_type``, only the SOPs that apply to that type (an empty ``ticket_types`` list
    applies to every ticket). The type filter runs in Python: JSON containment differs between
    SQLite and PostgreSQL, and the SOP list is short.
    """
    rows = (
        Clause.objects.select_related("version__standard")
        .filter(_in_force_q(on, "version__"), version__standard__is_retired=False)
        .exclude(sop_kind="")
        .order_by("version__standard__category", "version__standard__code", "position", "number")
    )
    if category:
        rows = rows.filter(version__standard__category=category)
    if q:
        rows = rows.filter(
            Q(title_zh__icontains=q) | Q(title_en__icontains=q) | Q(body_zh__icontains=q) | Q(body_en__icontains=q)
        )
    clauses = list(rows)
    if ticket_type is not None:
        clauses = [c for c in clauses if not c.ticket_types or ticket_type in c.ticket_types]
    return clauses


def clause_get(pk: int) -> Clause:
    """One clause with its version and standard (raises ``Clause.DoesNotExist``)."""
    return Clause.objects.select_related("version__standard").get(pk=pk)


def sop_successor(clause: Clause, in_force: StandardVersion) -> Clause | None:
    """The SOP with the same clause number in ``in_force`` (where an older version's SOP went)."""
    if in_force.pk == clause.version_id:
        return None
    return Clause.objects.filter(version=in_force, number=clause.number).exclude(sop_kind="").first()
