"""Pages of surveys, return visits and mystery shoppers: thin views, form → service → redirect.

Surveys: staff holding ``Cap.SURVEY_VIEW`` read surveys and results; quality managers
(``Cap.SURVEY_MANAGE``) build, open, close, copy and distribute them. The answer page
(``feedback:survey_answer``) is public: the signed link is the credential; GET only shows the
survey, only the customer's POST stores anything.

Return visits: agents see and record their own calls; team leads and managers see all and
reassign (``Cap.TICKET_ASSIGN``). Mystery shopping: shoppers file and see their own scorecards,
quality managers review them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sqm.core import ratelimit
from sqm.core.errors import DomainError
from sqm.core.forms import apply_domain_error, submit
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.feedback.surveys import forms, selectors, services
from sqm.feedback.surveys.models import (
    SCORE_FIELDS,
    MysteryStatus,
    Question,
    QuestionKind,
    ReturnVisitStatus,
    Survey,
)

PUBLIC_LIMIT = 30  # requests per link and address in PUBLIC_WINDOW
PUBLIC_WINDOW = dt.timedelta(minutes=10)
VISITS_PER_PAGE = 50
MYSTERY_PER_PAGE = 50


def _survey_or_404(pk: int) -> Survey:
    survey = selectors.survey_by_pk(pk)
    if survey is None:
        raise Http404
    return survey


def _question_or_404(survey_pk: int, pk: int) -> Question:
    question = selectors.question_by_pk(survey_pk, pk)
    if question is None:
        raise Http404
    return question


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _run(request: HttpRequest, action: Any, done: str) -> bool:
    """Call a service; its broken rule becomes an error message. True when it went through."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.as_text())
        return False
    messages.success(request, done)
    return True


# --- surveys ---------------------------------------------------------------------------------------


@require(Cap.SURVEY_VIEW)
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    """Surveys newest first, with invitation and response counts; the templates below."""
    rows = list(selectors.surveys())
    context = {
        "surveys": [s for s in rows if not s.is_template],
        "templates": [s for s in rows if s.is_template],
        "can_manage": can(request.user, Cap.SURVEY_MANAGE),
    }
    return render(request, "feedback/surveys/survey_list.html", context)


@require(Cap.SURVEY_MANAGE)
@require_POST
def survey_templates_install(request: HttpRequest) -> HttpResponse:
    _run(
        request,
        lambda: services.survey_templates_install(actor=request.user),
        _g("The CSAT, NPS and SERVQUAL templates are installed."),
    )
    return redirect("feedback:survey_list")


@require(Cap.SURVEY_MANAGE)
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    form = forms.SurveyForm(request.POST or None)
    if request.method == "POST":
        ok, survey = submit(form, lambda d: services.survey_create(actor=request.user, **d))
        if ok:
            return redirect("feedback:survey_detail", pk=survey.pk)
    return render(
        request,
        "feedback/surveys/form_page.html",
        {"form": form, "title": _("New survey"), "back_url": reverse("feedback:survey_list")},
    )


@require(Cap.SURVEY_VIEW)
@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    invited, responded = selectors.invitation_counts(survey.pk)
    can_manage = can(request.user, Cap.SURVEY_MANAGE)
    context = {
        "survey": survey,
        "questions": list(survey.questions.all()),
        "distributions": list(survey.distributions.all()),
        "invited": invited,
        "responded": responded,
        "response_rate": selectors.percent(responded, invited),
        "can_manage": can_manage,
        "can_edit": can_manage and survey.is_draft,
        "question_form": forms.QuestionForm() if can_manage and survey.is_draft else None,
    }
    return render(request, "feedback/surveys/survey_detail.html", context)


@require(Cap.SURVEY_MANAGE)
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    initial = {n: getattr(survey, n) for n in ("title_zh", "title_en", "intro_zh", "intro_en")}
    form = forms.SurveyEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        ok, _survey = submit(form, lambda d: services.survey_update(actor=request.user, survey=survey, **d))
        if ok:
            return redirect("feedback:survey_detail", pk=pk)
    return render(
        request,
        "feedback/surveys/form_page.html",
        {"form": form, "title": _("Edit survey"), "back_url": reverse("feedback:survey_detail", args=[pk])},
    )


@require(Cap.SURVEY_MANAGE)
@require_POST
def survey_copy(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    try:
        copy = services.survey_copy(actor=request.user, survey=survey)
    except DomainError as exc:
        messages.error(request, exc.as_text())
        return redirect("feedback:survey_detail", pk=pk)
    messages.success(request, _g("A new draft was made from “%(title)s”.") % {"title": survey.title})
    return redirect("feedback:survey_detail", pk=copy.pk)


@require(Cap.SURVEY_MANAGE)
@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    _run(
        request,
        lambda: services.survey_open(actor=request.user, survey=survey),
        _g("The survey is open; its questions are now frozen."),
    )
    return redirect("feedback:survey_detail", pk=pk)


@require(Cap.SURVEY_MANAGE)
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    _run(
        request,
        lambda: services.survey_close(actor=request.user, survey=survey),
        _g("The survey is closed; its links no longer work."),
    )
    return redirect("feedback:survey_detail", pk=pk)


@require(Cap.SURVEY_MANAGE)
@require_http_methods(["GET", "POST"])
def survey_question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST":
        ok, _q = submit(form, lambda d: services.question_add(actor=request.user, survey=survey, **d))
        if ok:
            messages.success(request, _g("The question was added."))
            return redirect(reverse("feedback:survey_detail", args=[pk]) + "#questions")
    return render(
        request,
        "feedback/surveys/form_page.html",
        {
            "form": form,
            "title": _("Add a question"),
            "back_url": reverse("feedback:survey_detail", args=[pk]),
            "survey": survey,
        },
    )


@require(Cap.SURVEY_MANAGE)
@require_http_methods(["GET", "POST"])
def survey_question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question_or_404(pk, question_pk)
    form = forms.QuestionForm(request.POST) if request.method == "POST" else forms.QuestionForm.for_question(question)
    if request.method == "POST":
        ok, _q = submit(form, lambda d: services.question_update(actor=request.user, question=question, **d))
        if ok:
            messages.success(request, _g("The question was changed."))
            return redirect(reverse("feedback:survey_detail", args=[pk]) + "#questions")
    return render(
        request,
        "feedback/surveys/form_page.html",
        {
            "form": form,
            "title": _("Edit question"),
            "back_url": reverse("feedback:survey_detail", args=[pk]),
            "survey": question.survey,
        },
    )


@require(Cap.SURVEY_MANAGE)
@require_POST
def survey_question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question_or_404(pk, question_pk)
    _run(
        request,
        lambda: services.question_delete(actor=request.user, question=question),
        _g("The question was removed."),
    )
    return redirect(reverse("feedback:survey_detail", args=[pk]) + "#questions")


@require(Cap.SURVEY_MANAGE)
@require_POST
def survey_question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question_or_404(pk, question_pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    _run(
        request,
        lambda: services.question_move(actor=request.user, question=question, position=question.position + step),
        _g("The question was moved."),
    )
    return redirect(reverse("feedback:survey_detail", args=[pk]) + "#questions")


@require(Cap.SURVEY_MANAGE)
@require_http_methods(["GET", "POST"])
def survey_distribute(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a random sample of the customers whose tickets closed in a period."""
    survey = _survey_or_404(pk)
    form = forms.DistributionForm(request.POST or None)
    if request.method == "POST":
        ok, distribution = submit(
            form,
            lambda d: services.survey_distribute(
                actor=request.user,
                survey=survey,
                closed_from=d["closed_from"],
                closed_to=d["closed_to"],
                sample_size=d["sample_size"],
                team=d.get("team"),
                ticket_type=d.get("ticket_type") or "",
                seed=d.get("seed"),
                days=d.get("days"),
            ),
            rename={"survey": "__all__"},
        )
        if ok:
            messages.success(
                request,
                _g("%(invited)d of %(population)d eligible customers were invited (seed %(seed)d).")
                % {"invited": distribution.invited, "population": distribution.population, "seed": distribution.seed},
            )
            return redirect("feedback:survey_detail", pk=pk)
    return render(
        request,
        "feedback/surveys/form_page.html",
        {
            "form": form,
            "title": _("Send to customers"),
            "back_url": reverse("feedback:survey_detail", args=[pk]),
            "survey": survey,
            "intro": _(
                "A random sample of the customers whose tickets closed in the period (and team, type) is "
                "invited; customers already invited to this survey are left out. Each gets a personal link "
                "by e-mail that needs no sign-in, works once and expires."
            ),
        },
    )


@require(Cap.SURVEY_VIEW)
@require_GET
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Distributions, averages, NPS, SERVQUAL gaps per dimension (table and bars), response rate."""
    survey = _survey_or_404(pk)
    results = selectors.survey_results(survey)
    scale = max((q.scale_max or 7 for q in survey.questions.all() if q.kind == QuestionKind.GAP), default=7)
    context = {
        "survey": survey,
        "results": results,
        "dimension_bars": _dimension_bars(results, scale),
        "scale": scale,
    }
    return render(request, "feedback/surveys/survey_results.html", context)


def _width(value: Decimal | None, whole: int) -> str:
    """A bar width in per cent of ``whole`` (0–100, two decimals, a dot as separator)."""
    if value is None or whole <= 0:
        return "0"
    share = max(Decimal(0), min(Decimal(100), abs(value) * 100 / whole))
    return f"{share.quantize(Decimal('0.01'))}"


def _dimension_bars(results: selectors.SurveyResults, scale: int) -> list[dict[str, Any]]:
    """Per SERVQUAL dimension: bar widths of the mean expectation and perception (share of the
    scale) and of the gap (half the track is a full-scale gap, to the left when negative)."""
    if results.servqual is None:
        return []
    return [
        {
            "dimension": d,
            "e": _width(d.mean_expectation, scale),
            "p": _width(d.mean_perception, scale),
            "gap": _width(d.gap, 2 * (scale - 1)),
            "negative": d.gap is not None and d.gap < 0,
        }
        for d in results.servqual.dimensions
    ]


# --- the public answer page ------------------------------------------------------------------------


def _answer_context(invitation: Any, data: Any = None, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The survey's questions, each with what the customer entered (strings) and its errors."""
    data = data or {}
    errors = errors or {}
    items = []
    for q in invitation.survey.questions.order_by("position", "id"):
        key = f"q{q.pk}"
        current: dict[str, Any] = {
            "value": data.get(key, ""),
            "e": data.get(f"{key}_e", ""),
            "p": data.get(f"{key}_p", ""),
            "choices": data.getlist(key) if hasattr(data, "getlist") else [],
            "text": data.get(key, "") if q.kind == QuestionKind.TEXT else "",
        }
        weights = [(code, label, data.get(f"{key}_{code}", "")) for code, label in q.choices]
        items.append(
            {
                "q": q,
                "cur": current,
                "scale": [str(v) for v in q.scale],
                "weights": weights,
                "errors": errors.get(str(q.pk), []),
            }
        )
    return {
        "survey": invitation.survey,
        "invitation": invitation,
        "items": items,
        "general_errors": errors.get("__all__", []),
        "error_count": sum(len(v) for v in errors.values()),
    }


def _private(view: Any) -> Any:
    """The answer page is personal: not cached anywhere, and the link's token is never sent on as a
    referrer to another site."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


@require_http_methods(["GET", "POST"])
@_private
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey behind a customer's link, phone-first, no sign-in. GET shows it and records
    nothing (mail scanners open links); the customer's POST stores the answers, once."""
    try:
        invitation_id, _nonce = services.token_payload(token)  # a made-up link costs no database work
        if not ratelimit.hit(
            ratelimit.safe_key("survey-page", request.META.get("REMOTE_ADDR", ""), str(invitation_id)),
            limit=PUBLIC_LIMIT,
            window=PUBLIC_WINDOW,
        ):
            return render(request, "feedback/surveys/answer_closed.html", {"code": "throttled"}, status=429)
        invitation = services.invitation_check(token)
    except DomainError as exc:
        return _link_refused(request, exc)
    if request.method == "GET":
        return render(request, "feedback/surveys/answer.html", _answer_context(invitation))
    questions = list(invitation.survey.questions.order_by("position", "id"))
    answers = forms.answers_from_post(questions, request.POST)
    language = (request.LANGUAGE_CODE or "").lower()
    try:
        services.response_submit(token=token, answers=answers, language=language)
    except DomainError as exc:
        if exc.code in LINK_REFUSALS:
            return _link_refused(request, exc)
        context = _answer_context(invitation, request.POST, _errors_by_question(exc))
        return render(request, "feedback/surveys/answer.html", context, status=400)
    return render(request, "feedback/surveys/answer_thanks.html", {"survey": invitation.survey})


LINK_REFUSALS = ("forged", "used", "expired", "closed")


def _link_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A clear page for a link that cannot be answered: 400 when it is not ours, 410 when it was
    ours but is used up, expired or its survey closed."""
    status = 400 if exc.code == "forged" else 410
    return render(request, "feedback/surveys/answer_closed.html", {"code": exc.code}, status=status)


def _errors_by_question(exc: DomainError) -> dict[str, list[str]]:
    """``answers.12.perception`` → under ``12``; anything else under ``__all__``."""
    found: dict[str, list[str]] = {}
    for field, msgs in exc.errors.items():
        parts = field.split(".")
        key = parts[1] if len(parts) > 1 and parts[0] == "answers" else "__all__"
        found.setdefault(key, []).extend(str(m) for m in msgs)
    return found


# --- return visits ---------------------------------------------------------------------------------


@require(Cap.RETURN_VISIT_VIEW)
@require_GET
def return_visit_list(request: HttpRequest) -> HttpResponse:
    """Agents: my return visits, due first, each with its call form. Team leads and managers:
    every visit, filtered by status and team, with reassignment."""
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = ReturnVisitStatus.PENDING
    form = forms.ReturnVisitFilterForm(data)
    filters = selectors.VisitFilters()
    if form.is_valid():
        team = form.cleaned_data.get("team")
        filters = selectors.VisitFilters(
            status=form.cleaned_data.get("status") or "", team_id=team.pk if team else None
        )
    page = Paginator(selectors.return_visits(request.user, filters), VISITS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "visits": list(page.object_list),
        "mine": not selectors.sees_all_return_visits(request.user),
        "can_record": can(request.user, Cap.RETURN_VISIT_RECORD),
        "can_reassign": can(request.user, Cap.TICKET_ASSIGN),
        "record_form": forms.ReturnVisitRecordForm(),
        "agents": forms.agent_choices() if can(request.user, Cap.TICKET_ASSIGN) else [],
        "counts": selectors.return_visit_counts(request.user),
        "today": timezone.localdate(),
        "retries": services.RETURN_VISIT_RETRIES,
    }
    return render(request, "feedback/surveys/return_visit_list.html", context)


@require(Cap.RETURN_VISIT_RECORD)
@require_POST
def return_visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.return_visit_for(request.user, pk)
    if visit is None:
        raise Http404
    back = _back(request, reverse("feedback:return_visit_list"))
    form = forms.ReturnVisitRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _g("Choose the outcome of the call."))
        return redirect(back)
    done = _g("The call to %(customer)s is recorded.") % {"customer": visit.ticket.customer.display_name}
    _run(
        request,
        lambda: services.return_visit_record(
            actor=request.user, visit=visit, outcome=form.cleaned_data["outcome"], notes=form.cleaned_data["notes"]
        ),
        done,
    )
    return redirect(back)


@require(Cap.TICKET_ASSIGN)
@require_POST
def return_visit_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.return_visit_for(request.user, pk)
    if visit is None:
        raise Http404
    back = _back(request, reverse("feedback:return_visit_list"))
    form = forms.ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _g("Choose an active agent."))
        return redirect(back)
    _run(
        request,
        lambda: services.return_visit_reassign(actor=request.user, visit=visit, agent=form.cleaned_data["agent"]),
        _g("The return visit now goes to %(agent)s.") % {"agent": form.cleaned_data["agent"]},
    )
    return redirect(back)


# --- mystery shoppers ----------------------------------------------------------------------------


@require(Cap.MYSTERY_VISIT_VIEW)
@require_GET
def mystery_visit_list(request: HttpRequest) -> HttpResponse:
    """Mystery-shopper visits newest first (shoppers: their own), with the mean of each criterion."""
    form = forms.MysteryFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    visits = selectors.mystery_visits(request.user, status=status)
    page = Paginator(visits, MYSTERY_PER_PAGE).get_page(request.GET.get("page"))
    averages = selectors.mystery_averages(request.user)
    context = {
        "form": form,
        "page": page,
        "visits": list(page.object_list),
        "averages": [(forms.SCORE_LABELS[name], averages[name]) for name in SCORE_FIELDS],
        "mine": not selectors.sees_all_mystery_visits(request.user),
        "can_record": can(request.user, Cap.MYSTERY_VISIT_RECORD),
    }
    return render(request, "feedback/surveys/mystery_list.html", context)


@require(Cap.MYSTERY_VISIT_RECORD)
@require_http_methods(["GET", "POST"])
def mystery_visit_create(request: HttpRequest) -> HttpResponse:
    form = forms.MysteryVisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visit = services.mystery_visit_create(
                actor=request.user,
                channel=d["channel"],
                visited_at=d["visited_at"],
                scenario=d["scenario"],
                scores={name: d[name] for name in SCORE_FIELDS},
                comments={name: d[f"{name}_comment"] for name in SCORE_FIELDS},
                team=d.get("team"),
                place=d.get("place") or "",
                agent=d.get("agent"),
                files=forms.incoming_files(d.get("evidence") or []),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _g("Your scorecard was filed; a quality manager will review it."))
            return redirect("feedback:mystery_visit_detail", pk=visit.pk)
    return render(request, "feedback/surveys/mystery_form.html", {"form": form})


@require(Cap.MYSTERY_VISIT_VIEW)
@require_GET
def mystery_visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.mystery_visit_for(request.user, pk)
    if visit is None:
        raise Http404
    scores = [
        (forms.SCORE_LABELS[name], getattr(visit, name), getattr(visit, f"{name}_comment")) for name in SCORE_FIELDS
    ]
    can_review = can(request.user, Cap.MYSTERY_VISIT_REVIEW) and visit.status == MysteryStatus.SUBMITTED
    context = {
        "visit": visit,
        "scores": scores,
        "evidence": list(visit.evidence.all()),
        "review_form": forms.MysteryReviewForm() if can_review else None,
    }
    return render(request, "feedback/surveys/mystery_detail.html", context)


@require(Cap.MYSTERY_VISIT_REVIEW)
@require_POST
def mystery_visit_review(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.mystery_visit_for(request.user, pk)
    if visit is None:
        raise Http404
    form = forms.MysteryReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _g("Accept or reject the visit."))
    else:
        _run(
            request,
            lambda: services.mystery_visit_review(
                actor=request.user, visit=visit, verdict=form.cleaned_data["verdict"], note=form.cleaned_data["note"]
            ),
            _g("The visit is reviewed."),
        )
    return redirect("feedback:mystery_visit_detail", pk=pk)


@require(Cap.MYSTERY_VISIT_VIEW)
@require_GET
def mystery_evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file of a visit the user may see (a shopper: only their own)."""
    row = selectors.evidence_for(request.user, pk)
    if row is None:
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = row.content_type.startswith(("image/", "audio/")) and request.GET.get("inline") == "1"
    response = FileResponse(handle, as_attachment=not inline, filename=row.name, content_type=row.content_type)
    response["Content-Security-Policy"] = "sandbox"
    return response
