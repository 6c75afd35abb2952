"""Pages of standards: thin views, form → service → redirect or htmx partial.

Reading the library, versions, diffs, proposals and SOPs needs ``Cap.STANDARD_VIEW`` (every staff
member); writing drafts ``Cap.STANDARD_EDIT``; approving and rejecting versions and proposals, and
retiring a standard, ``Cap.STANDARD_APPROVE`` (the quality manager); raising a proposal
``Cap.STANDARD_PROPOSE``.

The version editor works without JavaScript (each edit is a page of its own) and, with htmx, edits
clauses, indicators and SLA terms inline: every action answers with the section it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from sqm.core.errors import DomainError
from sqm.core.forms import is_htmx
from sqm.core.forms import submit as _submit
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.standards import diff as version_diff
from sqm.standards import forms as std_forms
from sqm.standards import selectors, services
from sqm.standards.models import (
    ChangeProposal,
    Clause,
    Indicator,
    ProposalKind,
    ProposalStatus,
    SlaTerm,
    Standard,
    StandardCategory,
    StandardVersion,
    VersionStatus,
)


def _today() -> Any:
    return timezone.localdate()


def _standard_or_404(pk: int) -> Standard:
    try:
        return selectors.standard_get(pk)
    except Standard.DoesNotExist as exc:
        raise Http404 from exc


def _version_or_404(pk: int) -> StandardVersion:
    try:
        return selectors.version_detail(pk)
    except StandardVersion.DoesNotExist as exc:
        raise Http404 from exc


def _proposal_or_404(pk: int) -> ChangeProposal:
    try:
        return selectors.proposal_get(pk)
    except ChangeProposal.DoesNotExist as exc:
        raise Http404 from exc


# --- library ---------------------------------------------------------------------------------------


@require(Cap.STANDARD_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def library(request: HttpRequest) -> HttpResponse:
    """The standards by category, each with its version in force today; filter and search by code or name."""
    form = std_forms.LibraryFilterForm(request.GET)
    filters = form.filters()
    rows = selectors.standard_list(on=_today(), **filters)
    groups: list[dict[str, Any]] = []
    for value, label in StandardCategory.choices:
        members = [(s, v) for s, v in rows if s.category == value]
        if members:
            groups.append({"category": value, "label": label, "rows": members})
    context = {
        "filter_form": form,
        "groups": groups,
        "count": len(rows),
        "filtered": any(filters.values()),
        "can_edit": can(request.user, Cap.STANDARD_EDIT),
        "awaiting_review": list(selectors.versions_awaiting_review())
        if can(request.user, Cap.STANDARD_APPROVE)
        else [],
    }
    template = "standards/partials/library_results.html" if is_htmx(request) else "standards/library.html"
    return render(request, template, context)


@require(Cap.STANDARD_EDIT)
def standard_create(request: HttpRequest) -> HttpResponse:
    """Add a standard; it starts with an empty draft v1."""
    form = std_forms.StandardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, standard = _submit(form, lambda d: services.standard_create(actor=request.user, **d))
        if ok:
            messages.success(request, _("The standard was created; write its first version."))
            return redirect("standards:version_detail", pk=standard.versions.get().pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "standards/form_page.html",
        {
            "form": form,
            "title": _("New standard"),
            "back_url": reverse("standards:standard_list"),
            "back_label": _("Standards library"),
            "submit_label": _("Create standard"),
        },
        status=status,
    )


@require(Cap.STANDARD_VIEW)
@require_GET
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A standard: the version in force (indicators, clauses, SLA terms), the version timeline and its proposals."""
    standard = _standard_or_404(pk)
    today = _today()
    in_force = selectors.version_in_force(standard, today)
    versions = list(selectors.version_list(standard))
    open_version = next((v for v in versions if v.status in selectors.OPEN_VERSION_STATUSES), None)
    context = {
        "standard": standard,
        "in_force": selectors.version_detail(in_force.pk) if in_force else None,
        "versions": versions,
        "open_version": open_version,
        "upcoming": [v for v in versions if v.status == VersionStatus.APPROVED],
        "proposals": list(selectors.proposal_list(standard_id=standard.pk, status=ProposalStatus.OPEN)),
        "can_edit": can(request.user, Cap.STANDARD_EDIT) and not standard.is_retired,
        "can_approve": can(request.user, Cap.STANDARD_APPROVE),
        "can_propose": can(request.user, Cap.STANDARD_PROPOSE) and not standard.is_retired and in_force is not None,
        "retire_form": std_forms.RetireForm(),
        "today": today,
    }
    return render(request, "standards/standard_detail.html", context)


@require(Cap.STANDARD_APPROVE)
@require_POST
def standard_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire a standard (never deleted: KPIs, alerts and tickets refer to its versions)."""
    standard = _standard_or_404(pk)
    form = std_forms.RetireForm(request.POST)
    ok, _done = _submit(form, lambda d: services.standard_retire(actor=request.user, standard=standard, note=d["note"]))
    if ok:
        messages.success(request, _("The standard was retired. Its history stays readable."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("standards:standard_detail", pk=standard.pk)


@require(Cap.STANDARD_EDIT)
@require_POST
def version_create_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the next version as a draft copied from the latest one."""
    standard = _standard_or_404(pk)
    try:
        version = services.version_create_draft(actor=request.user, standard=standard)
    except DomainError as exc:
        messages.error(request, exc.messages_text())
        return redirect("standards:standard_detail", pk=standard.pk)
    messages.success(request, _("Draft v%(number)d was opened from the latest version.") % {"number": version.number})
    return redirect("standards:version_detail", pk=version.pk)


# --- versions ----------------------------------------------------------------------------------------


@dataclass
class SectionState:
    """What a section of the version page shows: its rows, and possibly one form open inline."""

    form: forms.Form | None = None
    editing: int | None = None  # pk of the row being edited
    adding: bool = False
    error: str = ""


SECTIONS = ("clauses", "indicators", "terms")


def _section_context(request: HttpRequest, version: StandardVersion, kind: str, state: SectionState) -> dict[str, Any]:
    rows: list[Any] = list(
        {"clauses": version.clauses.all(), "indicators": version.indicators.all(), "terms": version.sla_terms.all()}[
            kind
        ]
    )
    context: dict[str, Any] = {
        "version": version,
        "rows": rows,
        "state": state,
        "kind": kind,
        "editable": version.is_editable and can(request.user, Cap.STANDARD_EDIT),
    }
    if kind == "indicators":
        total = sum((i.weight for i in rows), start=Decimal(0))
        context["weight_total"] = total
        context["weight_ok"] = not rows or total == 100
    return context


def _version_context(
    request: HttpRequest, version: StandardVersion, states: dict[str, SectionState] | None = None, **extra: Any
) -> dict[str, Any]:
    states = states or {}
    user = request.user
    editable = version.is_editable and can(user, Cap.STANDARD_EDIT)
    context = {
        "version": version,
        "standard": version.standard,
        "editable": editable,
        "can_review": version.status == VersionStatus.IN_REVIEW and can(user, Cap.STANDARD_APPROVE),
        "sections": {
            kind: _section_context(request, version, kind, states.get(kind, SectionState())) for kind in SECTIONS
        },
        "header_form": extra.pop("header_form", None),
        "approve_form": extra.pop("approve_form", None) or std_forms.ApproveForm(),
        "reject_form": extra.pop("reject_form", None) or std_forms.RejectForm(),
        "is_process": version.standard.category == StandardCategory.PROCESS,
        "previous": selectors.previous_version(version),
        **extra,
    }
    return context


@require(Cap.STANDARD_VIEW)
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One version: for a draft and its editors, the editor; for the quality manager, the review."""
    version = _version_or_404(pk)
    return render(request, "standards/version_detail.html", _version_context(request, version))


def _header_initial(version: StandardVersion) -> dict[str, Any]:
    return {f: getattr(version, f) for f in ("title_zh", "title_en", "purpose_zh", "purpose_en", "change_note")}


@require(Cap.STANDARD_EDIT)
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft's title, purpose and change note (inline with htmx)."""
    version = _version_or_404(pk)
    if request.method == "POST":
        form = std_forms.VersionForm(request.POST)
        ok, _saved = _submit(form, lambda d: services.version_update(actor=request.user, version=version, **d))
        if ok:
            if is_htmx(request):
                version = _version_or_404(pk)
                return render(request, "standards/partials/version_header.html", _version_context(request, version))
            messages.success(request, _("The version was saved."))
            return redirect("standards:version_detail", pk=version.pk)
    else:
        form = std_forms.VersionForm(initial=_header_initial(version))
    context = _version_context(request, version, header_form=form)
    status = 400 if form.is_bound and form.errors and not is_htmx(request) else 200
    template = "standards/partials/version_header.html" if is_htmx(request) else "standards/version_detail.html"
    return render(request, template, context, status=status)


# Inline editing of clauses, indicators and SLA terms: one set of views, configured per kind.


def _clause_data(d: dict[str, Any]) -> dict[str, Any]:
    return {**d, "sop_kind": d.get("sop_kind") or "", "ticket_types": list(d.get("ticket_types") or [])}


def _indicator_data(d: dict[str, Any]) -> dict[str, Any]:
    return {**d, "unit": d.get("unit") or None}


@dataclass(frozen=True)
class ItemKind:
    section: str
    model: type
    form: type[forms.Form]
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    arg: str  # the service's keyword for the row
    data: Callable[[dict[str, Any]], dict[str, Any]]
    initial: Callable[[Any], dict[str, Any]]
    added: Any
    saved: Any
    removed: Any


def _fields(*names: str) -> Callable[[Any], dict[str, Any]]:
    return lambda row: {name: getattr(row, name) for name in names}


KINDS: dict[str, ItemKind] = {
    "clause": ItemKind(
        "clauses",
        Clause,
        std_forms.ClauseForm,
        services.clause_add,
        services.clause_update,
        services.clause_remove,
        "clause",
        _clause_data,
        _fields("number", "title_zh", "title_en", "body_zh", "body_en", "sop_kind", "ticket_types"),
        _("The clause was added."),
        _("The clause was saved."),
        _("The clause was removed."),
    ),
    "indicator": ItemKind(
        "indicators",
        Indicator,
        std_forms.IndicatorForm,
        services.indicator_add,
        services.indicator_update,
        services.indicator_remove,
        "indicator",
        _indicator_data,
        _fields(
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
        ),
        _("The indicator was added."),
        _("The indicator was saved."),
        _("The indicator was removed."),
    ),
    "term": ItemKind(
        "terms",
        SlaTerm,
        std_forms.SlaTermForm,
        services.sla_term_add,
        services.sla_term_update,
        services.sla_term_remove,
        "term",
        lambda d: dict(d),
        _fields(
            "policy_code",
            "name",
            "ticket_type",
            "priority",
            "tier",
            "response_minutes",
            "resolution_minutes",
            "warn_fraction",
            "escalate_after_minutes",
            "calendar",
        ),
        _("The SLA term was added."),
        _("The SLA term was saved."),
        _("The SLA term was removed."),
    ),
}


def _section_response(
    request: HttpRequest, version: StandardVersion, kind: ItemKind, state: SectionState, *, status: int = 200
) -> HttpResponse:
    """htmx: the section alone; otherwise the whole version page with the section in that state."""
    version = _version_or_404(version.pk)  # fresh rows
    if is_htmx(request):
        context = _section_context(request, version, kind.section, state)
        return render(request, f"standards/partials/section_{kind.section}.html", context)
    context = _version_context(request, version, {kind.section: state})
    return render(request, "standards/version_detail.html", context, status=status)


def _done(request: HttpRequest, version: StandardVersion, kind: ItemKind, message: Any) -> HttpResponse:
    if is_htmx(request):
        return _section_response(request, version, kind, SectionState())
    messages.success(request, message)
    return redirect(reverse("standards:version_detail", args=[version.pk]) + f"#{kind.section}")


@require(Cap.STANDARD_EDIT)
def item_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add a clause, indicator or SLA term to a draft (GET: the empty form, inline)."""
    spec = KINDS[kind]
    version = _version_or_404(pk)
    if request.method != "POST":
        return _section_response(request, version, spec, SectionState(form=spec.form(), adding=True))
    form = spec.form(request.POST)
    ok, _row = _submit(form, lambda d: spec.add(actor=request.user, version=version, **spec.data(d)))
    if ok:
        return _done(request, version, spec, spec.added)
    return _section_response(request, version, spec, SectionState(form=form, adding=True), status=400)


def _row_or_404(spec: ItemKind, pk: int) -> Any:
    row = selectors.draft_item(spec.model, pk)
    if row is None:
        raise Http404
    return row


@require(Cap.STANDARD_EDIT)
def item_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Edit a clause, indicator or SLA term of a draft inline."""
    spec = KINDS[kind]
    row = _row_or_404(spec, pk)
    version = row.version
    if request.method != "POST":
        form = spec.form(initial=spec.initial(row))
        return _section_response(request, version, spec, SectionState(form=form, editing=row.pk))
    form = spec.form(request.POST)
    ok, _row = _submit(form, lambda d: spec.update(actor=request.user, **{spec.arg: row}, **spec.data(d)))
    if ok:
        return _done(request, version, spec, spec.saved)
    return _section_response(request, version, spec, SectionState(form=form, editing=row.pk), status=400)


@require(Cap.STANDARD_EDIT)
@require_POST
def item_remove(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Take a clause, indicator or SLA term out of a draft."""
    spec = KINDS[kind]
    row = _row_or_404(spec, pk)
    version = row.version
    try:
        spec.remove(actor=request.user, **{spec.arg: row})
    except DomainError as exc:
        if is_htmx(request):
            return _section_response(request, version, spec, SectionState(error=exc.messages_text()))
        messages.error(request, exc.messages_text())
        return redirect("standards:version_detail", pk=version.pk)
    return _done(request, version, spec, spec.removed)


@require(Cap.STANDARD_VIEW)
@require_GET
def version_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """One section of a version (clauses, indicators or SLA terms) as shown; the editor's “cancel”."""
    if section not in SECTIONS:
        raise Http404
    version = _version_or_404(pk)
    if not is_htmx(request):
        return redirect(reverse("standards:version_detail", args=[version.pk]) + f"#{section}")
    return render(
        request,
        f"standards/partials/section_{section}.html",
        _section_context(request, version, section, SectionState()),
    )


@require(Cap.STANDARD_EDIT)
@require_POST
def version_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a draft for review (weights must add up to 100, thresholds in order)."""
    version = _version_or_404(pk)
    try:
        services.version_submit(actor=request.user, version=version)
    except DomainError as exc:
        messages.error(request, exc.messages_text())
    else:
        messages.success(
            request, _("v%(number)d was sent to the quality manager for review.") % {"number": version.number}
        )
    return redirect("standards:version_detail", pk=version.pk)


@require(Cap.STANDARD_APPROVE)
@require_POST
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a version in review to take effect on a date (today: at once)."""
    version = _version_or_404(pk)
    form = std_forms.ApproveForm(request.POST)
    ok, approved = _submit(
        form,
        lambda d: services.version_approve(
            actor=request.user, version=version, effective_from=d["effective_from"], note=d["note"]
        ),
    )
    if not ok:
        return render(
            request, "standards/version_detail.html", _version_context(request, version, approve_form=form), status=400
        )
    if approved.status == VersionStatus.EFFECTIVE:
        messages.success(
            request, _("v%(number)d was approved and is in force from today.") % {"number": approved.number}
        )
    else:
        messages.success(
            request,
            _("v%(number)d was approved; it takes effect on %(date)s.")
            % {"number": approved.number, "date": approved.effective_from.isoformat()},
        )
    return redirect("standards:version_detail", pk=version.pk)


@require(Cap.STANDARD_APPROVE)
@require_POST
def version_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject a version in review, saying why."""
    version = _version_or_404(pk)
    form = std_forms.RejectForm(request.POST)
    ok, _rejected = _submit(
        form, lambda d: services.version_reject(actor=request.user, version=version, note=d["note"])
    )
    if not ok:
        return render(
            request, "standards/version_detail.html", _version_context(request, version, reject_form=form), status=400
        )
    messages.success(request, _("v%(number)d was rejected.") % {"number": version.number})
    return redirect("standards:version_detail", pk=version.pk)


# --- diff ---------------------------------------------------------------------------------------------


@require(Cap.STANDARD_VIEW)
@require_GET
def standard_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions of a standard (default: the one before the latest, and the latest)."""
    standard = _standard_or_404(pk)
    versions = list(selectors.version_list(standard))
    if not versions:
        raise Http404
    ids = [v.pk for v in versions]
    default_b = versions[0].pk
    default_a = versions[1].pk if len(versions) > 1 else versions[0].pk
    form = std_forms.DiffForm(request.GET or None, versions=versions, initial={"a": default_a, "b": default_b})
    a, b = default_a, default_b
    status = 200
    if form.is_bound:
        if form.is_valid():
            a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        else:
            status = 400
    result = None
    if a in ids and b in ids:
        result = version_diff.diff_versions(selectors.version_detail(a), selectors.version_detail(b))
    context = {"standard": standard, "form": form, "diff": result, "versions": versions}
    return render(request, "standards/diff.html", context, status=status)


# --- proposals -----------------------------------------------------------------------------------------


PROPOSAL_PAGE = 100


@require(Cap.STANDARD_VIEW)
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Change proposals, open ones first by default; filter by status, kind and standard."""
    status = request.GET.get("status", ProposalStatus.OPEN)
    if status not in (*ProposalStatus.values, "all"):
        status = ProposalStatus.OPEN
    kind = request.GET.get("kind", "")
    if kind not in ProposalKind.values:
        kind = ""
    standard_raw = request.GET.get("standard", "")
    standard_id = int(standard_raw) if standard_raw.isdigit() and len(standard_raw) < 12 else None
    rows = selectors.proposal_list(status="" if status == "all" else status, kind=kind, standard_id=standard_id)
    context = {
        "proposals": list(rows[:PROPOSAL_PAGE]),
        "status": status,
        "kind": kind,
        "standard_id": standard_id,
        "statuses": [("all", _("All")), *ProposalStatus.choices],
        "kinds": ProposalKind.choices,
        "standards": selectors.standard_choices(),
        "can_propose": can(request.user, Cap.STANDARD_PROPOSE),
    }
    return render(request, "standards/proposal_list.html", context)


@require(Cap.STANDARD_VIEW)
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal with its evidence, the version it is about, and the review actions."""
    proposal = _proposal_or_404(pk)
    return render(request, "standards/proposal_detail.html", _proposal_context(request, proposal))


def _proposal_context(request: HttpRequest, proposal: ChangeProposal, **extra: Any) -> dict[str, Any]:
    from sqm.standards.models import EvidenceKind

    user = request.user
    is_open = proposal.status == ProposalStatus.OPEN
    evidence = [
        {
            **item,
            "kind_label": EvidenceKind(item["kind"]).label
            if item.get("kind") in EvidenceKind.values
            else item.get("kind"),
        }
        for item in proposal.evidence
    ]
    return {
        "proposal": proposal,
        "evidence": evidence,
        "in_force": selectors.version_in_force(proposal.standard_id, _today()),
        "can_decide": is_open and can(user, Cap.STANDARD_APPROVE),
        "can_withdraw": is_open and proposal.raised_by_id == getattr(user, "pk", None),
        "decision_form": extra.pop("decision_form", None) or std_forms.DecisionForm(),
        **extra,
    }


@require(Cap.STANDARD_PROPOSE)
def proposal_create(request: HttpRequest) -> HttpResponse:
    """Propose a change to a standard, citing evidence."""
    standards = [s for s, v in selectors.standard_list(on=_today()) if v is not None]
    data = request.POST if request.method == "POST" else None
    initial_standard = request.GET.get("standard", "")
    form = std_forms.ProposalForm(
        data,
        standards=standards,
        initial={"standard": initial_standard, "indicator_code": request.GET.get("indicator", "")[:40]},
    )
    evidence = std_forms.EvidenceFormSet(data, prefix="evidence")
    if data is not None:
        by_pk = {s.pk: s for s in standards}
        evidence_ok = evidence.is_valid()
        if evidence_ok:
            ok, proposal = _submit(
                form,
                lambda d: services.proposal_create(
                    actor=request.user,
                    standard=by_pk[d["standard"]],
                    title=d["title"],
                    rationale=d["rationale"],
                    evidence=std_forms.evidence_items(evidence),
                    indicator_code=d["indicator_code"],
                ),
            )
            if ok:
                messages.success(request, _("Your proposal was sent to the quality manager."))
                return redirect("standards:proposal_detail", pk=proposal.pk)
        else:
            form.is_valid()
    status = 400 if data is not None else 200
    return render(
        request,
        "standards/proposal_form.html",
        {"form": form, "evidence": evidence, "evidence_error": _evidence_error(form)},
        status=status,
    )


def _evidence_error(form: forms.Form) -> list[str]:
    """Errors the service raised about the evidence (shown above the evidence rows)."""
    errors = form.errors.get("__all__") if form.is_bound else None
    return [str(e) for e in errors] if errors else []


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    proposal = _proposal_or_404(pk)
    form = std_forms.DecisionForm(request.POST)
    if action == "reject":
        form.fields["note"].required = True
    if action == "approve":
        ok, _p = _submit(
            form, lambda d: services.proposal_approve(actor=request.user, proposal=proposal, note=d["note"])
        )
    else:
        ok, _p = _submit(
            form, lambda d: services.proposal_reject(actor=request.user, proposal=proposal, note=d["note"])
        )
    if not ok:
        context = _proposal_context(request, proposal, decision_form=form)
        return render(request, "standards/proposal_detail.html", context, status=400)
    if action == "approve":
        proposal.refresh_from_db()
        draft = proposal.result_version
        assert draft is not None
        messages.success(
            request, _("The proposal was accepted; draft v%(number)d takes it up.") % {"number": draft.number}
        )
        return redirect("standards:version_detail", pk=draft.pk)
    messages.success(request, _("The proposal was declined."))
    return redirect("standards:proposal_detail", pk=proposal.pk)


@require(Cap.STANDARD_APPROVE)
@require_POST
def proposal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a proposal: the standard's next draft takes it up."""
    return _decide(request, pk, "approve")


@require(Cap.STANDARD_APPROVE)
@require_POST
def proposal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline a proposal, saying why."""
    return _decide(request, pk, "reject")


@require(Cap.STANDARD_PROPOSE)
@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The author takes back an open proposal."""
    proposal = _proposal_or_404(pk)
    try:
        services.proposal_withdraw(actor=request.user, proposal=proposal)
    except DomainError as exc:
        messages.error(request, exc.messages_text())
    else:
        messages.success(request, _("The proposal was withdrawn."))
    return redirect("standards:proposal_detail", pk=proposal.pk)


# --- SOPs ------------------------------------------------------------------------------------------------


@require(Cap.STANDARD_VIEW)
@require_GET
def sop_list(request: HttpRequest) -> HttpResponse:
    """The standard operating procedures in force: steps, scripts and polite phrasing."""
    form = std_forms.SopFilterForm(request.GET)
    q, category = "", ""
    if form.is_valid():
        q, category = form.cleaned_data["q"].strip(), form.cleaned_data["category"]
    ticket_type = request.GET.get("ticket_type") or None
    sops = selectors.sops_in_force(on=_today(), q=q, category=category, ticket_type=ticket_type)
    groups: dict[int, dict[str, Any]] = {}
    for clause in sops:
        standard = clause.version.standard
        groups.setdefault(standard.pk, {"standard": standard, "version": clause.version, "sops": []})["sops"].append(
            clause
        )
    context = {
        "filter_form": form,
        "groups": list(groups.values()),
        "count": len(sops),
        "filtered": bool(q or category),
    }
    return render(request, "standards/sop_list.html", context)


@require(Cap.STANDARD_VIEW)
@require_GET
def sop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One SOP as staff read it, with the standard and version it belongs to."""
    try:
        clause = selectors.clause_get(pk)
    except Clause.DoesNotExist as exc:
        raise Http404 from exc
    if not clause.sop_kind:
        raise Http404
    version = clause.version
    in_force = selectors.version_in_force(version.standard_id, _today())
    current = selectors.sop_successor(clause, in_force) if in_force is not None else None
    context = {
        "clause": clause,
        "version": version,
        "standard": version.standard,
        "in_force": in_force,
        "current": current,
    }
    return render(request, "standards/sop_detail.html", context)
