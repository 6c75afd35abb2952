"""Form helpers shared by every app."""

from __future__ import annotations

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
