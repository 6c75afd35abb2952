"""Customer portal pages (DESIGN.md §2.2): sign up, submit, follow the thread, reply, reopen.

Customers only ever reach their own tickets: anything else, including a ticket number that
does not exist, gets 403, so nothing tells them which numbers are taken. Staff who hold
``Cap.TICKET_VIEW`` may open a ticket's portal page to see what its customer sees (read only);
the other staff pages explain that the portal is for customers and point to their queue.
Internal notes never reach these pages: the portal selectors leave them in the database.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from sqm.core.errors import NON_FIELD
from sqm.core.forms import submit as _submit
from sqm.core.permissions import require
from sqm.core.roles import Cap, Role, can
from sqm.org import services as org_services
from sqm.tickets import services
from sqm.tickets.models import Channel, Status, Ticket
from sqm.tickets.portal import forms as portal_forms
from sqm.tickets.portal import selectors
from sqm.tickets.services.workflow import reopen_window

TICKETS_PER_PAGE = 20

# What each status means for the customer, in plain words.
STATUS_HELP = {
    Status.NEW: _("We have received your request. A member of our staff will take it up shortly."),
    Status.OPEN: _("A member of our staff is working on your request."),
    Status.PENDING: _("We are waiting for your answer. Please reply below so that we can go on."),
    Status.RESOLVED: _("We consider your request resolved. If the problem remains, you can reopen it."),
    Status.CLOSED: _("This request is closed."),
}


# --- helpers -------------------------------------------------------------------------------------


def _is_customer(user: Any) -> bool:
    return getattr(user, "role", None) == Role.CUSTOMER


def _staff_queue_url(user: Any) -> str:
    """Where a staff member works tickets: their own queue, the team queue, or home."""
    if can(user, Cap.TICKET_WORK):
        return reverse("tickets:my_queue")
    if can(user, Cap.TICKET_VIEW):
        return reverse("tickets:team_queue")
    return reverse("home")


def _staff_ticket_url(ticket: Ticket) -> str:
    """The agents' page of the ticket, with its notes, steps and history."""
    return reverse("tickets:ticket_detail", args=[ticket.pk])


def _staff_notice(request: HttpRequest) -> HttpResponse:
    """Staff who open a customer page learn what it is for and where their own work is."""
    return render(request, "tickets/portal/staff_notice.html", {"queue_url": _staff_queue_url(request.user)})


def _ticket_language() -> str:
    """The ticket's language follows the language the customer uses the portal in."""
    return "en" if (get_language() or "").startswith("en") else "zh"


# --- sign-up -----------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password", "password_confirm")
def register(request: HttpRequest) -> HttpResponse:
    """Anyone may open a customer account; they are signed in at once and land in the portal."""
    if request.user.is_authenticated:
        return redirect("portal:my_tickets")
    form = portal_forms.RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, user = _submit(
            form,
            lambda d: org_services.customer_register(
                username=d["username"],
                display_name=d["display_name"],
                email=d["email"],
                phone=d["phone"],
                password=d["password"],
                language=d["language"],
            ),
        )
        if ok:
            auth_login(request, user)
            messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user})
            return redirect("portal:my_tickets")
    return render(request, "tickets/portal/register.html", {"form": form})


# --- the customer's tickets -------------------------------------------------------------------


@require(None)
def my_tickets(request: HttpRequest) -> HttpResponse:
    """The customer's own tickets, newest first, twenty to a page."""
    if not _is_customer(request.user):
        return _staff_notice(request)
    page = Paginator(selectors.my_tickets(request.user.pk), TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "tickets/portal/my_tickets.html", {"page": page})


@require(None)
def submit(request: HttpRequest) -> HttpResponse:
    """A new request with optional attachments; the same form sent twice makes one ticket."""
    if not _is_customer(request.user):
        if request.method == "POST":
            raise PermissionDenied
        return _staff_notice(request)
    posted = request.method == "POST"
    form = portal_forms.SubmitForm(request.POST if posted else None, request.FILES if posted else None)
    if posted:
        ok, result = _submit(
            form,
            lambda d: services.ticket_create(
                actor=request.user,
                customer=request.user,
                type=d["type"],
                category=d["category"],
                subject=d["subject"],
                description=d["description"],
                channel=Channel.WEB,
                language=_ticket_language(),
                attachments=portal_forms.incoming_files(d["attachments"]),
                idempotency_key=d["submission_key"] or None,
            ),
            rename={"Idempotency-Key": NON_FIELD, "channel": NON_FIELD, "language": NON_FIELD},
        )
        if ok:
            ticket, created = result
            if created:
                messages.success(
                    request, _("We have received your request. Its number is %(number)s.") % {"number": ticket.number}
                )
            return redirect("portal:ticket", pk=ticket.pk)
    return render(request, "tickets/portal/submit.html", {"form": form})


def _visible_ticket(user: Any, pk: int) -> tuple[Ticket, bool]:
    """The ticket with its public thread, and whether ``user`` is its customer.

    Customers get 403 for any ticket that is not theirs, existing or not; staff need
    ``Cap.TICKET_VIEW`` (403 without it, 404 for a number that does not exist).
    """
    if _is_customer(user):
        ticket = selectors.portal_ticket(pk, customer_id=user.pk)
        if ticket is None:
            raise PermissionDenied
        return ticket, True
    if not can(user, Cap.TICKET_VIEW):
        raise PermissionDenied
    ticket = selectors.portal_ticket(pk)
    if ticket is None:
        raise Http404
    return ticket, False


@require(None)
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket as its customer sees it; the customer replies or reopens it from here (POST)."""
    found, is_owner = _visible_ticket(request.user, pk)
    if request.method != "POST":
        return _ticket_page(request, found, is_owner)
    if not is_owner:
        raise PermissionDenied  # staff answer from the agents' ticket page, never as the customer
    action = request.POST.get("action")
    if action == "reply":
        return _reply(request, found)
    if action == "reopen":
        return _reopen(request, found)
    return HttpResponseBadRequest()


def _reply(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = portal_forms.ReplyForm(request.POST, request.FILES)
    if not ticket.is_active:
        form.is_valid()
        form.add_error(None, _("This request is no longer open. Reopen it, or submit a new request."))
        return _ticket_page(request, ticket, True, reply_form=form)
    ok, _message = _submit(
        form,
        lambda d: services.ticket_customer_reply(
            actor=request.user,
            ticket=ticket,
            body=d["body"],
            attachments=portal_forms.incoming_files(d["attachments"]),
        ),
    )
    if not ok:
        return _ticket_page(request, ticket, True, reply_form=form)
    messages.success(request, _("Your message was sent."))
    return redirect("portal:ticket", pk=ticket.pk)


def _reopen(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = portal_forms.ReopenForm(request.POST)
    ok, _reopened = _submit(
        form,
        lambda d: services.ticket_reopen(actor=request.user, ticket=ticket, reason=d["reason"]),
        rename={"status": NON_FIELD},
    )
    if not ok:
        return _ticket_page(request, ticket, True, reopen_form=form)
    messages.success(request, _("Your request is open again. We will get back to you."))
    return redirect("portal:ticket", pk=ticket.pk)


def _reopen_until(ticket: Ticket) -> Any:
    """Until when the customer may reopen a resolved or closed ticket (None while it is open)."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return None
    finished = ticket.closed_at or ticket.resolved_at or ticket.updated_at
    return finished + reopen_window()


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    is_owner: bool,
    *,
    reply_form: forms.Form | None = None,
    reopen_form: forms.Form | None = None,
) -> HttpResponse:
    steps = selectors.process_outline(ticket.type)
    step_ids = [step.pk for step in steps]
    step_number = step_ids.index(ticket.current_step_id) + 1 if ticket.current_step_id in step_ids else None
    reopen_until = _reopen_until(ticket)
    context = {
        "ticket": ticket,
        "is_owner": is_owner,
        "status_help": STATUS_HELP[Status(ticket.status)],
        "steps": steps,
        "step_number": step_number,
        "reply_form": reply_form or portal_forms.ReplyForm(),
        "reopen_form": reopen_form or portal_forms.ReopenForm(),
        "reopen_until": reopen_until,
        "can_reopen": reopen_until is not None and timezone.now() <= reopen_until,
        "reopen_days": reopen_window().days,
        "staff_url": "" if is_owner else _staff_ticket_url(ticket),
    }
    return render(request, "tickets/portal/ticket.html", context)


@require(None)
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download a file of a ticket's public thread; customers only from their own tickets."""
    found = selectors.public_attachment(ticket_id=pk, attachment_id=attachment_pk)
    if _is_customer(request.user):
        if found is None or found.message.ticket.customer_id != request.user.pk:
            raise PermissionDenied
    elif not can(request.user, Cap.TICKET_VIEW):
        raise PermissionDenied
    elif found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=found.name, content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
