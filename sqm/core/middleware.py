"""Chooses the interface language of each request.

Order: the signed-in user's saved choice, then the language cookie set by the switch, then —
for the API only — the client's ``Accept-Language``, then the centre's ``SQM_LANGUAGE``. Pages
ignore the browser's language on purpose: a Chinese centre works in Chinese unless a person
switches, whatever locale their browser happens to have.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def choose_language(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    saved = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if saved in SUPPORTED:
        return saved
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in SUPPORTED:
        return cookie
    if request.path.startswith("/api/"):
        return translation.get_language_from_request(request)
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = choose_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if request.path.startswith("/api/") else ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language() or language)
        return response
