"""Pages of tiered alerts, alert rules and the contingency-plan library.

Reading needs ``Cap.ALERT_VIEW``; acknowledging, assigning, submitting plans and marking a major
incident ``Cap.ALERT_HANDLE``; verifying, sending back, closing, editing rules and plans and
recording drills ``Cap.ALERT_VERIFY``. Thin views: a form checks the shape, a service applies the
rules (its DomainError lands on the form or in a message), then a redirect.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sqm.core.errors import DomainError
from sqm.core.forms import submit as _submit
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.kpis import forms as alert_forms
from sqm.kpis.alerting import PARAMS
from sqm.kpis.models import Alert, AlertStatus, ContingencyPlan, Dimension
from sqm.kpis.selectors import alerts as sel
from sqm.kpis.services import alerts as services
from sqm.kpis.services.alerts import EVENT_LABELS

PAGE_SIZE = 50


def _alert_or_404(pk: int) -> Alert:
    alert = sel.alert_detail(pk)
    if alert is None:
        raise Http404
    return alert


def _plan_or_404(pk: int) -> ContingencyPlan:
    plan = sel.plan_detail(pk)
    if plan is None:
        raise Http404
    return plan


def _form_page(request: HttpRequest, form: forms.BaseForm, **context: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "kpis/alerts/form_page.html", {"form": form, **context}, status=status)


def _scope_label(alert: Alert, names: dict[tuple[str, str], str]) -> str:
    group = (alert.evidence or {}).get("group")
    if group:
        return f"{_('Customer group')} · {group}"
    if alert.dimension == Dimension.CENTRE:
        return _("Whole centre") if not alert.key else alert.key
    name = names.get((alert.dimension, alert.key)) or (alert.evidence or {}).get("scope_name") or alert.key
    return f"{Dimension(alert.dimension).label} · {name}"


# --- alerts ---------------------------------------------------------------------------------------


@require(Cap.ALERT_VIEW)
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """Alerts newest first, filtered by level, status, overdue plans and "mine"."""
    now = timezone.now()
    form = alert_forms.AlertFilterForm(request.GET or None)
    values = form.values() if request.GET else {"level": "", "status": "", "overdue": False, "mine": False}
    filters = sel.AlertFilters(
        level=values.get("level") or "",
        status=values.get("status") or "",
        overdue=bool(values.get("overdue")),
        mine=bool(values.get("mine")),
    )
    page = Paginator(sel.alert_list(user=request.user, filters=filters, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    alerts = list(page.object_list)
    names = sel.scope_names(alerts)
    rows = [
        {
            "alert": alert,
            "scope": _scope_label(alert, names),
            "overdue": alert.plan_submitted_at is None
            and alert.plan_due_at is not None
            and alert.plan_due_at < now
            and alert.status != AlertStatus.CLOSED,
        }
        for alert in alerts
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form if request.GET else alert_forms.AlertFilterForm(),
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "counts": sel.counts_by_level(now),
        "can_handle": can(request.user, Cap.ALERT_HANDLE),
    }
    return render(request, "kpis/alerts/alert_list.html", context)


def _detail(
    request: HttpRequest,
    alert: Alert,
    *,
    status: int = 200,
    action_errors: list[str] | None = None,
    **forms_: forms.BaseForm,
) -> HttpResponse:
    now = timezone.now()
    user = request.user
    names = sel.scope_names([alert])
    context = {
        "alert": alert,
        "action_errors": action_errors or [],
        "scope": _scope_label(alert, names),
        "events": [(event, EVENT_LABELS.get(event.kind, event.kind)) for event in alert.events.all()],
        "task_force": list(alert.task_force.all()),
        "overdue": alert.plan_submitted_at is None
        and alert.plan_due_at is not None
        and alert.plan_due_at < now
        and alert.status != AlertStatus.CLOSED,
        "evidence_rows": _evidence_rows(alert),
        "evidence_tickets": _evidence_tickets(alert),
        "can_handle": can(user, Cap.ALERT_HANDLE),
        "can_verify": can(user, Cap.ALERT_VERIFY),
        "is_owner": alert.owner_id == getattr(user, "pk", None),
        "wrote_plan": alert.plan_submitted_by_id == getattr(user, "pk", None),
        "assign_form": forms_.get("assign_form") or alert_forms.AssignForm(initial={"owner": alert.owner_id}),
        "plan_form": forms_.get("plan_form") or alert_forms.PlanForm(initial={"plan": alert.plan}),
        "verify_form": forms_.get("verify_form") or alert_forms.NoteForm(prefix="verify"),
        "reopen_form": forms_.get("reopen_form") or alert_forms.ReopenForm(prefix="reopen"),
        "close_form": forms_.get("close_form") or alert_forms.NoteForm(prefix="close"),
    }
    return render(request, "kpis/alerts/alert_detail.html", context, status=status)


def _evidence_rows(alert: Alert) -> list[tuple[str, Any]]:
    """The evidence as (label, value) lines in the reader's language, known keys only, in a fixed order."""
    evidence = alert.evidence or {}
    labels = {
        "standard": _("Standard"),
        "indicator": _("Indicator"),
        "metric": _("KPI"),
        "period": _("Period from"),
        "previous": _("Compared with the week from"),
        "value": _("Value"),
        "target": _("Target"),
        "yellow": _("Yellow threshold"),
        "orange": _("Orange threshold"),
        "red": _("Red threshold"),
        "volume": _("Cases"),
        "this_week": _("Complaints this week"),
        "last_week": _("Complaints the week before"),
        "growth": _("Growth"),
        "threshold": _("Threshold"),
        "count": _("Complaints"),
        "average": _("Trailing average"),
        "factor": _("Surge factor"),
        "group": _("Customer group"),
        "customers": _("Customers"),
        "window_hours": _("Window (hours)"),
        "centre": _("Centre line (%)"),
        "lower": _("Lower control limit (%)"),
        "upper": _("Upper control limit (%)"),
        "n": _("Cases (n)"),
        "sigma": _("Sigma"),
        "periods": _("Periods behind the centre line"),
        "description": _("Details"),
    }
    rows: list[tuple[str, Any]] = []
    for key, label in labels.items():
        if key not in evidence or evidence[key] in (None, ""):
            continue
        value = evidence[key]
        if key == "standard":
            value = f"{value} v{evidence.get('version', '')}".strip()
        elif key == "indicator":
            from django.utils.translation import get_language

            name = (
                evidence.get("indicator_en")
                if (get_language() or "").startswith("en")
                else evidence.get("indicator_zh")
            )
            value = f"{value} {name or ''}".strip()
        elif key == "growth":
            value = f"{float(value) * 100:.1f} %"
        elif key == "value" and evidence.get("unit"):
            value = f"{value} {evidence['unit']}"
        rows.append((label, value))
    if evidence.get("history"):
        rows.append((_("Weeks before"), ", ".join(f"{h.get('week')}: {h.get('count')}" for h in evidence["history"])))
    return rows


def _evidence_tickets(alert: Alert) -> list[tuple[str, str]]:
    """The tickets behind a group-complaints alert, as (number, link)."""
    ids = (alert.evidence or {}).get("ticket_ids") or []
    return [(f"T{int(pk):08d}", reverse("tickets:ticket_detail", args=[int(pk)])) for pk in ids if str(pk).isdigit()]


@require(Cap.ALERT_VIEW)
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: evidence, timeline, rectification plan, task force, contingency plan, actions by role."""
    return _detail(request, _alert_or_404(pk))


def _action(request: HttpRequest, alert: Alert, run: Any, done: str) -> HttpResponse:
    try:
        run()
    except DomainError as exc:
        messages.error(request, "; ".join(str(m) for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, done)
    return redirect("kpis:alert_detail", pk=alert.pk)


@require(Cap.ALERT_HANDLE)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(pk)
    return _action(
        request,
        alert,
        lambda: services.alert_acknowledge(actor=request.user, alert=alert),
        _("You acknowledged the alert and own it now."),
    )


def _form_action(
    request: HttpRequest, alert: Alert, form: forms.Form, form_key: str, run: Any, done: str
) -> HttpResponse:
    """Validate ``form``, run the service; a broken rule lands next to its field, or — when it is
    about the alert itself (its status, who may act) — at the top of the page. 400 either way."""
    if not form.is_valid():
        return _detail(request, alert, status=400, **{form_key: form})
    try:
        run(form.cleaned_data)
    except DomainError as exc:
        problems = []
        for field, msgs in exc.errors.items():
            for message in msgs:
                if field in form.fields:
                    form.add_error(field, message)
                else:
                    problems.append(str(message))
        return _detail(request, alert, status=400, action_errors=problems, **{form_key: form})
    messages.success(request, done)
    return redirect("kpis:alert_detail", pk=alert.pk)


@require(Cap.ALERT_HANDLE)
@require_POST
def alert_assign(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(pk)
    form = alert_forms.AssignForm(request.POST)
    return _form_action(
        request,
        alert,
        form,
        "assign_form",
        lambda d: services.alert_assign(actor=request.user, alert=alert, owner=d["owner"]),
        _("The alert has a new owner."),
    )


@require(Cap.ALERT_HANDLE)
@require_POST
def alert_plan(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(pk)
    return _form_action(
        request,
        alert,
        alert_forms.PlanForm(request.POST),
        "plan_form",
        lambda d: services.alert_plan_submit(actor=request.user, alert=alert, plan=d["plan"]),
        _("The rectification plan was submitted for verification."),
    )


@require(Cap.ALERT_VERIFY)
@require_POST
def alert_verify(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(pk)
    return _form_action(
        request,
        alert,
        alert_forms.NoteForm(request.POST, prefix="verify"),
        "verify_form",
        lambda d: services.alert_verify(actor=request.user, alert=alert, note=d["note"]),
        _("The rectification was verified; the alert can be closed."),
    )


@require(Cap.ALERT_VERIFY)
@require_POST
def alert_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(pk)
    return _form_action(
        request,
        alert,
        alert_forms.ReopenForm(request.POST, prefix="reopen"),
        "reopen_form",
        lambda d: services.alert_reopen(actor=request.user, alert=alert, note=d["note"]),
        _("The plan was sent back; a new plan is due."),
    )


@require(Cap.ALERT_VERIFY)
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(pk)
    return _form_action(
        request,
        alert,
        alert_forms.NoteForm(request.POST, prefix="close"),
        "close_form",
        lambda d: services.alert_close(actor=request.user, alert=alert, note=d["note"]),
        _("The alert was closed."),
    )


@require(Cap.ALERT_HANDLE)
def alert_major_incident(request: HttpRequest) -> HttpResponse:
    """Mark a major incident: a red alert at once, with the contingency plan of its scenario."""
    form = alert_forms.MajorIncidentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, alert = _submit(
            form,
            lambda d: services.alert_raise_major_incident(
                actor=request.user, title=d["title"], description=d["description"], scenario=d["scenario"]
            ),
        )
        if ok:
            messages.success(request, _("A red alert was raised and its task force notified."))
            return redirect("kpis:alert_detail", pk=alert.pk)
    return _form_page(
        request,
        form,
        title=_("Raise a major incident"),
        intro=_(
            "A major incident (system outage, mass complaints, a public-opinion incident…) raises a red alert at "
            "once, links the contingency plan of its scenario and notifies the quality managers and team leads."
        ),
        back_url=reverse("kpis:alert_list"),
        back_label=_("Alerts"),
        submit_label=_("Raise red alert"),
        danger=True,
    )


# --- rules ----------------------------------------------------------------------------------------


@require(Cap.ALERT_VIEW)
@require_GET
def alert_rule_list(request: HttpRequest) -> HttpResponse:
    """Every alert rule with its parameters; quality managers edit them."""
    rows = []
    for rule in sel.rule_list():
        labels = {spec.name: spec for spec in PARAMS.get(rule.kind, ())}
        params = []
        for name, value in (rule.params or {}).items():
            spec = labels.get(name)
            if spec is None:
                continue
            shown = dict(spec.choices).get(value, value) if spec.type == "choice" else value
            params.append((spec.label, shown if shown not in ("", None) else "—"))
        rows.append({"rule": rule, "params": params})
    return render(
        request,
        "kpis/alerts/rule_list.html",
        {"rows": rows, "can_edit": can(request.user, Cap.ALERT_VERIFY)},
    )


@require(Cap.ALERT_VERIFY)
def alert_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = sel.rule_get(pk)
    if rule is None:
        raise Http404
    form = alert_forms.RuleForm(request.POST if request.method == "POST" else None, rule=rule)
    if request.method == "POST":
        ok, _saved = _submit(
            form,
            lambda d: services.alert_rule_update(
                actor=request.user,
                rule=rule,
                name_zh=d["name_zh"],
                name_en=d["name_en"],
                level=d.get("level") or "",
                params=form.params(),
                plan_due_days=d["plan_due_days"],
                is_active=d["is_active"],
            ),
        )
        if ok:
            messages.success(request, _("The rule “%(rule)s” was saved.") % {"rule": rule.name})
            return redirect("kpis:alert_rule_list")
    return _form_page(
        request,
        form,
        title=_("Edit rule %(code)s") % {"code": rule.code},
        intro=rule.get_kind_display(),
        back_url=reverse("kpis:alert_rule_list"),
        back_label=_("Alert rules"),
        submit_label=_("Save"),
    )


@require(Cap.ALERT_VERIFY)
def alert_rule_create(request: HttpRequest) -> HttpResponse:
    """A new rule (e.g. a threshold rule of one standard); its parameters are edited afterwards."""
    form = alert_forms.RuleCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, rule = _submit(
            form,
            lambda d: services.alert_rule_create(
                actor=request.user,
                code=d["code"],
                name_zh=d["name_zh"],
                name_en=d["name_en"],
                kind=d["kind"],
                level=d.get("level") or "",
                standard=d.get("standard"),
                indicator_code=d.get("indicator_code") or "",
                plan_due_days=d["plan_due_days"],
            ),
        )
        if ok:
            messages.success(request, _("The rule was created; set its parameters now."))
            return redirect("kpis:alert_rule_edit", pk=rule.pk)
    return _form_page(
        request,
        form,
        title=_("New alert rule"),
        intro=_(
            "A threshold rule naming a standard takes that standard over from the general threshold rule "
            "(e.g. to judge it by day, or — inactive — to switch its alerts off)."
        ),
        back_url=reverse("kpis:alert_rule_list"),
        back_label=_("Alert rules"),
        submit_label=_("Create rule"),
    )


# --- contingency plans ----------------------------------------------------------------------------


@require(Cap.ALERT_VIEW)
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """The contingency-plan library (应急预案库) with each plan's drills."""
    return render(
        request,
        "kpis/plans/plan_list.html",
        {"plans": list(sel.plan_list()), "can_edit": can(request.user, Cap.ALERT_VERIFY)},
    )


def _plan_detail(
    request: HttpRequest, plan: ContingencyPlan, *, drill_form: Any = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "kpis/plans/plan_detail.html",
        {
            "plan": plan,
            "drills": list(plan.drills.all()),
            "alerts": sel.plan_alerts(plan),
            "can_edit": can(request.user, Cap.ALERT_VERIFY),
            "drill_form": drill_form or alert_forms.DrillForm(initial={"held_on": timezone.localdate()}),
        },
        status=status,
    )


@require(Cap.ALERT_VIEW)
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_detail(request, _plan_or_404(pk))


def _plan_values(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "scenario": d["scenario"],
        "title_zh": d["title_zh"],
        "title_en": d["title_en"],
        "body_zh": d["body_zh"],
        "body_en": d.get("body_en") or "",
        "owner": d.get("owner"),
    }


@require(Cap.ALERT_VERIFY)
def plan_create(request: HttpRequest) -> HttpResponse:
    form = alert_forms.ContingencyPlanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, plan = _submit(form, lambda d: services.plan_create(actor=request.user, code=d["code"], **_plan_values(d)))
        if ok:
            messages.success(request, _("The contingency plan was added to the library."))
            return redirect("kpis:plan_detail", pk=plan.pk)
    return _form_page(
        request,
        form,
        title=_("New contingency plan"),
        back_url=reverse("kpis:plan_list"),
        back_label=_("Contingency plans"),
        submit_label=_("Add plan"),
    )


@require(Cap.ALERT_VERIFY)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(pk)
    form = alert_forms.ContingencyPlanForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST":
        ok, _saved = _submit(form, lambda d: services.plan_update(actor=request.user, plan=plan, **_plan_values(d)))
        if ok:
            messages.success(request, _("The contingency plan was saved."))
            return redirect("kpis:plan_detail", pk=plan.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(plan)s") % {"plan": plan.title},
        back_url=reverse("kpis:plan_detail", args=[plan.pk]),
        back_label=plan.title,
        submit_label=_("Save"),
    )


@require(Cap.ALERT_VERIFY)
@require_POST
def plan_retire(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(pk)
    services.plan_set_active(actor=request.user, plan=plan, active=False)
    messages.success(request, _("The plan was retired; red alerts no longer link it."))
    return redirect("kpis:plan_detail", pk=plan.pk)


@require(Cap.ALERT_VERIFY)
@require_POST
def plan_restore(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(pk)
    services.plan_set_active(actor=request.user, plan=plan, active=True)
    messages.success(request, _("The plan is in use again."))
    return redirect("kpis:plan_detail", pk=plan.pk)


@require(Cap.ALERT_VERIFY)
@require_POST
def plan_drill_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(pk)
    form = alert_forms.DrillForm(request.POST)
    ok, _drill = _submit(
        form,
        lambda d: services.drill_record(
            actor=request.user,
            plan=plan,
            held_on=d["held_on"],
            participants=d["participants"],
            findings=d["findings"],
            follow_up=d.get("follow_up") or "",
        ),
    )
    if not ok:
        return _plan_detail(request, plan, drill_form=form, status=400)
    messages.success(request, _("The drill was recorded."))
    return redirect("kpis:plan_detail", pk=plan.pk)
