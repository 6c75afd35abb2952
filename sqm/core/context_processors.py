from typing import Any

from django.http import HttpRequest

from sqm.core.nav import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    match = getattr(request, "resolver_match", None)
    return {"nav_menu": menu_for(user, match.view_name if match else "")}


def languages(request: HttpRequest) -> dict[str, Any]:
    """Each language named in itself (简体中文, English), whatever language the page is in."""
    from django.conf import settings

    return {"sqm_languages": settings.LANGUAGES}
