"""Standards in the library: adding, renaming, retiring (never deleting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError
from sqm.core.roles import Cap
from sqm.core.validation import check_choice, clean_text
from sqm.standards.models import (
    ChangeProposal,
    ProposalStatus,
    Standard,
    StandardCategory,
    StandardVersion,
    VersionStatus,
)
from sqm.standards.services.common import STANDARD_FIELDS, UNSET, VERSION_FIELDS, require
from sqm.standards.services.validation import clean_code


@transaction.atomic
def standard_create(
    *,
    actor: Any,
    code: str,
    category: str,
    name_zh: str,
    name_en: str,
    owner: Any = None,
    purpose_zh: str = "",
    purpose_en: str = "",
) -> Standard:
    """Add a standard to the library, with an empty draft v1 to write its clauses and indicators in."""
    require(actor, Cap.STANDARD_EDIT)
    code = clean_code(code)
    check_choice(category, StandardCategory, "category")
    name_zh = clean_text(name_zh, "name_zh", 120)
    name_en = clean_text(name_en, "name_en", 120)
    purpose_zh = clean_text(purpose_zh, "purpose_zh", 5000, required=False)
    purpose_en = clean_text(purpose_en, "purpose_en", 5000, required=False)
    if Standard.objects.filter(code__iexact=code).exists():
        raise DomainError(_("A standard with the code “%(code)s” exists already.") % {"code": code}, field="code")
    now = timezone.now()
    standard = Standard.objects.create(
        code=code, category=category, name_zh=name_zh, name_en=name_en, owner=owner or actor, created_at=now
    )
    audit_append(actor=actor, action="create", target=standard, changes=diff(None, snapshot(standard, STANDARD_FIELDS)))
    version = StandardVersion.objects.create(
        standard=standard,
        number=1,
        status=VersionStatus.DRAFT,
        title_zh=name_zh,
        title_en=name_en,
        purpose_zh=purpose_zh,
        purpose_en=purpose_en,
        created_by=actor,
        created_at=now,
    )
    audit_append(actor=actor, action="create", target=version, changes=diff(None, snapshot(version, VERSION_FIELDS)))
    return standard


@transaction.atomic
def standard_update(*, actor: Any, standard: Standard, name_zh: str, name_en: str, owner: Any = UNSET) -> Standard:
    """Rename a standard or hand it to another owner (its versions carry the content)."""
    require(actor, Cap.STANDARD_EDIT)
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    before = snapshot(standard, STANDARD_FIELDS)
    standard.name_zh = clean_text(name_zh, "name_zh", 120)
    standard.name_en = clean_text(name_en, "name_en", 120)
    if owner is not UNSET:
        standard.owner = owner
    standard.save()
    changes = diff(before, snapshot(standard, STANDARD_FIELDS))
    audit_append(actor=actor, action="update", target=standard, changes=changes)
    return standard


@transaction.atomic
def standard_retire(*, actor: Any, standard: Standard, note: str = "") -> Standard:
    """Take a standard out of use. Its versions stay (KPIs, alerts and tickets judged under them
    still point at them) but it no longer judges anything from now on, takes no new drafts and
    its open drafts and proposals are closed. Standards are never deleted: retiring is the way.
    """
    require(actor, Cap.STANDARD_APPROVE)
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.is_retired:
        raise DomainError(_("This standard is retired already."), field="is_retired")
    note = clean_text(note, "note", 2000, required=False)
    before = snapshot(standard, STANDARD_FIELDS)
    now = timezone.now()
    standard.is_retired, standard.retired_at = True, now
    standard.save(update_fields=["is_retired", "retired_at"])
    changes = diff(before, snapshot(standard, STANDARD_FIELDS))
    if note:
        changes["note"] = {"before": None, "after": note}
    audit_append(actor=actor, action="retire", target=standard, changes=changes)
    _close_open_work(standard, actor, note or str(_("The standard was retired.")), now)
    return standard


def _close_open_work(standard: Standard, actor: Any, note: str, now: dt.datetime) -> None:
    """Reject the retired standard's draft or version in review and its open proposals."""
    for version in StandardVersion.objects.filter(
        standard=standard, status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW]
    ):
        version.status, version.review_note = VersionStatus.REJECTED, note
        version.save(update_fields=["status", "review_note"])
        audit_append(actor=actor, action="reject", target=version, changes={"status": {"after": "rejected"}})
    for proposal in ChangeProposal.objects.filter(standard=standard, status=ProposalStatus.OPEN):
        proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.REJECTED, actor, now
        proposal.decision_note = note
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_append(actor=actor, action="reject", target=proposal, changes={"status": {"after": "rejected"}})


def standard_delete(*, actor: Any, standard: Standard) -> None:
    """Refused always: KPIs, alerts and tickets were judged under the standard's versions, so its
    history must stay. Retire it instead."""
    require(actor, Cap.STANDARD_EDIT)
    raise DomainError(
        _(
            "Standards are never deleted: KPIs, alerts and tickets refer to their versions. Retire the standard instead."
        ),
        field="standard",
        code="retire_instead",
    )
