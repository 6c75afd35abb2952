"""Navigation laid out by the areas of DESIGN.md §2.

Each app lists its entries in ``NAV_ITEMS`` on its AppConfig; an area shows up in the menu once
some installed app offers an entry in it that the user may open. The areas not built yet stay
hidden, so the menu grows as SQM does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sqm.core.roles import Cap, can

AREAS: list[tuple[str, Promise]] = [
    ("standards", _("Service standards")),
    ("tickets", _("Service process & tickets")),
    ("knowledge", _("Knowledge base")),
    ("people", _("People, training & appraisal")),
    ("monitoring", _("Quality monitoring")),
    ("feedback", _("Customer feedback")),
    ("inspection", _("Quality inspection")),
    ("evaluation", _("Evaluation")),
    ("improvement", _("Improvement")),
    ("supervision", _("Supervision & audit")),
    ("analytics", _("Analytics & workforce")),
]


@dataclass(frozen=True)
class NavItem:
    area: str
    label: Promise
    url_name: str
    capability: Cap | None = None  # None: any signed-in staff member


def _is_current(url_name: str, current: str) -> bool:
    """An entry stays highlighted on the pages below it: ``org:user_list`` on ``org:user_detail``."""
    family = url_name.rsplit("_", 1)[0] if url_name.endswith("_list") else url_name
    return current == url_name or current.startswith(family + "_")


def menu_for(user: Any, current: str = "") -> list[dict[str, Any]]:
    """The menu ``user`` sees: areas in §2 order, each with the entries it may open."""
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "NAV_ITEMS", []))
    menu = []
    for key, label in AREAS:
        entries = [
            {"label": item.label, "url": reverse(item.url_name), "active": _is_current(item.url_name, current)}
            for item in items
            if item.area == key and (item.capability is None or can(user, item.capability))
        ]
        if entries:
            menu.append({"key": key, "label": label, "entries": entries})
    return menu
