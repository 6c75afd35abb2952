"""Template filters of the standards pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """``92.5000`` → ``92.5``, ``90.0000`` → ``90`` (indicator values are stored with 4 places)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@register.filter
def ticket_types(values: Any) -> str:
    """The ticket types a clause applies to, by name; none: every ticket."""
    from sqm.tickets.models import TicketType

    if not values:
        return _("every ticket")
    names = []
    for value in values:
        try:
            names.append(str(TicketType(value).label))
        except ValueError:
            names.append(str(value))
    return ", ".join(names)


@register.filter
def choice_label(value: Any, choices: str) -> str:
    """A stored choice by its label: ``{{ term.priority|choice_label:"priority" }}``."""
    from sqm.tickets.models import Priority, TicketType

    enum = {"priority": Priority, "ticket_type": TicketType}[choices]
    if not value:
        return _("any")
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value)
