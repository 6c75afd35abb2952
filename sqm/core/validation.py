"""Field checks that every app's services share; each failure is a DomainError naming the field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError


def clean_text(value: str | None, field: str, max_length: int, *, required: bool = True) -> str:
    """``value`` stripped; refused when missing (if ``required``), too long, or holding a NUL."""
    text = (value or "").strip()
    if "\x00" in text:
        raise DomainError(_("The text contains a NUL character."), field=field)
    if required and not text:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(text) > max_length:
        raise DomainError(
            _("Ensure this value has at most %(max)d characters.") % {"max": max_length},
            field=field,
            code="max_length",
        )
    return text


def check_choice(value: str, choices: Any, field: str) -> str:
    """``value`` if it is one of the ``TextChoices`` ``choices``."""
    if value not in choices.values:
        raise DomainError(
            _("“%(value)s” is not one of the allowed choices.") % {"value": value}, field=field, code="invalid_choice"
        )
    return value
