"""Building blocks of the permission matrix (see test_permission_matrix.py).

Each app may add ``sqm/<app>/tests/matrix*.py`` modules with ``PAGES`` (URL name -> Page) and ``API``
((method, path template) -> (capability, body factory or None)), plus optional hooks:
``prepare(w)`` adds the app's objects to the shared world, ``refresh(w)`` recreates what a
call may have deleted, ``path_params(w, user)`` fills the app's API path parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap
from sqm.org.models import User

ANY_SIGNED_IN = "any signed-in user"
PUBLIC = "public"


@dataclass(frozen=True)
class Page:
    need: Cap | str
    method: str = "GET"
    kwargs: Callable[[SimpleNamespace, User], dict[str, Any]] = lambda w, u: {}
