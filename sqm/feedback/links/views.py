"""Pages of rating links, QR ratings and the complaint rule.

Public (no login): ``links_rate`` — the page of a signed rating link (GET shows, only the
customer's POST records; expired → 410, forged → 400, not theirs → 403); ``links_qr`` — the
mobile rating page of a QR code (rate-limited: 429 past the hard limits).
Customers (``Cap.FEEDBACK_RATE``): ``links_mine`` — their recent tickets with a rating link each.
Staff: QR codes (``Cap.FEEDBACK_MANAGE``: list, create, deactivate, PNG, SVG, printable sheet),
the complaint rule (``Cap.FEEDBACK_MANAGE``: view, edit, measure) and its follow-ups
(``Cap.TICKET_VIEW``).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.forms import apply_domain_error, submit
from sqm.core.permissions import require
from sqm.core.roles import Cap
from sqm.feedback import services as feedback_services
from sqm.feedback.links import complaint_rule as scorer
from sqm.feedback.links import qr, selectors, services
from sqm.feedback.links.forms import (
    SCORE_LABELS,
    ComplaintRuleForm,
    LinkRatingForm,
    QrCodeForm,
    QrRatingForm,
    RuleTryForm,
)
from sqm.feedback.links.services import RULE_FIELDS

DEVICE_COOKIE = "sqm_qr_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def _public(response: HttpResponse) -> HttpResponse:
    """Public pages carry a secret in their address: never cache them, never send it as Referer to another site."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _message(request: HttpRequest, *, title: str, text: str, status: int, kind: str = "error") -> HttpResponse:
    context = {"title": title, "text": text, "kind": kind}
    return _public(render(request, "feedback/links/public_message.html", context, status=status))


# --- the signed rating link ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """A closed ticket's rating page. Opening it records nothing; the form's POST rates."""
    try:
        ticket, customer = services.link_target(token)
    except services.LinkExpired as exc:
        return _message(request, title=_("This link has expired"), text=str(exc.errors["token"][0]), status=410)
    except services.LinkInvalid as exc:
        return _message(request, title=_("This link is not valid"), text=str(exc.errors["token"][0]), status=400)
    except PermissionDeniedError:
        return _message(
            request,
            title=_("This link is not valid"),
            text=_("This rating link is not for this ticket's customer."),
            status=403,
        )
    if feedback_services.handled_by(ticket, customer):
        return _message(
            request,
            title=_("You cannot rate this ticket"),
            text=_("You worked on this ticket, so you cannot rate it."),
            status=403,
        )
    existing = selectors.rating_of(ticket.pk)
    status = 200
    if request.method == "POST":
        form = LinkRatingForm(request.POST)
        ok, result = submit(
            form,
            lambda d: services.link_rating_submit(
                token=token, score=d["score"], recommend=d.get("recommend"), comment=d.get("comment", "")
            ),
            rename={"ticket": "__all__", "token": "__all__"},
        )
        if ok:
            rating, created = result
            context = {"ticket": ticket, "rating": rating, "created": created}
            return _public(render(request, "feedback/links/rate_done.html", context))
        status = 400
    else:
        initial = (
            {"score": existing.score, "recommend": existing.recommend, "comment": existing.comment} if existing else {}
        )
        form = LinkRatingForm(initial=initial)
    context = {
        "ticket": ticket,
        "form": form,
        "existing": existing,
        "score_labels": SCORE_LABELS,
        "days": feedback_services.change_window().days,
    }
    return _public(render(request, "feedback/links/rate.html", context, status=status))


@require(Cap.FEEDBACK_RATE)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The customer's recently resolved or closed tickets, each with its rating link."""
    tickets = selectors.rateable_tickets(request.user, days=services.link_days())
    rows = [
        {"ticket": t, "rating": t.my_rating, "token": services.link_token(ticket_id=t.pk, customer_id=request.user.pk)}
        for t in tickets
    ]
    return render(request, "feedback/links/mine.html", {"rows": rows})


# --- QR ratings: the public page ----------------------------------------------------------------


def _client(request: HttpRequest) -> services.QrClient:
    return services.QrClient(
        cookie=request.COOKIES.get(DEVICE_COOKIE, "")[:64],
        address=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
    )


def _with_device_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax"
        )
    return _public(response)


@never_cache
@require_http_methods(["GET", "POST"])
def qr_page(request: HttpRequest, token: str) -> HttpResponse:
    """The phone page behind a printed code: tap a score, add a word, send."""
    code = selectors.qr_code_by_token(token)
    if code is None:
        return _message(request, title=_("Unknown code"), text=_("This QR code is not known here."), status=404)
    if not code.is_active:
        return _message(
            request,
            title=_("This code is retired"),
            text=_("This QR code is no longer in use. Thank you anyway!"),
            status=410,
        )
    status = 200
    if request.method == "POST":
        form = QrRatingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.qr_rating_submit(
                    code=code,
                    client=_client(request),
                    score=data["score"],
                    comment=data.get("comment", ""),
                    stamp=data.get("stamp", ""),
                    trap=data.get("website", ""),
                )
            except services.RateLimited as exc:
                response = _message(
                    request, title=_("Please wait a moment"), text=str(exc.errors["__all__"][0]), status=429
                )
                response["Retry-After"] = "60"
                return response
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return _with_device_cookie(request, render(request, "feedback/links/qr_done.html", {"code": code}))
        status = 400
        form.data = form.data.copy()
        form.data["stamp"] = services.form_stamp(code)
    else:
        form = QrRatingForm(initial={"stamp": services.form_stamp(code)})
    context = {"code": code, "form": form, "score_labels": SCORE_LABELS}
    return _with_device_cookie(request, render(request, "feedback/links/qr_page.html", context, status=status))


# --- QR codes: staff pages ----------------------------------------------------------------------


def _code_or_404(pk: int) -> Any:
    code = selectors.qr_code_by_pk(pk)
    if code is None:
        raise Http404
    return code


@require(Cap.FEEDBACK_MANAGE)
@require_GET
def qr_list(request: HttpRequest) -> HttpResponse:
    """Every code with its counts of counted and flagged ratings; a form adds one."""
    codes = list(selectors.qr_codes())
    summary = selectors.qr_summary([c.pk for c in codes])
    for code in codes:
        code.summary = summary.get(code.pk, {"counted": 0, "flagged": 0})
    return render(request, "feedback/links/qr_list.html", {"codes": codes, "form": QrCodeForm()})


@require(Cap.FEEDBACK_MANAGE)
@require_POST
def qr_create(request: HttpRequest) -> HttpResponse:
    form = QrCodeForm(request.POST)
    ok, code = submit(
        form,
        lambda d: services.qr_code_create(
            actor=request.user, label=d["label"], team=d.get("team"), agent=d.get("agent")
        ),
    )
    if not ok:
        codes = list(selectors.qr_codes())
        summary = selectors.qr_summary([c.pk for c in codes])
        for c in codes:
            c.summary = summary.get(c.pk, {"counted": 0, "flagged": 0})
        return render(request, "feedback/links/qr_list.html", {"codes": codes, "form": form}, status=400)
    messages.success(request, _("QR code “%(label)s” created.") % {"label": code.label})
    return redirect("feedback:links_qr_list")


@require(Cap.FEEDBACK_MANAGE)
@require_POST
def qr_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    code = _code_or_404(pk)
    services.qr_code_deactivate(actor=request.user, code=code)
    messages.success(
        request, _("QR code “%(label)s” deactivated: its page takes no more ratings.") % {"label": code.label}
    )
    return redirect("feedback:links_qr_list")


@require(Cap.FEEDBACK_MANAGE)
@require_GET
def qr_png(request: HttpRequest, pk: int) -> HttpResponse:
    code = _code_or_404(pk)
    response = HttpResponse(qr.png(code), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="sqm-qr-{code.pk}.png"'
    return response


@require(Cap.FEEDBACK_MANAGE)
@require_GET
def qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    code = _code_or_404(pk)
    response = HttpResponse(qr.svg(code), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="sqm-qr-{code.pk}.svg"'
    return response


@require(Cap.FEEDBACK_MANAGE)
@require_GET
def qr_sheet(request: HttpRequest) -> HttpResponse:
    """An A4 sheet of the active codes (or those ticked), each with its label, ready to print."""
    ids = [int(v) for v in request.GET.getlist("id") if v.isdigit() and len(v) < 18]
    codes = selectors.qr_codes_for_sheet(ids or None)
    cards = [{"code": c, "svg": qr.svg_inline(c), "url": qr.code_url(c)} for c in codes]
    return render(request, "feedback/links/qr_sheet.html", {"cards": cards})


# --- the complaint rule -------------------------------------------------------------------------


def _rule_initial(rule: Any) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in RULE_FIELDS}


@require(Cap.FEEDBACK_MANAGE)
@require_http_methods(["GET", "POST"])
def rule(request: HttpRequest) -> HttpResponse:
    """The complaint rule as it stands, its measured precision and recall, and its form."""
    current = services.complaint_rule_current()
    status = 200
    if request.method == "POST":
        form = ComplaintRuleForm(request.POST)
        ok, _result = submit(form, lambda d: services.complaint_rule_update(actor=request.user, **d))
        if ok:
            messages.success(request, _("The complaint rule was saved; its precision and recall are being measured."))
            return redirect("feedback:links_rule")
        status = 400
    else:
        form = ComplaintRuleForm(initial=_rule_initial(current))
    try_form = RuleTryForm(request.GET or None)
    verdict = None
    if try_form.is_bound and try_form.is_valid():
        verdict = scorer.score(try_form.cleaned_data["text"], current.lexicon())
    context = {
        "rule": current,
        "form": form,
        "try_form": try_form,
        "verdict": verdict,
        "measured": current.measured or {},
        "counts": selectors.invitation_counts(),
    }
    return render(request, "feedback/links/rule.html", context, status=status)


@require(Cap.FEEDBACK_MANAGE)
@require_POST
def rule_measure(request: HttpRequest) -> HttpResponse:
    from sqm import schedule

    schedule.links_measure_rule()
    messages.success(request, _("Measuring the rule; the figures appear here when done."))
    return redirect("feedback:links_rule")


@require(Cap.TICKET_VIEW)
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    """What the complaint rule did: each low or complaint-like rating and the ticket it opened."""
    raw = request.GET.get("before", "")
    cursor = int(raw) if raw.isdigit() and len(raw) < 18 else None
    items, more = selectors.follow_ups(cursor=cursor)
    context = {"items": items, "more": more, "rule": services.complaint_rule_current()}
    return render(request, "feedback/links/follow_ups.html", context)
