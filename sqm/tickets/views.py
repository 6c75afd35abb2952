"""Agent, team-lead and quality-manager pages for tickets (DESIGN.md §2.2).

Views stay thin: a form checks the shape of the input, a service of :mod:`sqm.tickets.services`
applies the business rules and writes the change with its event and audit entry, and the view
redirects (or, for htmx requests, answers with the partial that changed). Every page works
without JavaScript; htmx only saves full reloads. Seeing tickets needs ``Cap.TICKET_VIEW``,
working them ``Cap.TICKET_WORK``, reassigning and transferring ``Cap.TICKET_ASSIGN``, editing
processes and canned replies ``Cap.PROCESS_MANAGE``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from sqm.core.errors import DomainError
from sqm.core.forms import is_htmx as _is_htmx
from sqm.core.forms import submit as _submit
from sqm.core.permissions import require
from sqm.core.roles import Cap, Role, can
from sqm.tickets import forms as ticket_forms
from sqm.tickets import selectors, services
from sqm.tickets.models import (
    CannedReply,
    Channel,
    EventKind,
    Priority,
    ProcessStep,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from sqm.tickets.services.workflow import TRANSITIONS
from sqm.tickets.sla import selectors as sla_selectors

QUEUE_PAGE_SIZE = 50
SLA_REFRESH_SECONDS = 30
SHIFT_ROLES = (Role.AGENT, Role.TEAM_LEAD)


# --- helpers -----------------------------------------------------------------------------------


def _ticket_or_404(pk: int) -> Ticket:
    ticket = selectors.ticket_page(pk)
    if ticket is None:
        raise Http404
    return ticket


def _ticket_url(pk: int, anchor: str = "") -> str:
    return reverse("tickets:ticket_detail", args=[pk]) + (f"#{anchor}" if anchor else "")


def duration_text(minutes: int | None) -> str:
    """A time limit as people say it: "90 minutes", "8 hours", "3 days"."""
    if not minutes:
        return ""
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


# --- queues ------------------------------------------------------------------------------------


def _queue_page(
    request: HttpRequest,
    *,
    scope: str,
    title: Any,
    intro: Any,
    fixed: dict[str, Any],
    can_pick_team: bool = False,
    agents: list[Any] | None = None,
    blocked: Any = "",
) -> HttpResponse:
    """The one layout of every queue: a GET filter form, the table and a "next page" link."""
    data = request.GET.copy()
    if can_pick_team and "team" not in data and request.user.team_id:  # type: ignore[union-attr]
        data["team"] = str(request.user.team_id)  # type: ignore[union-attr]
    form = ticket_forms.QueueFilterForm(data, scope=scope, can_pick_team=can_pick_team, agents=agents or [])
    filters = form.filters(**fixed)
    customer_missing = False
    if form.customer_text:
        customer = selectors.customer_lookup(form.customer_text)
        customer_missing = customer is None
        filters.customer_id = customer.pk if customer else None
    page, notice = _queue_rows(request, filters, form.chosen_sort, empty=bool(blocked) or customer_missing)
    if customer_missing:
        form.add_error("customer", _("No customer has this user name, phone number or e-mail address."))
    context = {
        "form": form,
        "page": page,
        "title": title,
        "intro": intro,
        "scope": scope,
        "blocked": blocked,
        "notice": notice,
        "filtered": form.is_filtered,
        "after": request.GET.get("after", ""),
        "list_url": request.path,
        "can_log": can(request.user, Cap.TICKET_WORK),
    }
    if scope == "mine":
        context["shift"] = _shift_context(request)
    template = "tickets/partials/queue_table.html" if _is_htmx(request) else "tickets/queue.html"
    return render(request, template, context)


def _queue_rows(
    request: HttpRequest, filters: selectors.QueueFilters, sort: str, *, empty: bool
) -> tuple[selectors.Page, Any]:
    """One page of the queue; a stale or broken cursor falls back to the first page."""
    if empty:
        return selectors.Page(items=[], next_cursor=None), ""
    try:
        return selectors.queue(filters, sort=sort, after=request.GET.get("after", ""), limit=QUEUE_PAGE_SIZE), ""
    except DomainError:
        notice = _("That page link no longer works; here is the first page.")
        return selectors.queue(filters, sort=sort, limit=QUEUE_PAGE_SIZE), notice


def _shift_context(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if user.role not in SHIFT_ROLES:  # type: ignore[union-attr]
        return None
    availability = selectors.availability_of(user.pk)  # type: ignore[arg-type]
    return {
        "on_shift": bool(availability and availability.on_shift),
        "load": availability.load if availability else 0,
        "cap": availability.max_concurrent if availability else None,
    }


@require(Cap.TICKET_WORK)
@vary_on_headers("HX-Request")
def my_queue(request: HttpRequest) -> HttpResponse:
    """The active tickets assigned to me, most urgent first, with my shift and load."""
    return _queue_page(
        request,
        scope="mine",
        title=_("My queue"),
        intro=_("Active tickets assigned to you."),
        fixed={"assignee_id": request.user.pk},
    )


@require(Cap.TICKET_VIEW)
@vary_on_headers("HX-Request")
def team_queue(request: HttpRequest) -> HttpResponse:
    """A team's tickets. Agents see their own team; leads, managers and QA may pick any team."""
    user = request.user
    can_pick_team = user.role != Role.AGENT  # type: ignore[union-attr]
    fixed: dict[str, Any] = {}
    blocked: Any = ""
    team_id = user.team_id  # type: ignore[union-attr]
    if not can_pick_team:
        fixed["team_id"] = team_id
        blocked = "" if team_id else _("You are not in a team yet, so there is no team queue to show.")
    agents = selectors.assignable_agents(team_id=None if can_pick_team else team_id)
    return _queue_page(
        request,
        scope="team",
        title=_("Team queue"),
        intro=_("The team's tickets, including those nobody has taken yet."),
        fixed=fixed,
        can_pick_team=can_pick_team,
        agents=agents,
        blocked=blocked,
    )


@require(Cap.TICKET_WORK)
@vary_on_headers("HX-Request")
def owned(request: HttpRequest) -> HttpResponse:
    """Complaints I own as their first contact (首问负责制), wherever they are now, until closed."""
    return _queue_page(
        request,
        scope="owned",
        title=_("My owned complaints"),
        intro=_(
            "Complaints you handled first. You stay their owner until they are closed, "
            "even when another team works on them."
        ),
        fixed={"owner_id": request.user.pk, "type": TicketType.COMPLAINT},
        agents=selectors.assignable_agents(),
    )


@require(Cap.TICKET_WORK)
@require_POST
def shift_set(request: HttpRequest) -> HttpResponse:
    """Start or end my shift. Ending it hands my open tickets to colleagues on shift."""
    form = ticket_forms.ShiftForm(request.POST)
    on_shift = form.is_valid() and form.cleaned_data["on_shift"]
    try:
        services.shift_set(actor=request.user, agent=request.user, on_shift=on_shift)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.messages_text())
    else:
        if on_shift:
            messages.success(request, _("Your shift has started; new tickets can come to you."))
        else:
            messages.success(request, _("Your shift has ended; your open tickets go to colleagues on shift."))
    return redirect("tickets:my_queue")


# --- the ticket page ---------------------------------------------------------------------------


@require(Cap.TICKET_VIEW)
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket: facts, thread, reply form, process steps with control points, actions, history."""
    ticket = _ticket_or_404(pk)
    return render(request, "tickets/ticket_detail.html", _ticket_context(request, ticket))


def _ticket_context(request: HttpRequest, ticket: Ticket, **forms_: Any) -> dict[str, Any]:
    user = request.user
    can_work = can(user, Cap.TICKET_WORK)
    can_assign = can(user, Cap.TICKET_ASSIGN) and ticket.is_active
    process = _process_context(ticket)
    context: dict[str, Any] = {
        "ticket": ticket,
        "thread": list(ticket.messages.all()),
        "can_work": can_work and ticket.status != Status.CLOSED,
        "can_assign": can_assign,
        "process": process,
        "history": _history(ticket, process["step_map"], process["point_map"]),
        "transitions": [(s, _label(Status, s)) for s in Status.values if s in TRANSITIONS[ticket.status]],
        "kb_suggest_url": _kb_suggest_url(user, ticket),
        "sla": _sla_context(ticket),
        "sla_history": _sla_history(ticket),
        "extension_panels": _extension_panels(request, ticket),
        "customer_queue_url": reverse("tickets:team_queue")
        + "?"
        + urlencode({"status": "all", "team": "", "customer": ticket.customer.username}),
    }
    if context["can_work"]:
        context["reply_form"] = forms_.get("reply_form") or ticket_forms.ReplyForm(ticket_type=ticket.type)
        context["edit_form"] = forms_.get("edit_form") or ticket_forms.TicketEditForm(
            initial=_edit_initial(ticket), category_id=ticket.category_id
        )
    if can_work and ticket.status == Status.CLOSED:
        context["reopen_form"] = forms_.get("reopen_form") or ticket_forms.ReopenForm()
    if can_assign:
        context["assign_form"] = forms_.get("assign_form") or ticket_forms.AssignForm(
            agents=selectors.assignable_agents(), initial={"assignee": ticket.assignee_id}
        )
        context["transfer_form"] = forms_.get("transfer_form") or ticket_forms.TransferForm(
            initial={"team": ticket.team_id}
        )
    return context


def _extension_panels(request: HttpRequest, ticket: Ticket) -> list[str]:
    """Side panels that later apps add to the ticket page without this app importing them: each
    AppConfig may list ``TICKET_PANELS``, callables ``(request, ticket) -> safe HTML or None``
    (e.g. the standards app's SOPs for the ticket's type)."""
    from django.apps import apps

    panels = []
    for config in apps.get_app_configs():
        for panel in getattr(config, "TICKET_PANELS", ()):
            html = panel(request, ticket)
            if html:
                panels.append(html)
    return panels


# --- the SLA panel ----------------------------------------------------------------------------


def business_time_text(delta: dt.timedelta) -> str:
    """A span of business time as people read it: "2 h 05 min", "45 min", "3 min"."""
    minutes = int(abs(delta).total_seconds()) // 60
    hours, rest = divmod(minutes, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": rest}
    return _("%(m)d min") % {"m": rest}


def _sla_context(ticket: Ticket) -> dict[str, Any]:
    """The ticket's SLA countdown (:func:`sqm.tickets.sla.selectors.clock_view`) with readable spans."""
    view = sla_selectors.clock_view(ticket)
    if not view["has_clock"]:
        return view
    for entry in view["targets"]:
        left = entry["business_left"]
        entry["overdue"] = left < dt.timedelta(0)
        entry["left_text"] = business_time_text(left)
        entry["target_text"] = duration_text(entry["minutes"])
    view["open"] = any(entry["met_at"] is None for entry in view["targets"]) and not view["stopped"]
    view["refresh_seconds"] = SLA_REFRESH_SECONDS
    return view


def _sla_history(ticket: Ticket) -> list[dict[str, Any]]:
    """Every SLA clock event of the ticket, oldest first, with a readable detail."""
    rows = []
    for event in sla_selectors.clock_events(ticket):
        data = event.data or {}
        parts = []
        if event.on_time is not None:
            parts.append(str(_("on time") if event.on_time else _("late")))
        reason = data.get("reason")
        if reason:
            parts.append(str(SLA_REASONS.get(reason, reason)))
        if event.kind == "recomputed":
            parts.append(_due_change(data.get("before") or {}, data.get("after") or {}))
        rows.append({"event": event, "detail": " · ".join(p for p in parts if p)})
    return rows


SLA_REASONS = {
    **sla_selectors.PAUSE_LABELS,
    "reopened": _("ticket reopened"),
    "update": _("type or priority changed"),
    "team": _("moved to another team"),
    "policy": _("SLA policy set by hand"),
    "calendar": _("working calendar edited"),
    "team_calendar": _("team calendar changed"),
}


def _due_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """ "resolution due 11-24 18:00 → 11-25 12:00" for a recomputation (centre time)."""

    def short(value: Any) -> str:
        if not value:
            return "—"
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%m-%d %H:%M")

    old, new = before.get("due_resolution_at"), after.get("due_resolution_at")
    if old == new:
        return ""
    return str(_("resolution due %(before)s → %(after)s") % {"before": short(old), "after": short(new)})


@require(Cap.TICKET_VIEW)
@require_GET
def sla_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The SLA panel alone, which the ticket page reloads every 30 s (htmx) as a live countdown."""
    ticket = selectors.ticket_row(pk)
    if ticket is None:
        raise Http404
    return render(request, "tickets/partials/sla_panel.html", {"ticket": ticket, "sla": _sla_context(ticket)})


def _edit_initial(ticket: Ticket) -> dict[str, Any]:
    return {
        "subject": ticket.subject,
        "type": ticket.type,
        "priority": ticket.priority,
        "category": ticket.category_id,
    }


def _kb_suggest_url(user: Any, ticket: Ticket) -> str:
    """The knowledge-base suggestions for this ticket, once the knowledge app offers them."""
    if not can(user, Cap.KB_VIEW):
        return ""
    try:
        return f"{reverse('knowledge:suggest')}?ticket={ticket.pk}"
    except NoReverseMatch:
        return ""


def _ticket_page(request: HttpRequest, pk: int, status: int = 200, **forms_: Any) -> HttpResponse:
    """The ticket page again, showing a form that failed with its errors."""
    ticket = _ticket_or_404(pk)
    return render(request, "tickets/ticket_detail.html", _ticket_context(request, ticket, **forms_), status=status)


def _process_context(ticket: Ticket) -> dict[str, Any]:
    """Every step of the ticket's process with its state, and what the standard requires next."""
    steps: list[ProcessStep] = selectors.process_steps(ticket.type)
    current = ticket.current_step
    if current is not None and all(step.pk != current.pk for step in steps):
        steps.append(current)  # a step retired while this ticket was in it
    progress = {p.step_id: p for p in ticket.step_progress.all()}
    checks = {c.control_point_id: c for c in ticket.checks.all()}
    rows = [_step_row(step, current, progress.get(step.pk), checks) for step in steps]
    now_row = next((row for row in rows if row["state"] == "current"), None)
    due_at = None
    if now_row and now_row["progress"] and now_row["step"].time_limit_minutes:
        due_at = now_row["progress"].started_at + dt.timedelta(minutes=now_row["step"].time_limit_minutes)
    open_before = [row["step"] for row in rows if row["state"] != "done" and row["step"].before_resolution]
    return {
        "steps": rows,
        "current": now_row,
        "next_step": _following(rows, now_row),
        "due_at": due_at,
        "overdue": due_at is not None and due_at < timezone.now(),
        "missing": [p["point"] for p in now_row["points"] if p["check"] is None] if now_row else [],
        "blocking_resolution": open_before,
        "step_map": {step.pk: step for step in steps},
        "point_map": {p["point"].pk: p["point"] for row in rows for p in row["points"]},
    }


def _step_row(step: ProcessStep, current: ProcessStep | None, progress: Any, checks: dict[int, Any]) -> dict[str, Any]:
    if current is not None and step.pk == current.pk:
        state = "current"
    elif progress is not None and progress.completed_at is not None:
        state = "done"
    else:
        state = "todo"
    points = [{"point": point, "check": checks.get(point.pk)} for point in step.control_points.all()]
    limit = duration_text(step.time_limit_minutes)
    return {"step": step, "state": state, "progress": progress, "points": points, "limit": limit}


def _following(rows: list[dict[str, Any]], now_row: dict[str, Any] | None) -> ProcessStep | None:
    if now_row is None:
        return None
    later = [row["step"] for row in rows if row["step"].order > now_row["step"].order and row["step"].is_active]
    return later[0] if later else None


REASONS = {
    "auto": _("automatic assignment"),
    "logged": _("logged the contact"),
    "manual": _("reassigned by a lead"),
    "transfer": _("transferred to another team"),
    "off_shift": _("agent went off shift"),
}


def _history(ticket: Ticket, steps: dict[int, Any], points: dict[int, Any]) -> list[dict[str, Any]]:
    """The ticket's events, oldest first, each with a readable line of what changed."""
    events: list[TicketEvent] = list(ticket.events.all())
    users: set[int] = set()
    teams: set[int] = set()
    categories: set[int] = set()
    for e in events:
        ids = [e.data.get(k) for k in ("before", "after")]
        if e.kind == EventKind.TRANSFERRED:
            teams.update(i for i in ids if isinstance(i, int))
        elif e.kind == EventKind.CATEGORY:
            categories.update(i for i in ids if isinstance(i, int))
        users.update(e.data.get(k) for k in ("assignee", "previous", "owner") if isinstance(e.data.get(k), int))
    names = selectors.names_for_history(users, teams, categories)
    return [{"event": e, "detail": _event_detail(e, names, steps, points)} for e in events]


def _event_detail(
    e: TicketEvent, names: dict[str, dict[int, str]], steps: dict[int, Any], points: dict[int, Any]
) -> str:
    data = e.data or {}

    def name(kind: str, key: str) -> str:
        return names[kind].get(data.get(key), "—") if data.get(key) is not None else "—"

    kind = e.kind
    if kind in (EventKind.STATUS, EventKind.PRIORITY, EventKind.TYPE):
        choices = {EventKind.STATUS: Status, EventKind.PRIORITY: Priority, EventKind.TYPE: TicketType}[kind]
        return f"{_label(choices, data.get('before'))} → {_label(choices, data.get('after'))}"
    if kind == EventKind.CATEGORY:
        return f"{name('category', 'before')} → {name('category', 'after')}"
    if kind == EventKind.TRANSFERRED:
        return f"{name('team', 'before')} → {name('team', 'after')}"
    if kind == EventKind.ASSIGNED:
        return f"{name('user', 'assignee')} · {REASONS.get(data.get('reason'), data.get('reason', ''))}"
    if kind == EventKind.UNASSIGNED:
        return f"{name('user', 'previous')} · {REASONS.get(data.get('reason'), data.get('reason', ''))}"
    if kind == EventKind.OWNER:
        return name("user", "owner")
    if kind in (EventKind.STEP_STARTED, EventKind.STEP_COMPLETED):
        step = steps.get(data.get("step"))
        return str(step.name) if step else str(data.get("name", ""))
    if kind == EventKind.CHECKED:
        point = points.get(data.get("control_point"))
        return str(point.text) if point else str(data.get("text", ""))
    if kind == EventKind.CREATED:
        return _label(Channel, data.get("channel"))
    return ""


@require(Cap.TICKET_WORK)
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply to the customer or add an internal note; "insert" puts a canned reply into the text."""
    ticket = _ticket_or_404(pk)
    form = ticket_forms.ReplyForm(request.POST, request.FILES, ticket_type=ticket.type)
    if request.POST.get("action") == "insert":
        return _reply_with_canned(request, ticket, form)
    ok, _message = _submit(
        form,
        lambda d: services.ticket_reply(
            actor=request.user,
            ticket=ticket,
            body=d["body"],
            internal=d["kind"] == "note",
            wait_for_customer=d["wait_for_customer"],
            attachments=ticket_forms.incoming_files(d["attachments"]),
        ),
    )
    if not ok:
        return _ticket_page(request, pk, reply_form=form)
    done = _("The internal note was added.") if form.cleaned_data["kind"] == "note" else _("The reply was sent.")
    messages.success(request, done)
    return redirect(_ticket_url(pk, "thread"))


def _reply_with_canned(request: HttpRequest, ticket: Ticket, form: ticket_forms.ReplyForm) -> HttpResponse:
    """The reply form again, its text extended by the chosen canned reply (files must be chosen again)."""
    if form.is_valid():
        initial = {**{k: form.cleaned_data[k] for k in ("kind", "wait_for_customer")}, "body": form.with_canned_text()}
        form = ticket_forms.ReplyForm(initial=initial, ticket_type=ticket.type)
    if _is_htmx(request):
        return render(request, "tickets/partials/reply_form.html", {"ticket": ticket, "reply_form": form})
    return _ticket_page(request, ticket.pk, reply_form=form)


@require(Cap.TICKET_WORK)
@require_POST
def control_point_tick(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the ticks of the current step's checklist: each box shown is ticked or unticked as sent."""
    ticket = _ticket_or_404(pk)
    shown, wanted = _ids(request.POST.getlist("shown")), _ids(request.POST.getlist("ticked"))
    points = _process_context(ticket)["point_map"]
    ticked_now = {check.control_point_id for check in ticket.checks.all()}
    error: Any = ""
    try:
        for point_id in sorted(shown):
            if point_id in points and (point_id in wanted) != (point_id in ticked_now):
                services.control_point_tick(
                    actor=request.user, ticket=ticket, control_point=points[point_id], ticked=point_id in wanted
                )
    except DomainError as exc:
        error = exc.messages_text()
    return _process_response(request, pk, error=error, notice="" if error else _("The checklist was saved."))


def _ids(values: list[str]) -> set[int]:
    return {int(v) for v in values if v.isdigit()}


@require(Cap.TICKET_WORK)
@require_POST
def step_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """End the current step once its control points are ticked, and start the next one."""
    ticket = _ticket_or_404(pk)
    error: Any = ""
    notice: Any = ""
    try:
        following = services.step_complete(actor=request.user, ticket=ticket)
    except DomainError as exc:
        error = exc.messages_text()
    else:
        if following is None:
            notice = _("Every step of the process is done.")
        else:
            notice = _("Step done. Next: %(step)s") % {"step": following.name}
    return _process_response(request, pk, error=error, notice=notice)


def _process_response(request: HttpRequest, pk: int, *, error: Any, notice: Any) -> HttpResponse:
    """The process panel for htmx; otherwise back to the ticket page with the message on top."""
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return redirect(_ticket_url(pk, "process"))
    ticket = _ticket_or_404(pk)
    context = {
        "ticket": ticket,
        "process": _process_context(ticket),
        "can_work": can(request.user, Cap.TICKET_WORK) and ticket.status != Status.CLOSED,
        "process_error": error,
        "process_notice": notice,
    }
    return render(request, "tickets/partials/process_panel.html", context)


@require(Cap.TICKET_WORK)
@require_POST
def ticket_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the ticket to another status, if the current status and the process allow it."""
    ticket = _ticket_or_404(pk)
    form = ticket_forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect(_ticket_url(pk))
    status = form.cleaned_data["status"]
    try:
        services.ticket_transition(actor=request.user, ticket=ticket, status=status)
    except DomainError as exc:
        messages.error(request, exc.messages_text())
    else:
        messages.success(request, _("The ticket is now “%(status)s”.") % {"status": _label(Status, status)})
    return redirect(_ticket_url(pk))


@require(Cap.TICKET_WORK)
@require_POST
def ticket_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed ticket, giving the reason as an internal note."""
    ticket = _ticket_or_404(pk)
    form = ticket_forms.ReopenForm(request.POST)
    ok, _ticket = _submit(form, lambda d: services.ticket_reopen(actor=request.user, ticket=ticket, reason=d["reason"]))
    if not ok:
        return _ticket_page(request, pk, reopen_form=form)
    messages.success(request, _("The ticket was reopened."))
    return redirect(_ticket_url(pk))


@require(Cap.TICKET_WORK)
@require_POST
def ticket_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the subject, type, priority or category."""
    ticket = _ticket_or_404(pk)
    form = ticket_forms.TicketEditForm(request.POST, category_id=ticket.category_id)
    ok, _ticket = _submit(
        form,
        lambda d: services.ticket_update(
            actor=request.user,
            ticket=ticket,
            subject=d["subject"],
            type=d["type"],
            priority=d["priority"],
            category=d["category"],
        ),
    )
    if not ok:
        return _ticket_page(request, pk, edit_form=form)
    messages.success(request, _("The changes were saved."))
    return redirect(_ticket_url(pk))


@require(Cap.TICKET_ASSIGN)
@require_POST
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """A team lead gives the ticket to a named agent."""
    ticket = _ticket_or_404(pk)
    form = ticket_forms.AssignForm(request.POST, agents=selectors.assignable_agents())
    ok, _ticket = _submit(
        form, lambda d: services.assign_to(actor=request.user, ticket=ticket, agent=form.agent(), reason="manual")
    )
    if not ok:
        return _ticket_page(request, pk, assign_form=form)
    messages.success(request, _("The ticket now goes to %(name)s.") % {"name": form.agent()})
    return redirect(_ticket_url(pk))


@require(Cap.TICKET_ASSIGN)
@require_POST
def ticket_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the ticket to another team's queue; a complaint keeps its first-contact owner."""
    ticket = _ticket_or_404(pk)
    form = ticket_forms.TransferForm(request.POST)
    ok, _ticket = _submit(form, lambda d: services.ticket_transfer(actor=request.user, ticket=ticket, team=d["team"]))
    if not ok:
        return _ticket_page(request, pk, transfer_form=form)
    messages.success(request, _("The ticket was sent to %(team)s.") % {"team": form.cleaned_data["team"]})
    return redirect(_ticket_url(pk))


@require(None)
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A file of a ticket's thread: staff who see tickets, or the ticket's own customer (not notes)."""
    attachment = selectors.attachment_with_ticket(pk)
    if attachment is None:
        raise Http404
    user = request.user
    message = attachment.message
    if user.role == Role.CUSTOMER:  # type: ignore[union-attr]
        allowed = message.ticket.customer_id == user.pk and message.is_public
    else:
        allowed = can(user, Cap.TICKET_VIEW)
    if not allowed:
        raise PermissionDenied
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- logging a call or a visit -----------------------------------------------------------------


@require(Cap.TICKET_WORK)
def log_contact(request: HttpRequest) -> HttpResponse:
    """Log a phone call or a walk-in for a known or new customer; the ticket stays with the agent."""
    if request.method != "POST":
        initial = {k: request.GET[k] for k in ("customer", "customer_q") if request.GET.get(k)}
        return _log_page(request, ticket_forms.LogContactForm(initial=initial))
    if request.POST.get("action") == "search":  # the no-JavaScript customer search
        return _log_page(request, ticket_forms.LogContactForm(initial=request.POST.dict()))
    form = ticket_forms.LogContactForm(request.POST, request.FILES)
    ok, ticket = _submit(form, lambda d: _log(request.user, d))
    if not ok:
        return _log_page(request, form)
    messages.success(request, _("Ticket %(number)s was logged.") % {"number": ticket.number})
    return redirect("tickets:ticket_detail", pk=ticket.pk)


NEW_CUSTOMER_FIELDS = {"display_name": "new_name", "phone": "new_phone", "email": "new_email"}


@transaction.atomic
def _log(actor: Any, d: dict[str, Any]) -> Ticket:
    """The customer (made on the spot when new) and the ticket, together or not at all."""
    customer = d["customer"]
    if customer is None:
        try:
            customer = services.walk_in_customer_create(
                actor=actor, display_name=d["new_name"], phone=d["new_phone"], email=d["new_email"]
            )
        except DomainError as exc:
            errors = {NEW_CUSTOMER_FIELDS.get(k, k): v for k, v in exc.errors.items()}
            raise DomainError(errors=errors, code=exc.code) from exc
    description = d["description"].strip()
    subject = d["subject"].strip() or description.split("\n", 1)[0][:80]
    ticket, _created = services.ticket_create(
        actor=actor,
        customer=customer,
        type=d["type"],
        subject=subject,
        channel=d["channel"],
        description=description,
        priority=d["priority"],
        category=d["category"],
        language=d["language"],
        attachments=ticket_forms.incoming_files(d["attachments"]),
    )
    return ticket


def _log_page(request: HttpRequest, form: ticket_forms.LogContactForm) -> HttpResponse:
    query = form["customer_q"].value() or ""
    selected = form["customer"].value()
    matches = selectors.customer_search(query)
    if selected and str(selected).isdigit() and all(str(c.pk) != str(selected) for c in matches):
        matches = selectors.customers_by_pk([int(selected)]) + matches
    context = {
        "form": form,
        "matches": matches,
        "query": query,
        "selected": str(selected or ""),
        "new_customer_fields": [form[name] for name in form.CUSTOMER_FIELDS],
        "ticket_fields": [form[name] for name in form.TICKET_FIELDS],
    }
    return render(request, "tickets/log_contact.html", context)


@require(Cap.TICKET_WORK)
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """The customers matching what the agent typed (htmx partial of the log-contact page)."""
    query = request.GET.get("customer_q", "").strip()[:100]
    context = {"matches": selectors.customer_search(query), "query": query, "selected": request.GET.get("customer", "")}
    return render(request, "tickets/partials/customer_matches.html", context)


# --- process definitions (quality manager) -----------------------------------------------------


def _form_page(request: HttpRequest, form: forms.BaseForm, **context: Any) -> HttpResponse:
    return render(request, "tickets/form_page.html", {"form": form, **context})


@require(Cap.PROCESS_MANAGE)
def process_list(request: HttpRequest) -> HttpResponse:
    """Every ticket type's process: its steps in order, time limits and key control points."""
    definitions = selectors.process_definitions()
    for definition in definitions:
        for step in definition.steps.all():
            step.limit_text = duration_text(step.time_limit_minutes)
    return render(request, "tickets/process_list.html", {"definitions": definitions})


@require(Cap.PROCESS_MANAGE)
def step_create(request: HttpRequest, definition_pk: int) -> HttpResponse:
    """Add a step to a process."""
    definition = selectors.process_definition(definition_pk)
    if definition is None:
        raise Http404
    next_order = max((s.order for s in definition.steps.all()), default=0) + 1
    form = ticket_forms.ProcessStepForm(
        request.POST if request.method == "POST" else None, initial={"order": next_order, "before_resolution": True}
    )
    if request.method == "POST":
        ok, step = _submit(form, lambda d: _save_step(request, definition, None, d))
        if ok:
            messages.success(request, _("The step “%(name)s” was added.") % {"name": step.name})
            return redirect(reverse("tickets:process_list") + f"#process-{definition.ticket_type}")
    return _form_page(
        request,
        form,
        title=_("New step in “%(process)s”") % {"process": definition.name},
        back_url=reverse("tickets:process_list"),
        back_label=_("Process definitions"),
        submit_label=_("Add step"),
    )


@require(Cap.PROCESS_MANAGE)
def step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a step: position, names, time limit, when it is needed, and its control points."""
    step = selectors.process_step(pk)
    if step is None:
        raise Http404
    initial = {
        "order": step.order,
        "name_zh": step.name_zh,
        "name_en": step.name_en,
        "time_limit_minutes": step.time_limit_minutes,
        "before_resolution": step.before_resolution,
        "control_points": ticket_forms.ProcessStepForm.lines_of(step),
    }
    form = ticket_forms.ProcessStepForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        ok, saved = _submit(form, lambda d: _save_step(request, step.definition, step, d))
        if ok:
            messages.success(request, _("The step “%(name)s” was saved.") % {"name": saved.name})
            return redirect(reverse("tickets:process_list") + f"#process-{step.definition.ticket_type}")
    return _form_page(
        request,
        form,
        title=_("Edit step “%(name)s”") % {"name": step.name},
        intro="" if step.is_active else _("This step is retired: new tickets skip it."),
        back_url=reverse("tickets:process_list"),
        back_label=_("Process definitions"),
        submit_label=_("Save step"),
    )


def _save_step(request: HttpRequest, definition: Any, step: ProcessStep | None, d: dict[str, Any]) -> ProcessStep:
    return services.step_save(
        actor=request.user,
        definition=definition,
        step=step,
        order=d["order"],
        name_zh=d["name_zh"],
        name_en=d["name_en"],
        time_limit_minutes=d["time_limit_minutes"],
        before_resolution=d["before_resolution"],
        control_points=d["control_points"],
    )


@require(Cap.PROCESS_MANAGE)
@require_POST
def step_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a step out of its process; tickets already past it keep their history."""
    step = selectors.process_step(pk)
    if step is None:
        raise Http404
    services.step_retire(actor=request.user, step=step)
    messages.success(request, _("The step “%(name)s” was retired.") % {"name": step.name})
    return redirect(reverse("tickets:process_list") + f"#process-{step.definition.ticket_type}")


# --- canned replies (quality manager) ----------------------------------------------------------


def _canned_or_404(pk: int) -> CannedReply:
    reply = selectors.canned_reply(pk)
    if reply is None:
        raise Http404
    return reply


@require(Cap.PROCESS_MANAGE)
def canned_list(request: HttpRequest) -> HttpResponse:
    """The canned replies agents can insert, in use and retired."""
    return render(request, "tickets/canned_list.html", {"replies": selectors.canned_reply_list()})


@require(Cap.PROCESS_MANAGE)
def canned_create(request: HttpRequest) -> HttpResponse:
    """Write a new canned reply."""
    return _canned_form(request, None)


@require(Cap.PROCESS_MANAGE)
def canned_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a canned reply's title, text, language or ticket type."""
    return _canned_form(request, _canned_or_404(pk))


def _canned_form(request: HttpRequest, reply: CannedReply | None) -> HttpResponse:
    initial = {}
    if reply is not None:
        initial = {k: getattr(reply, k) for k in ("title", "body", "language", "ticket_type")}
    form = ticket_forms.CannedReplyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        ok, saved = _submit(
            form,
            lambda d: services.canned_reply_save(
                actor=request.user,
                reply=reply,
                title=d["title"],
                body=d["body"],
                language=d["language"],
                ticket_type=d["ticket_type"],
            ),
        )
        if ok:
            messages.success(request, _("The canned reply “%(title)s” was saved.") % {"title": saved.title})
            return redirect("tickets:canned_list")
    return _form_page(
        request,
        form,
        title=_("New canned reply") if reply is None else _("Edit canned reply"),
        back_url=reverse("tickets:canned_list"),
        back_label=_("Canned replies"),
        submit_label=_("Save"),
    )


@require(Cap.PROCESS_MANAGE)
@require_POST
def canned_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop offering a canned reply to agents."""
    reply = services.canned_reply_retire(actor=request.user, reply=_canned_or_404(pk))
    messages.success(request, _("The canned reply “%(title)s” was retired.") % {"title": reply.title})
    return redirect("tickets:canned_list")
