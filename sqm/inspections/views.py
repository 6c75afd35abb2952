"""Pages of quality inspection: thin views, form → service → redirect or htmx partial.

- agents (``INSPECTION_APPEAL``): "My QA results", accept or appeal a result;
- inspectors (``INSPECTION_PERFORM``): the work queue, the scoring form (the ticket's thread
  beside the scorecard), appeals to decide;
- everyone with ``INSPECTION_VIEW``: results (team leads: their teams'), an agent's QA page,
  plans with their achieved rates and seed, calibration results, scorecards;
- quality managers (``INSPECTION_MANAGE``): scorecard editor, plans and draws, calibration sessions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sqm.core.errors import NON_FIELD, DomainError
from sqm.core.forms import is_htmx
from sqm.core.forms import submit as _submit
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.inspections import forms as qa_forms
from sqm.inspections import selectors, services
from sqm.inspections.models import InspectionStatus, ScorecardStatus

PER_PAGE = 50


def _found(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def _id(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 and int(text) > 0 else None


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _status(form: forms.BaseForm) -> int:
    return 400 if form.is_bound and form.errors else 200


def _form_page(request: HttpRequest, form: forms.BaseForm, **context: Any) -> HttpResponse:
    return render(request, "inspections/form_page.html", {"form": form, **context}, status=_status(form))


def _message_error(request: HttpRequest, exc: DomainError) -> None:
    for msgs in exc.errors.values():
        for msg in msgs:
            messages.error(request, msg)


# --- the agent's own results ------------------------------------------------------------------------------


@require(Cap.INSPECTION_APPEAL)
@require_GET
def my_results(request: HttpRequest) -> HttpResponse:
    """My QA results: each inspection of my work, its score, the appeal deadline and any appeal."""
    page = _page(request, selectors.own_results(request.user))
    summary = selectors.agent_summary(request.user.pk)
    needs = list(selectors.training_needs(request.user.pk)[:20])
    return render(
        request,
        "inspections/my_results.html",
        {"page": page, "summary": summary, "needs": needs, "agent": request.user},
    )


def _result_context(request: HttpRequest, inspection: Any) -> dict[str, Any]:
    ticket = selectors.thread(inspection.ticket_id)
    messages_by_id = {m.pk: n for n, m in enumerate(ticket.messages.all(), start=1)} if ticket else {}
    return {
        "inspection": inspection,
        "ticket": ticket,
        "thread_numbers": messages_by_id,
        "sections": selectors.scored_sections(inspection, numbers=messages_by_id),
        "appeal": getattr(inspection, "appeal", None),
    }


@require(Cap.INSPECTION_APPEAL)
@require_GET
def my_result(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my results, with the appeal form while the deadline has not passed."""
    inspection = _found(selectors.own_result(request.user, pk))
    context = _result_context(request, inspection)
    context.update(own=True, appeal_form=qa_forms.AppealForm())
    return render(request, "inspections/result_detail.html", context)


@require(Cap.INSPECTION_APPEAL)
@require_POST
def result_accept(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _found(selectors.appealable(request.user, pk))
    try:
        services.inspection_accept(actor=request.user, inspection=inspection)
        messages.success(request, _("You accepted the result; it is final."))
    except DomainError as exc:
        _message_error(request, exc)
    return (
        redirect("inspections:my_result", pk=pk)
        if inspection.agent_id == request.user.pk
        else redirect("inspections:inspection_detail", pk=pk)
    )


@require(Cap.INSPECTION_APPEAL)
def result_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """Appeal one of my results: a reason; a second inspector decides."""
    inspection = _found(selectors.appealable(request.user, pk))
    form = qa_forms.AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, _appeal = _submit(
            form,
            lambda d: services.appeal_file(actor=request.user, inspection=inspection, reason=d["reason"]),
            rename={"appeal_deadline": NON_FIELD, "inspection": NON_FIELD},
        )
        if ok:
            messages.success(request, _("Your appeal was filed; a second inspector will decide it."))
            return redirect("inspections:my_result", pk=pk)
    return _form_page(
        request,
        form,
        title=_("Appeal the QA result of %(ticket)s") % {"ticket": inspection.ticket.number},
        back_url=reverse("inspections:my_result", args=[pk])
        if inspection.agent_id == request.user.pk
        else reverse("inspections:inspection_detail", args=[pk]),
        back_label=_("QA result"),
        submit_label=_("File the appeal"),
    )


# --- inspectors -----------------------------------------------------------------------------------------


@require(Cap.INSPECTION_PERFORM)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """My work: inspections assigned to me (calibration included) and appeals I may decide."""
    page = _page(request, selectors.assignments(request.user))
    appeals = selectors.appeals_pending(request.user)
    return render(
        request,
        "inspections/queue.html",
        {"page": page, "appeal_count": appeals.count(), "appeals": list(appeals[:10])},
    )


@require(Cap.INSPECTION_PERFORM)
def inspection_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring form: the ticket's thread beside the scorecard; save for later, or submit."""
    inspection = _found(selectors.inspection_for_inspector(request.user, pk))
    if not inspection.is_open:
        return redirect("inspections:inspection_detail", pk=pk)
    card = _found(selectors.scorecard_detail(inspection.scorecard_id))
    items = [i for s in card.sections.all() for i in s.items.all()]
    ticket = _found(selectors.thread(inspection.ticket_id))
    thread = list(ticket.messages.all())
    data = request.POST if request.method == "POST" else None
    initial = qa_forms.InspectionForm.initial_from([a for a in inspection.answers.all() if a.stage == "inspector"])
    initial["summary"] = inspection.summary
    form = qa_forms.InspectionForm(data, items=items, messages=thread, initial=initial)
    if data is not None:
        submitting = "submit" in request.POST
        action = services.inspection_submit if submitting else services.inspection_save
        ok, _saved = _submit(
            form,
            lambda d: action(
                actor=request.user, inspection=inspection, answers=form.answers(), summary=d.get("summary", "")
            ),
            rename={**form.rename(), "answers": NON_FIELD, "status": NON_FIELD},
        )
        if ok:
            if submitting:
                messages.success(request, _("The inspection was submitted."))
                return redirect("inspections:inspection_detail", pk=pk)
            messages.success(request, _("Your answers were saved."))
            return redirect("inspections:inspection_score", pk=pk)
    sections = []
    rows = {row[0].pk: row for row in form.item_rows()}
    for section in card.sections.all():
        sections.append((section, [rows[i.pk] for i in section.items.all()]))
    return render(
        request,
        "inspections/inspection_form.html",
        {
            "inspection": inspection,
            "ticket": ticket,
            "thread": thread,
            "form": form,
            "sections": sections,
            "card": card,
        },
        status=_status(form),
    )


@require(Cap.INSPECTION_VIEW)
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    """QA results I may see, filtered by status, agent and plan."""
    status = request.GET.get("status", "")
    if status not in InspectionStatus.values:
        status = ""
    qs = selectors.filter_results(
        selectors.results_for(request.user),
        agent_id=_id(request.GET.get("agent")),
        plan_id=_id(request.GET.get("plan")),
        status=status,
    )
    context = {"page": _page(request, qs), "status": status, "statuses": InspectionStatus.choices}
    template = "inspections/partials/result_rows.html" if is_htmx(request) else "inspections/inspection_list.html"
    return render(request, template, context)


@require(Cap.INSPECTION_VIEW)
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One inspection: every item's score, comment and evidence, the appeal and its decision."""
    inspection = _found(selectors.inspection_visible(request.user, pk))
    context = _result_context(request, inspection)
    context["may_reassign"] = can(request.user, Cap.INSPECTION_MANAGE) and inspection.is_open
    if context["may_reassign"]:
        context["reassign_form"] = qa_forms.ReassignForm(inspectors=services.eligible_inspectors())
    context["may_decide"] = services.may_decide_appeal(request.user, inspection)
    return render(request, "inspections/result_detail.html", context)


@require(Cap.INSPECTION_MANAGE)
@require_POST
def inspection_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _found(selectors.inspection_visible(request.user, pk))
    form = qa_forms.ReassignForm(request.POST, inspectors=services.eligible_inspectors())
    if form.is_valid():
        try:
            services.inspection_reassign(
                actor=request.user,
                inspection=inspection,
                inspector=_found(selectors.user_by_pk(form.cleaned_data["inspector"])),
            )
            messages.success(request, _("The inspection was reassigned."))
        except DomainError as exc:
            _message_error(request, exc)
    else:
        messages.error(request, _("Choose an inspector."))
    return redirect("inspections:inspection_detail", pk=pk)


@require(Cap.INSPECTION_PERFORM)
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """Undecided appeals I may decide (not on my own results or my team's work)."""
    return render(
        request, "inspections/appeal_list.html", {"page": _page(request, selectors.appeals_pending(request.user))}
    )


@require(Cap.INSPECTION_PERFORM)
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide an appeal as the second inspector: outcome, reasons, and new points where it is right."""
    appeal = _found(selectors.appeal_by_pk(pk))
    inspection = _found(selectors.inspection_visible(request.user, appeal.inspection_id))
    card = _found(selectors.scorecard_detail(inspection.scorecard_id))
    items = [i for s in card.sections.all() for i in s.items.all()]
    ticket = _found(selectors.thread(inspection.ticket_id))
    thread = list(ticket.messages.all())
    original = [a for a in inspection.answers.all() if a.stage == "inspector"]
    data = request.POST if request.method == "POST" else None
    form = qa_forms.DecideForm(
        data, items=items, messages=thread, initial=qa_forms.InspectionForm.initial_from(original)
    )
    if data is not None:
        before = {a.item_id: a.points for a in original}

        def decide(d: dict[str, Any]) -> Any:
            changed = {k: v for k, v in form.answers().items() if v.points != before.get(k) or k not in before}
            return services.appeal_decide(
                actor=request.user, appeal=appeal, outcome=d["outcome"], note=d["note"], answers=changed
            )

        ok, _done = _submit(
            form,
            decide,
            rename={**form.rename(), "answers": NON_FIELD, "decided_by": NON_FIELD, "appeal": NON_FIELD},
        )
        if ok:
            messages.success(request, _("The appeal was decided; the result is final."))
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    rows = {row[0].pk: row for row in form.item_rows()}
    sections = [(s, [rows[i.pk] for i in s.items.all()]) for s in card.sections.all()]
    return render(
        request,
        "inspections/appeal_decide.html",
        {
            "appeal": appeal,
            "inspection": inspection,
            "ticket": ticket,
            "thread": thread,
            "form": form,
            "sections": sections,
        },
        status=_status(form),
    )


@require(Cap.INSPECTION_VIEW)
@require_GET
def agent_results(request: HttpRequest, pk: int) -> HttpResponse:
    """An agent's QA page: mean score, results, critical failures and proposed training needs."""
    agent = selectors.user_by_pk(pk)
    if agent is None or not selectors.may_see_agent(request.user, agent):
        raise Http404
    qs = selectors.filter_results(selectors.results_for(request.user), agent_id=agent.pk)
    return render(
        request,
        "inspections/agent_results.html",
        {
            "agent": agent,
            "summary": selectors.agent_summary(agent.pk),
            "page": _page(request, qs),
            "needs": list(selectors.training_needs(agent.pk)[:50]),
        },
    )


# --- plans ------------------------------------------------------------------------------------------------


@require(Cap.INSPECTION_VIEW)
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inspections/plan_list.html",
        {"page": _page(request, selectors.plans()), "may_manage": can(request.user, Cap.INSPECTION_MANAGE)},
    )


@require(Cap.INSPECTION_MANAGE)
def plan_create(request: HttpRequest) -> HttpResponse:
    cards = list(selectors.published_scorecards())
    form = qa_forms.PlanForm(request.POST if request.method == "POST" else None, scorecards=cards)
    if request.method == "POST":
        chosen = {c.pk: c for c in cards}

        def create(d: dict[str, Any]) -> Any:
            return services.plan_create(
                actor=request.user,
                period_start=d["period_start"],
                period_end=d["period_end"],
                name=d["name"],
                rate=(d["rate"] / Decimal(100)).quantize(Decimal("0.0001")),
                include_complaints=d["include_complaints"],
                include_low_ratings=d["include_low_ratings"],
                low_rating_max=d["low_rating_max"],
                scorecard=chosen.get(d["scorecard"]) if d["scorecard"] else None,
            )

        ok, plan = _submit(form, create)
        if ok:
            messages.success(request, _("The plan was created; draw it once its period is over."))
            return redirect("inspections:plan_detail", pk=plan.pk)
    return _form_page(
        request,
        form,
        title=_("New sampling plan"),
        back_url=reverse("inspections:plan_list"),
        back_label=_("Sampling plans"),
        submit_label=_("Create plan"),
    )


@require(Cap.INSPECTION_VIEW)
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: its rules, the seed, achieved rate per agent and type, the inspectors' workload."""
    plan = _found(selectors.plan_detail(pk))
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "strata": selectors.plan_strata(plan),
            "workload": selectors.plan_workload(plan),
            "achieved": selectors.percent(plan.sampled, plan.population),
            "done_rate": selectors.percent(plan.done, plan.population),
            "may_manage": can(request.user, Cap.INSPECTION_MANAGE),
            "draw_form": qa_forms.DrawForm(),
        },
    )


@require(Cap.INSPECTION_MANAGE)
@require_POST
def plan_draw(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _found(selectors.plan_by_pk(pk))
    form = qa_forms.DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The seed is a whole number from 0 to 2⁶³ − 1."))
        return redirect("inspections:plan_detail", pk=pk)
    try:
        drawn = services.plan_draw(actor=request.user, plan=plan, seed=form.cleaned_data["seed"])
        messages.success(
            request,
            _("Drawn with seed %(seed)s: %(n)d tickets for inspection.") % {"seed": drawn.seed, "n": drawn.sampled},
        )
    except DomainError as exc:
        _message_error(request, exc)
    return redirect("inspections:plan_detail", pk=pk)


@require(Cap.INSPECTION_MANAGE)
@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _found(selectors.plan_by_pk(pk))
    try:
        services.plan_close(actor=request.user, plan=plan)
        messages.success(request, _("The plan is closed."))
    except DomainError as exc:
        _message_error(request, exc)
    return redirect("inspections:plan_detail", pk=pk)


@require(Cap.INSPECTION_VIEW)
@require_GET
def plan_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-run the plan's draw from its stored inputs and seed (an htmx partial on the plan page)."""
    _found(selectors.plan_by_pk(pk))
    check = selectors.plan_verify(pk)
    template = "inspections/partials/verify.html" if is_htmx(request) else "inspections/verify_page.html"
    return render(request, template, {"check": check, "plan_id": pk})


# --- scorecards -----------------------------------------------------------------------------------------


@require(Cap.INSPECTION_VIEW)
@require_GET
def scorecard_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inspections/scorecard_list.html",
        {"cards": list(selectors.scorecards()), "may_manage": can(request.user, Cap.INSPECTION_MANAGE)},
    )


@require(Cap.INSPECTION_MANAGE)
def scorecard_create(request: HttpRequest) -> HttpResponse:
    form = qa_forms.ScorecardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, card = _submit(form, lambda d: services.scorecard_create(actor=request.user, **d))
        if ok:
            messages.success(request, _("The draft was created; add sections and items, then publish it."))
            return redirect("inspections:scorecard_detail", pk=card.pk)
    return _form_page(
        request,
        form,
        title=_("New scorecard"),
        back_url=reverse("inspections:scorecard_list"),
        back_label=_("Scorecards"),
        submit_label=_("Create draft"),
    )


def _scorecard_context(request: HttpRequest, card: Any, **extra: Any) -> dict[str, Any]:
    sections = list(card.sections.all())
    editable = card.status == ScorecardStatus.DRAFT and can(request.user, Cap.INSPECTION_MANAGE)
    total = selectors.weight_sum(card)
    return {
        "card": card,
        "sections": sections,
        "editable": editable,
        "may_manage": can(request.user, Cap.INSPECTION_MANAGE),
        "total": total,
        "total_ok": total == Decimal(100),
        "section_form": extra.pop("section_form", None) or qa_forms.SectionForm(prefix="section"),
        "item_form": extra.pop("item_form", None) or qa_forms.ItemForm(prefix="item", sections=sections),
        "publish_form": qa_forms.PublishForm(),
        **extra,
    }


@require(Cap.INSPECTION_VIEW)
@require_GET
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A scorecard version; for a draft and a quality manager, its editor with the running weight sum."""
    card = _found(selectors.scorecard_detail(pk))
    template = "inspections/partials/scorecard_editor.html" if is_htmx(request) else "inspections/scorecard_detail.html"
    return render(request, template, _scorecard_context(request, card))


def _editor_response(request: HttpRequest, pk: int, status: int = 200, **extra: Any) -> HttpResponse:
    card = _found(selectors.scorecard_detail(pk))
    if is_htmx(request):
        return render(
            request,
            "inspections/partials/scorecard_editor.html",
            _scorecard_context(request, card, **extra),
            status=status,
        )
    if status != 200:
        return render(
            request, "inspections/scorecard_detail.html", _scorecard_context(request, card, **extra), status=status
        )
    return redirect("inspections:scorecard_detail", pk=pk)


@require(Cap.INSPECTION_MANAGE)
@require_POST
def scorecard_section_add(request: HttpRequest, pk: int) -> HttpResponse:
    card = _found(selectors.scorecard_detail(pk))
    form = qa_forms.SectionForm(request.POST, prefix="section")
    ok, _section = _submit(
        form,
        lambda d: services.scorecard_section_add(actor=request.user, scorecard=card, **d),
        rename={"scorecard": NON_FIELD},
    )
    return _editor_response(request, pk, 200 if ok else 400, **({} if ok else {"section_form": form}))


@require(Cap.INSPECTION_MANAGE)
@require_POST
def scorecard_section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    section = _found(selectors.section_by_pk(pk))
    try:
        services.scorecard_section_delete(actor=request.user, section=section)
    except DomainError as exc:
        _message_error(request, exc)
    return _editor_response(request, section.scorecard_id)


@require(Cap.INSPECTION_MANAGE)
@require_POST
def scorecard_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    card = _found(selectors.scorecard_detail(pk))
    sections = {s.pk: s for s in card.sections.all()}
    form = qa_forms.ItemForm(request.POST, prefix="item", sections=list(sections.values()))

    def add(d: dict[str, Any]) -> Any:
        section = sections[d.pop("section")]
        return services.scorecard_item_add(actor=request.user, section=section, **d)

    ok, _item = _submit(form, add, rename={"scorecard": NON_FIELD})
    return _editor_response(request, pk, 200 if ok else 400, **({} if ok else {"item_form": form}))


@require(Cap.INSPECTION_MANAGE)
def scorecard_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _found(selectors.item_by_pk(pk))
    card = _found(selectors.scorecard_detail(item.scorecard_id))
    sections = {s.pk: s for s in card.sections.all()}
    data = request.POST if request.method == "POST" else None
    form = qa_forms.ItemForm(data, sections=list(sections.values()), initial=qa_forms.ItemForm.initial_of(item))
    if data is not None:

        def save(d: dict[str, Any]) -> Any:
            section = sections[d.pop("section")]
            return services.scorecard_item_update(actor=request.user, item=item, section=section, **d)

        ok, _saved = _submit(form, save, rename={"scorecard": NON_FIELD})
        if ok:
            messages.success(request, _("The item was saved."))
            return redirect("inspections:scorecard_detail", pk=card.pk)
    return _form_page(
        request,
        form,
        title=_("Edit item"),
        back_url=reverse("inspections:scorecard_detail", args=[card.pk]),
        back_label=str(card),
        submit_label=_("Save"),
    )


@require(Cap.INSPECTION_MANAGE)
@require_POST
def scorecard_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _found(selectors.item_by_pk(pk))
    try:
        services.scorecard_item_delete(actor=request.user, item=item)
    except DomainError as exc:
        _message_error(request, exc)
    return _editor_response(request, item.scorecard_id)


@require(Cap.INSPECTION_MANAGE)
@require_POST
def scorecard_publish(request: HttpRequest, pk: int) -> HttpResponse:
    card = _found(selectors.scorecard_detail(pk))
    form = qa_forms.PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return redirect("inspections:scorecard_detail", pk=pk)
    try:
        services.scorecard_publish(
            actor=request.user, scorecard=card, effective_from=form.cleaned_data["effective_from"]
        )
        messages.success(request, _("%(card)s is published.") % {"card": card})
    except DomainError as exc:
        _message_error(request, exc)
    return redirect("inspections:scorecard_detail", pk=pk)


@require(Cap.INSPECTION_MANAGE)
@require_POST
def scorecard_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    card = _found(selectors.scorecard_detail(pk))
    try:
        draft = services.scorecard_new_version(actor=request.user, scorecard=card)
        messages.success(request, _("Draft %(card)s was made from the latest version.") % {"card": draft})
        return redirect("inspections:scorecard_detail", pk=draft.pk)
    except DomainError as exc:
        _message_error(request, exc)
    return redirect("inspections:scorecard_detail", pk=pk)


# --- calibration --------------------------------------------------------------------------------------


@require(Cap.INSPECTION_VIEW)
@require_GET
def calibration_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inspections/calibration_list.html",
        {"page": _page(request, selectors.calibrations()), "may_manage": can(request.user, Cap.INSPECTION_MANAGE)},
    )


@require(Cap.INSPECTION_MANAGE)
def calibration_create(request: HttpRequest) -> HttpResponse:
    people = {u.pk: u for u in selectors.calibrators()}
    cards = list(selectors.published_scorecards())
    form = qa_forms.CalibrationForm(
        request.POST if request.method == "POST" else None, inspectors=list(people.values()), scorecards=cards
    )
    if request.method == "POST":

        def create(d: dict[str, Any]) -> Any:
            tickets = selectors.tickets_by_ids(d["tickets"])
            missing = sorted(set(d["tickets"]) - {t.pk for t in tickets})
            if missing:
                raise DomainError(
                    _("There is no ticket %(ids)s.") % {"ids": ", ".join(f"T{m:08d}" for m in missing[:5])},
                    field="tickets",
                )
            card = next((c for c in cards if c.pk == d["scorecard"]), None)
            return services.calibration_create(
                actor=request.user,
                name=d["name"],
                tickets=tickets,
                inspectors=[people[i] for i in d["inspectors"]],
                scorecard=card,
                note=d["note"],
            )

        ok, session = _submit(form, create)
        if ok:
            messages.success(request, _("The session was created; each inspector finds its tickets in their queue."))
            return redirect("inspections:calibration_detail", pk=session.pk)
    return _form_page(
        request,
        form,
        title=_("New calibration session"),
        back_url=reverse("inspections:calibration_list"),
        back_label=_("Calibration"),
        submit_label=_("Create session"),
    )


@require(Cap.INSPECTION_VIEW)
@require_GET
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Per item each inspector's points, spread and alpha; per inspector the deviation from consensus."""
    session = _found(selectors.calibration_detail(pk))
    report = selectors.calibration_report(session)
    return render(
        request,
        "inspections/calibration_detail.html",
        {"session": session, "report": report, "may_manage": can(request.user, Cap.INSPECTION_MANAGE)},
    )


@require(Cap.INSPECTION_MANAGE)
@require_POST
def calibration_close(request: HttpRequest, pk: int) -> HttpResponse:
    session = _found(selectors.calibration_detail(pk))
    services.calibration_close(actor=request.user, session=session)
    messages.success(request, _("The session is closed."))
    return redirect("inspections:calibration_detail", pk=pk)
