"""REST endpoints of standards (``/api/standards``).

Reading (``STANDARD_VIEW``): standards with their version in force on a day, versions with their
clauses, indicators and SLA terms, the diff of two versions, proposals, SOPs and the indicators
in force. Writing drafts needs ``STANDARD_EDIT``; approving, rejecting and retiring
``STANDARD_APPROVE``; proposing ``STANDARD_PROPOSE``. The capability is checked before anything is
looked up, so a role without it gets 403 for every id. Standards are never deleted:
``DELETE /api/standards/{id}`` answers 400 "retire it instead".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.standards import diff as version_diff
from sqm.standards import selectors, services
from sqm.standards.models import ChangeProposal, Clause, Indicator, SlaTerm, Standard, StandardVersion
from sqm.standards.schemas import (
    ApproveIn,
    ClauseIn,
    ClauseOut,
    ClausePatchIn,
    DiffOut,
    DiffQuery,
    IndicatorIn,
    IndicatorOut,
    IndicatorPatchIn,
    InForceIndicatorOut,
    NoteIn,
    OnDay,
    ProposalCreateIn,
    ProposalFilters,
    ProposalListOut,
    ProposalOut,
    RequiredNoteIn,
    RetireIn,
    SlaTermIn,
    SlaTermOut,
    SlaTermPatchIn,
    SopFilters,
    SopOut,
    StandardCreateIn,
    StandardDetailOut,
    StandardFilters,
    StandardListOut,
    VersionOut,
    VersionPatchIn,
)

router = Router()


def _require(request: HttpRequest, cap: Cap) -> Any:
    """The calling user, if their role holds ``cap``; otherwise 403."""
    actor = request.auth  # type: ignore[attr-defined]
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


def _standard(standard_id: int) -> Standard:
    try:
        return selectors.standard_get(standard_id)
    except Standard.DoesNotExist as exc:
        raise Http404 from exc


def _version(version_id: int) -> StandardVersion:
    try:
        return selectors.version_detail(version_id)
    except StandardVersion.DoesNotExist as exc:
        raise Http404 from exc


def _proposal(proposal_id: int) -> ChangeProposal:
    try:
        return selectors.proposal_get(proposal_id)
    except ChangeProposal.DoesNotExist as exc:
        raise Http404 from exc


def _row(model: Any, pk: int) -> Any:
    row = selectors.draft_item(model, pk)
    if row is None:
        raise Http404
    return row


def _standard_out(standard: Standard, in_force: StandardVersion | None) -> Standard:
    standard.in_force = in_force  # type: ignore[attr-defined]
    return standard


# --- standards -------------------------------------------------------------------------------------


@router.get("/", response=StandardListOut, summary="The standards library")
def standards_list(request: HttpRequest, filters: Query[StandardFilters]) -> Any:
    """Standards (filter by category, search code or name), each with its version in force on ``on``."""
    _require(request, Cap.STANDARD_VIEW)
    on = filters.on or timezone.localdate()
    rows = selectors.standard_list(
        on=on, category=filters.category or "", q=filters.q, include_retired=filters.include_retired
    )
    return {"count": len(rows), "on": on, "items": [_standard_out(s, v) for s, v in rows]}


@router.post("/", response={201: StandardDetailOut}, summary="Add a standard")
def standards_create(request: HttpRequest, payload: StandardCreateIn) -> Any:
    """A new standard with an empty draft v1."""
    actor = _require(request, Cap.STANDARD_EDIT)
    standard = services.standard_create(actor=actor, **payload.model_dump())
    return Status(201, _detail(standard.pk, timezone.localdate()))


def _detail(standard_id: int, on: Any) -> Standard:
    standard = _standard(standard_id)
    standard.versions_list = list(selectors.version_list(standard))  # type: ignore[attr-defined]
    return _standard_out(standard, selectors.version_in_force(standard, on))


@router.get("/indicators", response=list[InForceIndicatorOut], summary="Indicators in force")
def indicators_in_force(request: HttpRequest, day: Query[OnDay]) -> Any:
    """Every indicator of every standard's version in force on ``on`` (default today)."""
    _require(request, Cap.STANDARD_VIEW)
    return selectors.indicators_in_force(day.on or timezone.localdate())


@router.get("/sops", response=list[SopOut], summary="SOPs in force")
def sops_list(request: HttpRequest, filters: Query[SopFilters]) -> Any:
    """Clauses published as SOPs in the versions in force; with ``ticket_type``, those that apply to it."""
    _require(request, Cap.STANDARD_VIEW)
    return selectors.sops_in_force(
        on=timezone.localdate(), ticket_type=filters.ticket_type, category=filters.category or "", q=filters.q
    )


# --- proposals ----------------------------------------------------------------------------------------


@router.get("/proposals", response=ProposalListOut, summary="Change proposals")
def proposals_list(request: HttpRequest, filters: Query[ProposalFilters]) -> Any:
    _require(request, Cap.STANDARD_VIEW)
    rows = selectors.proposal_list(
        status=filters.status or "",
        standard_id=filters.standard_id,
        kind=filters.kind or "",
        automatic=filters.automatic,
    )
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.post("/proposals", response={201: ProposalOut}, summary="Propose a change")
def proposals_create(request: HttpRequest, payload: ProposalCreateIn) -> Any:
    """A change proposal citing at least one piece of evidence, against the version in force
    (or ``base_version_id``; a superseded version is refused)."""
    actor = _require(request, Cap.STANDARD_PROPOSE)
    standard = selectors.standard_find(payload.standard_id)
    if standard is None:
        raise DomainError(_("There is no standard with this id."), field="standard_id", code="not_found")
    base = None
    if payload.base_version_id is not None:
        base = selectors.version_find(payload.base_version_id)
        if base is None:
            raise DomainError(_("There is no version with this id."), field="base_version_id", code="not_found")
    try:
        proposal = services.proposal_create(
            actor=actor,
            standard=standard,
            base_version=base,
            indicator_code=payload.indicator_code,
            title=payload.title,
            rationale=payload.rationale,
            evidence=[item.model_dump() for item in payload.evidence],
        )
    except DomainError as exc:
        exc.errors = {("base_version_id" if f == "base_version" else f): m for f, m in exc.errors.items()}
        raise
    return Status(201, _proposal(proposal.pk))


@router.get("/proposals/{proposal_id}", response=ProposalOut, summary="One proposal")
def proposals_get(request: HttpRequest, proposal_id: int) -> Any:
    _require(request, Cap.STANDARD_VIEW)
    return _proposal(proposal_id)


@router.post("/proposals/{proposal_id}/approve", response=ProposalOut, summary="Accept a proposal")
def proposals_approve(request: HttpRequest, proposal_id: int, payload: NoteIn) -> Any:
    """Accept: the standard's open draft takes it up, or a new draft is opened (``result_version_id``)."""
    actor = _require(request, Cap.STANDARD_APPROVE)
    services.proposal_approve(actor=actor, proposal=_proposal(proposal_id), note=payload.note)
    return _proposal(proposal_id)


@router.post("/proposals/{proposal_id}/reject", response=ProposalOut, summary="Decline a proposal")
def proposals_reject(request: HttpRequest, proposal_id: int, payload: RequiredNoteIn) -> Any:
    actor = _require(request, Cap.STANDARD_APPROVE)
    services.proposal_reject(actor=actor, proposal=_proposal(proposal_id), note=payload.note)
    return _proposal(proposal_id)


@router.post("/proposals/{proposal_id}/withdraw", response=ProposalOut, summary="Withdraw one's own proposal")
def proposals_withdraw(request: HttpRequest, proposal_id: int) -> Any:
    actor = _require(request, Cap.STANDARD_PROPOSE)
    services.proposal_withdraw(actor=actor, proposal=_proposal(proposal_id))
    return _proposal(proposal_id)


# --- versions --------------------------------------------------------------------------------------------


@router.get("/versions/{version_id}", response=VersionOut, summary="One version with its contents")
def versions_get(request: HttpRequest, version_id: int) -> Any:
    _require(request, Cap.STANDARD_VIEW)
    return _version_out(version_id)


def _version_out(version_id: int) -> StandardVersion:
    version = _version(version_id)
    version.standard.in_force = None  # type: ignore[attr-defined]
    return version


@router.patch("/versions/{version_id}", response=VersionOut, summary="Edit a draft's title and purpose")
def versions_patch(request: HttpRequest, version_id: int, payload: VersionPatchIn) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    version = _version(version_id)
    current = {f: getattr(version, f) for f in ("title_zh", "title_en", "purpose_zh", "purpose_en", "change_note")}
    services.version_update(actor=actor, version=version, **{**current, **payload.model_dump(exclude_unset=True)})
    return _version_out(version_id)


@router.post("/versions/{version_id}/submit", response=VersionOut, summary="Send a draft for review")
def versions_submit(request: HttpRequest, version_id: int) -> Any:
    """Weights must add up to 100 and thresholds be in order; 400 names the field otherwise."""
    actor = _require(request, Cap.STANDARD_EDIT)
    services.version_submit(actor=actor, version=_version(version_id))
    return _version_out(version_id)


@router.post("/versions/{version_id}/approve", response=VersionOut, summary="Approve a version in review")
def versions_approve(request: HttpRequest, version_id: int, payload: ApproveIn) -> Any:
    """In force from ``effective_from`` (today or later, after the version before it); today: at once."""
    actor = _require(request, Cap.STANDARD_APPROVE)
    services.version_approve(
        actor=actor, version=_version(version_id), effective_from=payload.effective_from, note=payload.note
    )
    return _version_out(version_id)


@router.post("/versions/{version_id}/reject", response=VersionOut, summary="Reject a version in review")
def versions_reject(request: HttpRequest, version_id: int, payload: RequiredNoteIn) -> Any:
    actor = _require(request, Cap.STANDARD_APPROVE)
    services.version_reject(actor=actor, version=_version(version_id), note=payload.note)
    return _version_out(version_id)


@router.post("/versions/{version_id}/clauses", response={201: ClauseOut}, summary="Add a clause to a draft")
def clauses_create(request: HttpRequest, version_id: int, payload: ClauseIn) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    clause = services.clause_add(actor=actor, version=_version(version_id), **payload.model_dump())
    return Status(201, clause)


CLAUSE_FIELDS = ("number", "title_zh", "title_en", "body_zh", "body_en", "sop_kind", "ticket_types")


@router.patch("/clauses/{clause_id}", response=ClauseOut, summary="Edit a clause of a draft")
def clauses_patch(request: HttpRequest, clause_id: int, payload: ClausePatchIn) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    clause = _row(Clause, clause_id)
    current = {f: getattr(clause, f) for f in CLAUSE_FIELDS}
    return services.clause_update(actor=actor, clause=clause, **{**current, **payload.model_dump(exclude_unset=True)})


@router.delete("/clauses/{clause_id}", response={204: None}, summary="Remove a clause from a draft")
def clauses_delete(request: HttpRequest, clause_id: int) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    services.clause_remove(actor=actor, clause=_row(Clause, clause_id))
    return Status(204, None)


@router.post("/versions/{version_id}/indicators", response={201: IndicatorOut}, summary="Add an indicator to a draft")
def indicators_create(request: HttpRequest, version_id: int, payload: IndicatorIn) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    data = payload.model_dump()
    data["unit"] = data["unit"] or None
    indicator = services.indicator_add(actor=actor, version=_version(version_id), **data)
    return Status(201, indicator)


INDICATOR_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "kpi",
    "unit",
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


@router.patch("/indicators/{indicator_id}", response=IndicatorOut, summary="Edit an indicator of a draft")
def indicators_patch(request: HttpRequest, indicator_id: int, payload: IndicatorPatchIn) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    indicator = _row(Indicator, indicator_id)
    current = {f: getattr(indicator, f) for f in INDICATOR_FIELDS}
    return services.indicator_update(
        actor=actor, indicator=indicator, **{**current, **payload.model_dump(exclude_unset=True)}
    )


@router.delete("/indicators/{indicator_id}", response={204: None}, summary="Remove an indicator from a draft")
def indicators_delete(request: HttpRequest, indicator_id: int) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    services.indicator_remove(actor=actor, indicator=_row(Indicator, indicator_id))
    return Status(204, None)


def _calendar(calendar_id: int | None) -> Any:
    if calendar_id is None:
        return None
    from sqm.tickets.models import WorkCalendar

    calendar = WorkCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise DomainError(_("There is no calendar with this id."), field="calendar_id", code="not_found")
    return calendar


@router.post("/versions/{version_id}/sla-terms", response={201: SlaTermOut}, summary="Add an SLA term to a draft")
def terms_create(request: HttpRequest, version_id: int, payload: SlaTermIn) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    data = payload.model_dump()
    data["calendar"] = _calendar(data.pop("calendar_id"))
    term = services.sla_term_add(actor=actor, version=_version(version_id), **data)
    return Status(201, term)


TERM_FIELDS = (
    "policy_code",
    "name",
    "ticket_type",
    "priority",
    "tier",
    "response_minutes",
    "resolution_minutes",
    "warn_fraction",
    "escalate_after_minutes",
)


@router.patch("/sla-terms/{term_id}", response=SlaTermOut, summary="Edit an SLA term of a draft")
def terms_patch(request: HttpRequest, term_id: int, payload: SlaTermPatchIn) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    term = _row(SlaTerm, term_id)
    data = payload.model_dump(exclude_unset=True)
    calendar = _calendar(data.pop("calendar_id")) if "calendar_id" in data else term.calendar
    current = {f: getattr(term, f) for f in TERM_FIELDS}
    return services.sla_term_update(actor=actor, term=term, calendar=calendar, **{**current, **data})


@router.delete("/sla-terms/{term_id}", response={204: None}, summary="Remove an SLA term from a draft")
def terms_delete(request: HttpRequest, term_id: int) -> Any:
    actor = _require(request, Cap.STANDARD_EDIT)
    services.sla_term_remove(actor=actor, term=_row(SlaTerm, term_id))
    return Status(204, None)


# --- one standard (paths with the standard's id come last: literal paths above win) ----------------


@router.get("/{int:standard_id}", response=StandardDetailOut, summary="One standard")
def standards_get(request: HttpRequest, standard_id: int, day: Query[OnDay]) -> Any:
    """The standard, its versions (newest first) and the version in force on ``on`` (default today)."""
    _require(request, Cap.STANDARD_VIEW)
    return _detail(standard_id, day.on or timezone.localdate())


@router.delete("/{int:standard_id}", response={400: dict}, include_in_schema=False)
def standards_delete(request: HttpRequest, standard_id: int) -> Any:
    """Refused: standards are retired, never deleted."""
    actor = _require(request, Cap.STANDARD_EDIT)
    services.standard_delete(actor=actor, standard=_standard(standard_id))
    return None  # pragma: no cover - the service always refuses


@router.post("/{int:standard_id}/retire", response=StandardDetailOut, summary="Retire a standard")
def standards_retire(request: HttpRequest, standard_id: int, payload: RetireIn) -> Any:
    actor = _require(request, Cap.STANDARD_APPROVE)
    services.standard_retire(actor=actor, standard=_standard(standard_id), note=payload.note)
    return _detail(standard_id, timezone.localdate())


@router.post("/{int:standard_id}/drafts", response={201: VersionOut}, summary="Open the next draft version")
def standards_draft(request: HttpRequest, standard_id: int) -> Any:
    """A new draft copying the latest version; 400 while another draft or review is open."""
    actor = _require(request, Cap.STANDARD_EDIT)
    version = services.version_create_draft(actor=actor, standard=_standard(standard_id))
    return Status(201, _version_out(version.pk))


@router.get("/{int:standard_id}/diff", response=DiffOut, summary="What changed between two versions")
def standards_diff(request: HttpRequest, standard_id: int, query: Query[DiffQuery]) -> Any:
    """Field by field (target 90 → 92), with word-level segments for texts. Default: the latest
    version against the one before it."""
    _require(request, Cap.STANDARD_VIEW)
    standard = _standard(standard_id)
    versions = list(selectors.version_list(standard))
    ids = [v.pk for v in versions]
    for name, value in (("a", query.a), ("b", query.b)):
        if value is not None and value not in ids:
            raise DomainError(_("This version does not belong to the standard."), field=name, code="not_found")
    b = query.b or ids[0]
    a = query.a or next((pk for pk in ids if pk != b and ids.index(pk) > ids.index(b)), b)
    return version_diff.as_json(version_diff.diff_versions(_version(a), _version(b)))
