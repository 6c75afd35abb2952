"""Form helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms

from sqm.core.errors import NON_FIELD, DomainError


def apply_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's :class:`DomainError` on the form it came from."""
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            if target is None and field != NON_FIELD:
                message = f"{form_label(form, field)}: {message}"
            form.add_error(target, message)


def form_label(form: forms.BaseForm, field: str) -> str:
    bound = form.fields.get(field)
    return str(bound.label) if bound is not None and bound.label else field


class StyledFormMixin:
    """Adds SQM's input classes so every form looks the same without per-template markup."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            widget.attrs.setdefault("class", "input")


def submit(
    form: forms.BaseForm, action: Callable[[dict[str, Any]], Any], rename: Mapping[str, str] | None = None
) -> tuple[bool, Any]:
    """Validate ``form`` and hand its data to a service; rule violations land next to the field.

    Returns ``(True, result)`` or ``(False, None)``. ``rename`` maps a service's field names onto
    the form's.
    """
    if not form.is_valid():
        return False, None
    try:
        return True, action(form.cleaned_data)
    except DomainError as exc:
        if rename:
            exc = DomainError(errors={rename.get(field, field): msgs for field, msgs in exc.errors.items()})
        apply_domain_error(form, exc)
        return False, None


def is_htmx(request: Any) -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request
