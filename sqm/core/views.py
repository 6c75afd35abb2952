"""Home page, language switch and health check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sqm.core import selectors
from sqm.core.errors import DomainError
from sqm.core.nav import AREAS
from sqm.core.permissions import require
from sqm.core.roles import Role


@require(None)
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the areas of the product this user may open, in DESIGN.md §2 order.

    Customers have their own start page, the portal."""
    if request.user.role == Role.CUSTOMER:
        return redirect("portal:my_tickets")
    return render(request, "core/home.html", {"areas": AREAS})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; signed-in users keep the choice on their account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if language not in {code for code, _ in _languages()}:
        return HttpResponse(status=400)
    if request.user.is_authenticated:
        from sqm.org.services import user_set_language

        try:
            user_set_language(actor=request.user, user=request.user, language=language)
        except DomainError:
            return HttpResponse(status=400)
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    from django.conf import settings

    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _languages() -> list[tuple[str, str]]:
    from django.conf import settings

    return list(settings.LANGUAGES)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    database = selectors.database_status()
    queue = selectors.task_queue_status(database_ok=database["ok"])
    ok = database["ok"]
    body = {
        "status": "ok" if ok and queue["ok"] else ("degraded" if ok else "unavailable"),
        "database": database,
        "task_queue": queue,
    }
    return JsonResponse(body, status=200 if ok else 503)
