"""View decorators that turn capability checks into 403 responses (never 404, never 500)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from sqm.core.roles import Cap, can


def require(cap: Cap | None) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Signed-in users only; with ``cap``, only roles that hold it (others get 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if cap is not None and not can(request.user, cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.sqm_capability = cap  # type: ignore[attr-defined]
        return wrapped

    return decorator
