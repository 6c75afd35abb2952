"""Pages of feedback: thin views, form → service → redirect or htmx partial.

``rating_list`` (staff holding ``Cap.TICKET_VIEW``): ratings newest first with filters, a
summary of what the filters select and keyset paging; ``rating_flag`` (``Cap.FEEDBACK_MODERATE``)
excludes a rating from the KPIs or counts it again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sqm.core.errors import DomainError
from sqm.core.forms import is_htmx
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.feedback import selectors, services
from sqm.feedback.forms import RatingFilterForm, RatingFlagForm


@require(Cap.TICKET_VIEW)
@require_GET
def rating_list(request: HttpRequest) -> HttpResponse:
    """Ratings newest first, filtered by ticket, agent, team, score, date and whether they count."""
    form = RatingFilterForm(request.GET or None)
    filters = form.filters()
    page = selectors.ratings_page(filters, cursor=request.GET.get("cursor", "") if form.is_valid() else "")
    context = {
        "form": form,
        "ratings": page.items,
        "summary": selectors.score_summary(filters),
        "older_url": _page_url(request, page.next_cursor) if page.next_cursor else "",
        "newest_url": _page_url(request, None) if request.GET.get("cursor") else "",
        "can_flag": can(request.user, Cap.FEEDBACK_MODERATE),
        "flag_form": RatingFlagForm(),
    }
    template = "feedback/partials/rating_rows.html" if is_htmx(request) else "feedback/rating_list.html"
    return render(request, template, context)


def _page_url(request: HttpRequest, cursor: str | None) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    if cursor:
        query["cursor"] = cursor
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


@require(Cap.FEEDBACK_MODERATE)
@require_POST
def rating_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """Exclude a rating from the KPIs (or count it again), with the reason; back to the list."""
    rating = selectors.rating_by_pk(pk)
    if rating is None:
        raise Http404
    form = RatingFlagForm(request.POST)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if not form.is_valid():
        messages.error(request, _("Give a reason for excluding or counting the rating."))
    else:
        try:
            services.rating_flag(
                actor=request.user,
                rating=rating,
                counted=form.cleaned_data["counted"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.as_text())
        else:
            done = (
                _("The rating of %(ticket)s counts in the KPIs again.")
                if form.cleaned_data["counted"]
                else _("The rating of %(ticket)s is excluded from the KPIs.")
            )
            messages.success(request, done % {"ticket": _t(rating)})
    return redirect(back or "feedback:rating_list")


def _t(rating: object) -> str:
    ticket = getattr(rating, "ticket", None)
    return ticket.number if ticket is not None else "—"
