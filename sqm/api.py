"""The REST API: one NinjaAPI, routers from each app, errors mapped once.

Authentication: ``Authorization: Bearer <token>`` with a personal API token, or the browser
session (with its CSRF token). A missing or wrong token answers 401, a role without the
capability 403, and every validation error names the field and the rule in the caller's
language (the user's saved language, else ``Accept-Language``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from sqm.core.api_errors import translate_validation_errors
from sqm.core.errors import DomainError, PermissionDeniedError


class TokenAuth(HttpBearer):
    """Personal API tokens (``sqm_…``), created and revoked by their owner."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from sqm.org.services import api_token_authenticate

        user = api_token_authenticate(key=token)
        if user is None:
            return None
        request.user = user
        if user.language:
            translation.activate(user.language)
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session, for htmx and the docs page. CSRF is checked only when there is a session."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:  # nothing to protect: answer 401, not a CSRF 403
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="SQM API",
    version="1",
    description="Service quality management: organisation, audit trail and more as SQM grows.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)


def error_response(request: HttpRequest, status: int, errors: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(request, {"detail": errors}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(request, 422, translate_validation_errors(exc.errors))


@api.exception_handler(PermissionDeniedError)
def on_permission_denied(request: HttpRequest, exc: PermissionDeniedError) -> HttpResponse:
    return error_response(request, 403, exc.as_list())


@api.exception_handler(PermissionDenied)
def on_django_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, PermissionDeniedError().as_list())


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, 400, exc.as_list())


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    from django.utils.translation import gettext as _

    return error_response(request, 404, [{"field": "id", "message": _("Not found."), "code": "not_found"}])


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    from django.utils.translation import gettext as _

    if exc.message == "Cannot parse request body":
        errors = [{"field": "body", "message": _("The request body is not valid JSON."), "code": "json_invalid"}]
    elif exc.message == "CSRF check Failed":
        errors = [{"field": "X-CSRFToken", "message": _("The CSRF token is missing or wrong."), "code": "csrf"}]
    else:
        errors = [{"field": "__all__", "message": str(exc.message), "code": f"http_{exc.status_code}"}]
    return error_response(request, exc.status_code, errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    from django.utils.translation import gettext as _

    response = error_response(
        request,
        401,
        [{"field": "Authorization", "message": _("Missing, wrong or revoked API token."), "code": "unauthenticated"}],
    )
    response["WWW-Authenticate"] = 'Bearer realm="sqm"'
    return response


def _register_routers() -> None:
    from sqm.audit.api import router as audit_router
    from sqm.feedback.api import router as feedback_router
    from sqm.inspections.api import router as inspections_router
    from sqm.knowledge.api import router as knowledge_router
    from sqm.kpis.api import router as kpis_router
    from sqm.org.api import me_router
    from sqm.org.api import router as org_router
    from sqm.standards.api import router as standards_router
    from sqm.tickets.api import router as tickets_router
    from sqm.tickets.sla.api import router as sla_router

    api.add_router("/me", me_router, tags=["me"])
    api.add_router("/org", org_router, tags=["org"])
    api.add_router("/audit", audit_router, tags=["audit"])
    api.add_router("/tickets", tickets_router, tags=["tickets"])
    api.add_router("/sla", sla_router, tags=["sla"])
    api.add_router("/kb", knowledge_router, tags=["knowledge"])
    api.add_router("/standards", standards_router, tags=["standards"])
    api.add_router("/feedback", feedback_router, tags=["feedback"])
    api.add_router("/inspections", inspections_router, tags=["inspections"])
    api.add_router("/kpis", kpis_router, tags=["kpis"])


_register_routers()
