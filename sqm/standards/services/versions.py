"""The lifecycle of a standard's versions::

    draft ──submit──▶ in review ──approve(date)──▶ approved ──date comes──▶ effective ──next one──▶ superseded
                          └──reject──▶ rejected

A change to anything approved or in force is a new draft (:func:`version_create_draft`, a copy of
the latest version). Approving fixes ``effective_from`` (today or later, after every earlier
version's date); the version takes effect on that day (:func:`version_activate`, at once when the
day is today, else by the hourly task ``standards.activate_due``) and the one it replaces gets
``effective_until`` = that day, so the version in force on any date is one query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError
from sqm.core.roles import Cap
from sqm.core.validation import clean_text
from sqm.standards import selectors
from sqm.standards.models import (
    ChangeProposal,
    Clause,
    Indicator,
    SlaTerm,
    Standard,
    StandardVersion,
    VersionStatus,
)
from sqm.standards.services import common
from sqm.standards.services.common import VERSION_FIELDS, notify_later, others, quality_managers, require, version_link
from sqm.standards.services.sla import fold_sla_terms
from sqm.standards.services.validation import check_ready_for_review, lock_draft

# --- drafts ---------------------------------------------------------------------------------------


def _check_can_open_draft(standard: Standard) -> None:
    if standard.is_retired:
        raise DomainError(_("This standard is retired; it takes no new versions."), field="standard")
    pending = selectors.open_version(standard)
    if pending is not None:
        raise DomainError(
            _("Version %(number)d is still %(status)s; finish it before opening another draft.")
            % {"number": pending.number, "status": VersionStatus(pending.status).label},
            field="standard",
            code="open_draft",
        )


def _copy_contents(source: StandardVersion, target: StandardVersion) -> None:
    """Copy the clauses, indicators and SLA terms (not their policy links) into the new draft."""
    clauses = list(source.clauses.all())
    for clause in clauses:
        clause.pk, clause.version = None, target
    Clause.objects.bulk_create(clauses)
    indicators = list(source.indicators.all())
    for indicator in indicators:
        indicator.pk, indicator.version = None, target
    Indicator.objects.bulk_create(indicators)
    terms = list(source.sla_terms.all())
    for term in terms:
        term.pk, term.version, term.policy = None, target, None
    SlaTerm.objects.bulk_create(terms)


@transaction.atomic
def version_create_draft(
    *, actor: Any, standard: Standard, proposal: ChangeProposal | None = None, change_note: str = ""
) -> StandardVersion:
    """Open the next version as a draft, copying the latest version's text, clauses, indicators and
    SLA terms. A standard has at most one draft or version in review at a time."""
    require(actor, Cap.STANDARD_EDIT)
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    _check_can_open_draft(standard)
    change_note = clean_text(change_note, "change_note", 5000, required=False)
    source = selectors.latest_version(standard)
    number = (StandardVersion.objects.filter(standard=standard).aggregate(n=Max("number"))["n"] or 0) + 1
    version = StandardVersion.objects.create(
        standard=standard,
        number=number,
        status=VersionStatus.DRAFT,
        title_zh=source.title_zh if source else standard.name_zh,
        title_en=source.title_en if source else standard.name_en,
        purpose_zh=source.purpose_zh if source else "",
        purpose_en=source.purpose_en if source else "",
        change_note=change_note,
        proposal=proposal,
        created_by=actor,
        created_at=timezone.now(),
    )
    if source is not None:
        _copy_contents(source, version)
    changes = {
        **diff(None, snapshot(version, VERSION_FIELDS)),
        "copied_from": {"after": source.number if source else None},
    }
    audit_append(actor=actor, action="create", target=version, changes=changes)
    return version


@transaction.atomic
def version_update(
    *,
    actor: Any,
    version: StandardVersion,
    title_zh: str,
    title_en: str = "",
    purpose_zh: str = "",
    purpose_en: str = "",
    change_note: str = "",
) -> StandardVersion:
    """Edit a draft's title, purpose and change note."""
    require(actor, Cap.STANDARD_EDIT)
    version = lock_draft(version)
    before = snapshot(version, VERSION_FIELDS)
    version.title_zh = clean_text(title_zh, "title_zh", 200)
    version.title_en = clean_text(title_en, "title_en", 200, required=False)
    version.purpose_zh = clean_text(purpose_zh, "purpose_zh", 5000, required=False)
    version.purpose_en = clean_text(purpose_en, "purpose_en", 5000, required=False)
    version.change_note = clean_text(change_note, "change_note", 5000, required=False)
    version.save()
    audit_append(actor=actor, action="update", target=version, changes=diff(before, snapshot(version, VERSION_FIELDS)))
    return version


# --- review -----------------------------------------------------------------------------------------


@transaction.atomic
def version_submit(*, actor: Any, version: StandardVersion) -> StandardVersion:
    """Send a draft to the quality manager for review, once it is complete and consistent
    (weights add up to 100, thresholds in order: see ``validation.check_ready_for_review``)."""
    require(actor, Cap.STANDARD_EDIT)
    version = StandardVersion.objects.select_for_update().select_related("standard").get(pk=version.pk)
    check_ready_for_review(version)
    version.status, version.submitted_at = VersionStatus.IN_REVIEW, timezone.now()
    version.save(update_fields=["status", "submitted_at"])
    changes = {"status": {"before": "draft", "after": "in_review"}}
    audit_append(actor=actor, action="submit", target=version, changes=changes)
    notify_later(
        others(quality_managers(), actor),
        "standard_review",
        _("%(standard)s v%(number)s is waiting for your review."),
        {"standard": version.standard, "number": version.number},
        version_link(version),
    )
    return version


def _latest_date_before(version: StandardVersion) -> dt.date | None:
    """The latest effective date among the standard's other effective, superseded or approved versions."""
    return (
        StandardVersion.objects.filter(
            standard_id=version.standard_id,
            status__in=[VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED, VersionStatus.APPROVED],
        )
        .exclude(pk=version.pk)
        .aggregate(d=Max("effective_from"))["d"]
    )


def _check_effective_from(version: StandardVersion, effective_from: Any, today: dt.date) -> dt.date:
    """Today or later, and after every earlier version's date: effective periods never overlap."""
    if not isinstance(effective_from, dt.date):
        raise DomainError(_("Enter a date."), field="effective_from", code="required")
    if effective_from < today:
        raise DomainError(
            _("The effective date cannot be in the past (today is %(today)s).") % {"today": today.isoformat()},
            field="effective_from",
        )
    latest = _latest_date_before(version)
    if latest is not None and effective_from <= latest:
        raise DomainError(
            _(
                "The effective date overlaps an earlier version: it must be after %(date)s, "
                "when the version before it takes effect."
            )
            % {"date": latest.isoformat()},
            field="effective_from",
            code="overlap",
        )
    return effective_from


@transaction.atomic
def version_approve(
    *, actor: Any, version: StandardVersion, effective_from: dt.date, note: str = ""
) -> StandardVersion:
    """Approve a version in review to take effect on ``effective_from`` (today or later, after the
    version in force and any version already approved). Its SLA terms become ticket SLA policy
    versions from that date; when the date is today the version takes effect at once."""
    require(actor, Cap.STANDARD_APPROVE)
    version = StandardVersion.objects.select_for_update().select_related("standard").get(pk=version.pk)
    Standard.objects.select_for_update().filter(pk=version.standard_id).first()  # one approval at a time
    if version.status != VersionStatus.IN_REVIEW:
        raise DomainError(_("Only a version in review can be approved."), field="status", code="not_in_review")
    today = common.today()
    effective_from = _check_effective_from(version, effective_from, today)
    note = clean_text(note, "note", 5000, required=False)
    before = snapshot(version, VERSION_FIELDS)
    version.status, version.effective_from, version.review_note = VersionStatus.APPROVED, effective_from, note
    version.approved_by, version.approved_at = actor, timezone.now()
    version.save()
    audit_append(actor=actor, action="approve", target=version, changes=diff(before, snapshot(version, VERSION_FIELDS)))
    fold_sla_terms(version, actor)
    notify_later(
        others([version.created_by], actor),
        "standard_approved",
        _("%(standard)s v%(number)s was approved; it takes effect on %(date)s."),
        {"standard": version.standard, "number": version.number, "date": effective_from.isoformat()},
        version_link(version),
    )
    if effective_from <= today:
        version_activate(version=version, actor=actor, today=today)
        version.refresh_from_db()
    return version


@transaction.atomic
def version_reject(*, actor: Any, version: StandardVersion, note: str) -> StandardVersion:
    """Send a version in review back as rejected, with the reason; the editor opens a new draft.
    (``approved_by``/``approved_at`` record who reviewed it and when.)"""
    require(actor, Cap.STANDARD_APPROVE)
    version = StandardVersion.objects.select_for_update().select_related("standard").get(pk=version.pk)
    if version.status != VersionStatus.IN_REVIEW:
        raise DomainError(_("Only a version in review can be rejected."), field="status", code="not_in_review")
    note = clean_text(note, "note", 5000)
    version.status, version.review_note = VersionStatus.REJECTED, note
    version.approved_by, version.approved_at = actor, timezone.now()
    version.save(update_fields=["status", "review_note", "approved_by", "approved_at"])
    changes = {"status": {"before": "in_review", "after": "rejected"}, "review_note": {"after": note}}
    audit_append(actor=actor, action="reject", target=version, changes=changes)
    notify_later(
        others([version.created_by], actor),
        "standard_rejected",
        _("%(standard)s v%(number)s was rejected: %(note)s"),
        {"standard": version.standard, "number": version.number, "note": note[:200]},
        version_link(version),
    )
    return version


# --- taking effect ------------------------------------------------------------------------------------


def _take_effect(version: StandardVersion, actor: Any) -> None:
    """Supersede the version in force (``effective_until`` = this version's date), then put this one in force."""
    for previous in StandardVersion.objects.select_for_update().filter(
        standard_id=version.standard_id, status=VersionStatus.EFFECTIVE
    ):
        previous.status, previous.effective_until = VersionStatus.SUPERSEDED, version.effective_from
        previous.save(update_fields=["status", "effective_until"])
        changes = {
            "status": {"before": "effective", "after": "superseded"},
            "effective_until": {"before": None, "after": version.effective_from},
            "superseded_by": {"after": version.number},
        }
        audit_append(actor=actor, action="supersede", target=previous, changes=changes)
    version.status = VersionStatus.EFFECTIVE
    version.save(update_fields=["status"])
    changes = {"status": {"before": "approved", "after": "effective"}}
    audit_append(actor=actor, action="activate", target=version, changes=changes)


@transaction.atomic
def version_activate(*, version: StandardVersion, actor: Any = None, today: dt.date | None = None) -> StandardVersion:
    """Put an approved version into effect once its date has come: the version in force before it
    is superseded with ``effective_until`` = this version's date. Approved versions of the same
    standard with an earlier date take effect first, in date order, so that each keeps its own
    period even when the task missed their day. Idempotent; ``actor`` None is the task."""
    if actor is not None:
        require(actor, Cap.STANDARD_APPROVE)
    today = today or common.today()
    version = StandardVersion.objects.select_for_update().select_related("standard").get(pk=version.pk)
    if version.status == VersionStatus.EFFECTIVE:
        return version
    if version.status != VersionStatus.APPROVED:
        raise DomainError(_("Only an approved version can take effect."), field="status", code="not_approved")
    assert version.effective_from is not None
    if version.effective_from > today:
        raise DomainError(
            _("This version takes effect on %(date)s, not yet.") % {"date": version.effective_from.isoformat()},
            field="effective_from",
        )
    earlier = StandardVersion.objects.select_for_update().filter(
        standard_id=version.standard_id, status=VersionStatus.APPROVED, effective_from__lt=version.effective_from
    )
    activated = [*earlier.order_by("effective_from", "number"), version]
    for each in activated:
        _take_effect(each, actor)
    if SlaTerm.objects.filter(version__in=activated).exists():
        from sqm.tickets.sla.services import policy_statuses_refresh

        policy_statuses_refresh(today)
    return version


def activate_due(today: dt.date | None = None) -> int:
    """Put every approved version whose date has come into effect (each in its own transaction);
    returns how many. Run hourly by the task ``standards.activate_due``."""
    today = today or common.today()
    done = 0
    for pk in list(selectors.versions_due(today).values_list("pk", flat=True)):
        version = StandardVersion.objects.get(pk=pk)
        if version.status == VersionStatus.APPROVED:
            version_activate(version=version, today=today)
            done += 1
    return done
