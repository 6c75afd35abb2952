"""Pydantic validation errors rewritten as ``{field, message, code}`` in the caller's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

_LOCATIONS = ("body", "query", "path", "header", "cookie", "form", "file")


def _field_name(loc: Any) -> str:
    """The field as the caller wrote it: the location ("body") and Ninja's argument name dropped."""
    parts = [str(p) for p in (loc or [])]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
        if loc[0] == "query" and len(parts) > 1 and parts[0] == "filters":
            parts = parts[1:]  # Ninja's name for a query schema argument
        if loc[0] in ("body", "form") and parts[:1] in (["payload"], ["data"]):
            parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field: it is not part of this request."),
        "string_type": _("Must be text."),
        "int_type": _("Must be a whole number."),
        "int_parsing": _("Must be a whole number."),
        "int_from_float": _("Must be a whole number."),
        "bool_type": _("Must be true or false."),
        "bool_parsing": _("Must be true or false."),
        "float_type": _("Must be a number."),
        "float_parsing": _("Must be a number."),
        "date_type": _("Must be a date (YYYY-MM-DD)."),
        "date_parsing": _("Must be a date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Must be a date (YYYY-MM-DD)."),
        "datetime_type": _("Must be a date and time (ISO 8601)."),
        "datetime_parsing": _("Must be a date and time (ISO 8601)."),
        "json_invalid": _("The request body is not valid JSON."),
        "model_attributes_type": _("Must be a JSON object."),
        "dict_type": _("Must be a JSON object."),
        "list_type": _("Must be a list."),
        "enum": _("Must be one of: %(expected)s.") % {"expected": ctx.get("expected", "")},
        "literal_error": _("Must be one of: %(expected)s.") % {"expected": ctx.get("expected", "")},
        "string_too_short": _("Must have at least %(n)s characters.") % {"n": ctx.get("min_length", "")},
        "string_too_long": _("Must have at most %(n)s characters.") % {"n": ctx.get("max_length", "")},
        "greater_than_equal": _("Must be at least %(n)s.") % {"n": ctx.get("ge", "")},
        "less_than_equal": _("Must be at most %(n)s.") % {"n": ctx.get("le", "")},
        "greater_than": _("Must be greater than %(n)s.") % {"n": ctx.get("gt", "")},
        "less_than": _("Must be less than %(n)s.") % {"n": ctx.get("lt", "")},
        "string_pattern_mismatch": _("Has the wrong format."),
        "value_error": _("Invalid value."),
    }
    return str(messages.get(kind, _("Invalid value.")))


def translate_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": _field_name(e.get("loc")), "message": _message(e), "code": str(e.get("type", "invalid"))}
        for e in errors
    ]
