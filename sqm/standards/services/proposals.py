"""Change proposals (标准动态调整): staff propose a change citing evidence, the system asks for a
review when an indicator beats or misses its target for N periods, and the quality manager
accepts (the next draft takes it up) or declines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, jsonable, snapshot
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap
from sqm.core.validation import clean_text
from sqm.standards import selectors
from sqm.standards.models import (
    ChangeProposal,
    Indicator,
    ProposalKind,
    ProposalStatus,
    Standard,
    StandardVersion,
    VersionStatus,
)
from sqm.standards.services import common
from sqm.standards.services.common import (
    PROPOSAL_FIELDS,
    notify_later,
    others,
    proposal_link,
    quality_managers,
    require,
)
from sqm.standards.services.validation import clean_evidence
from sqm.standards.services.versions import version_create_draft

RETIRED = _("This standard is retired; it takes no new versions.")
DECIDED = _("This proposal has been decided already.")


def _snapshot(proposal: ChangeProposal) -> dict[str, Any]:
    state = snapshot(proposal, PROPOSAL_FIELDS)
    state["evidence"] = jsonable(list(proposal.evidence))
    return state


# --- raising -------------------------------------------------------------------------------------------


def _base_version(standard: Standard, base_version: StandardVersion | None) -> StandardVersion:
    """The version a proposal is about: the one given, or the one in force today. It must belong
    to the standard and be in force or approved; a superseded version is refused."""
    if base_version is None:
        base_version = selectors.version_in_force(standard, common.today())
        if base_version is None:
            raise DomainError(
                _("This standard has no version in force yet; there is nothing to propose a change to."),
                field="base_version",
            )
    base_version = StandardVersion.objects.get(pk=base_version.pk)
    if base_version.standard_id != standard.pk:
        raise DomainError(_("This version belongs to another standard."), field="base_version")
    if base_version.status == VersionStatus.SUPERSEDED:
        in_force = selectors.version_in_force(standard, common.today())
        raise DomainError(
            _("Version %(number)d is superseded; propose your change to the version in force (v%(current)s).")
            % {"number": base_version.number, "current": in_force.number if in_force else "—"},
            field="base_version",
            code="superseded",
        )
    if base_version.status not in (VersionStatus.EFFECTIVE, VersionStatus.APPROVED):
        raise DomainError(
            _("Propose changes to a version that is in force or approved, not to a %(status)s one.")
            % {"status": str(VersionStatus(base_version.status).label).lower()},
            field="base_version",
        )
    return base_version


def _indicator_code(base_version: StandardVersion, indicator_code: str) -> str:
    """Blank, or the code of an indicator of the base version."""
    code = (indicator_code or "").strip()
    if code and not Indicator.objects.filter(version=base_version, code=code).exists():
        raise DomainError(
            _("Version %(number)d has no indicator %(code)s.") % {"number": base_version.number, "code": code[:40]},
            field="indicator_code",
        )
    return code


@transaction.atomic
def proposal_create(
    *,
    actor: Any,
    standard: Standard,
    title: str,
    rationale: str,
    evidence: Sequence[dict[str, Any]],
    base_version: StandardVersion | None = None,
    indicator_code: str = "",
) -> ChangeProposal:
    """Anyone on the staff proposes a change to a standard, citing at least one piece of evidence
    (KPI trend, evaluation, customer suggestions, corrective action). The proposal is against the
    version in force (or one approved and waiting for its date); a superseded version is refused.
    The quality managers are notified on commit."""
    require(actor, Cap.STANDARD_PROPOSE)
    standard = Standard.objects.get(pk=standard.pk)
    if standard.is_retired:
        raise DomainError(
            _("This standard is retired; propose a change to the standard that replaced it."), field="standard"
        )
    base_version = _base_version(standard, base_version)
    proposal = ChangeProposal.objects.create(
        standard=standard,
        base_version=base_version,
        indicator_code=_indicator_code(base_version, indicator_code),
        kind=ProposalKind.CHANGE,
        status=ProposalStatus.OPEN,
        title=clean_text(title, "title", 200),
        rationale=clean_text(rationale, "rationale", 10000),
        evidence=clean_evidence(evidence),
        is_automatic=False,
        raised_by=actor,
        created_at=timezone.now(),
    )
    audit_append(actor=actor, action="create", target=proposal, changes=diff(None, _snapshot(proposal)))
    notify_later(
        others(quality_managers(), actor),
        "standard_proposal",
        _("New change proposal for %(standard)s: %(title)s"),
        {"standard": standard, "title": proposal.title[:120]},
        proposal_link(proposal),
    )
    return proposal


def _automatic_title(kind: str, indicator_code: str, standard: Standard) -> str:
    """The stored title, in the centre's language (pages show ``ChangeProposal.heading`` instead)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(
            _("%(kind)s: %(code)s of %(standard)s")
            % {"kind": ProposalKind(kind).label, "code": indicator_code, "standard": standard.code}
        )[:200]


def _automatic_message(kind: str) -> Any:
    if kind == ProposalKind.RAISE_BAR:
        return _(
            "Review suggested: %(code)s of %(standard)s has beaten its target for several periods; consider raising the bar."
        )
    return _(
        "Review suggested: %(code)s of %(standard)s has missed its target for several periods; please investigate."
    )


def proposal_raise_automatic(
    *, standard: Standard, indicator_code: str, kind: str, rationale: str, evidence: list[dict[str, Any]]
) -> ChangeProposal | None:
    """The system asks for a review of an indicator: ``raise_bar`` when its target was beaten by
    the review margin for N consecutive periods, ``investigate`` when it was missed for N.

    Raised against the version in force today and audited with no actor (the system). Returns
    None, writing nothing, when the same standard, indicator and kind already has an open
    automatic proposal (a partial unique constraint settles concurrent attempts), or when the
    standard is retired or has no version in force. Quality managers are notified on commit.
    """
    if kind not in (ProposalKind.RAISE_BAR, ProposalKind.INVESTIGATE):
        raise DomainError(_("An automatic proposal raises the bar or asks for an investigation."), field="kind")
    standard = Standard.objects.get(pk=standard.pk)
    if standard.is_retired:
        return None
    if selectors.open_automatic_proposal(standard_id=standard.pk, indicator_code=indicator_code, kind=kind):
        return None
    base = selectors.version_in_force(standard, common.today())
    if base is None:
        return None
    items = clean_evidence(evidence)
    rationale = clean_text(rationale, "rationale", 10000)
    try:
        with transaction.atomic():
            proposal = ChangeProposal.objects.create(
                standard=standard,
                base_version=base,
                indicator_code=indicator_code[:40],
                kind=kind,
                status=ProposalStatus.OPEN,
                title=_automatic_title(kind, indicator_code, standard),
                rationale=rationale,
                evidence=items,
                is_automatic=True,
                raised_by=None,
                created_at=timezone.now(),
            )
            audit_append(actor=None, action="create", target=proposal, changes=diff(None, _snapshot(proposal)))
            notify_later(
                quality_managers(),
                f"standard_{kind}",
                _automatic_message(kind),
                {"code": indicator_code, "standard": standard},
                proposal_link(proposal),
            )
    except IntegrityError:
        return None  # another worker raised the same proposal a moment ago
    return proposal


# --- deciding ------------------------------------------------------------------------------------------


def _lock_open(proposal: ChangeProposal) -> ChangeProposal:
    proposal = ChangeProposal.objects.select_for_update().select_related("standard").get(pk=proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise DomainError(DECIDED, field="status", code="decided")
    return proposal


def _decide(proposal: ChangeProposal, actor: Any, status: str, note: str) -> dict[str, Any]:
    """Record the decision on the proposal (not saved yet); returns the snapshot from before."""
    before = _snapshot(proposal)
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, timezone.now()
    proposal.decision_note = note
    return before


def _draft_taking_up(proposal: ChangeProposal, actor: Any) -> StandardVersion:
    """The standard's open draft (linked to the proposal if it has none), or a new one."""
    pending = selectors.open_version(proposal.standard)
    if pending is not None and pending.status == VersionStatus.IN_REVIEW:
        raise DomainError(
            _("Version %(number)d is in review; approve or reject it before taking up this proposal.")
            % {"number": pending.number},
            field="standard",
            code="open_draft",
        )
    if pending is None:
        return version_create_draft(
            actor=actor, standard=proposal.standard, proposal=proposal, change_note=proposal.title
        )
    if pending.proposal_id is None:
        pending.proposal = proposal
        pending.save(update_fields=["proposal"])
        audit_append(actor=actor, action="update", target=pending, changes={"proposal": {"after": proposal.pk}})
    return pending


@transaction.atomic
def proposal_approve(*, actor: Any, proposal: ChangeProposal, note: str = "") -> ChangeProposal:
    """Accept a proposal: the standard's open draft takes it up, or a new draft is opened from
    the latest version and linked to it (the change is then written and reviewed as usual)."""
    require(actor, Cap.STANDARD_APPROVE)
    proposal = _lock_open(proposal)
    if proposal.standard.is_retired:
        raise DomainError(RETIRED, field="standard")
    note = clean_text(note, "note", 5000, required=False)
    draft = _draft_taking_up(proposal, actor)
    before = _decide(proposal, actor, ProposalStatus.APPROVED, note)
    proposal.result_version = draft
    proposal.save()
    audit_append(actor=actor, action="approve", target=proposal, changes=diff(before, _snapshot(proposal)))
    notify_later(
        others([proposal.raised_by], actor),
        "standard_proposal_approved",
        _("Your proposal “%(title)s” was accepted; it is taken up in %(standard)s v%(number)s."),
        {"title": proposal.title[:120], "standard": proposal.standard.code, "number": draft.number},
        proposal_link(proposal),
    )
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: ChangeProposal, note: str) -> ChangeProposal:
    """Decline a proposal, saying why (the author is notified)."""
    require(actor, Cap.STANDARD_APPROVE)
    proposal = _lock_open(proposal)
    note = clean_text(note, "note", 5000)
    before = _decide(proposal, actor, ProposalStatus.REJECTED, note)
    proposal.save()
    audit_append(actor=actor, action="reject", target=proposal, changes=diff(before, _snapshot(proposal)))
    notify_later(
        others([proposal.raised_by], actor),
        "standard_proposal_rejected",
        _("Your proposal “%(title)s” was declined: %(note)s"),
        {"title": proposal.title[:120], "note": note[:200]},
        proposal_link(proposal),
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: Any, proposal: ChangeProposal) -> ChangeProposal:
    """The author takes back an open proposal."""
    require(actor, Cap.STANDARD_PROPOSE)
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.raised_by_id is None or proposal.raised_by_id != getattr(actor, "pk", None):
        raise PermissionDeniedError(_("Only the author can withdraw a proposal."))
    if proposal.status != ProposalStatus.OPEN:
        raise DomainError(DECIDED, field="status", code="decided")
    before = _decide(proposal, actor, ProposalStatus.WITHDRAWN, "")
    proposal.decided_by = None
    proposal.save()
    audit_append(actor=actor, action="withdraw", target=proposal, changes=diff(before, _snapshot(proposal)))
    return proposal
