"""Forms of the audit pages: list filters and the anchor check."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sqm.audit import selectors
from sqm.audit.models import ACTION_LABELS
from sqm.core.forms import StyledFormMixin

SYSTEM = "system"
MAX_SEQ = 2**63 - 1


class EntryFilterForm(StyledFormMixin, forms.Form):
    """Filters of the entry list; ``before`` is the keyset cursor of the "older" link."""

    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.ChoiceField(label=_("Actor"), required=False)
    actor_name = forms.CharField(label=_("Actor username"), required=False, max_length=200)
    action = forms.ChoiceField(label=_("Action"), required=False)
    before = forms.IntegerField(required=False, min_value=1, max_value=MAX_SEQ, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("All"))]
        people = [(str(u.pk), f"{u.username} ({u})") for u in selectors.actors()]
        menus: dict[str, list[tuple[str, Any]]] = {
            "object_type": anything + [(t, t) for t in selectors.object_types()],
            "action": anything + [(a, ACTION_LABELS.get(a, a)) for a in selectors.actions()],
            "actor": [*anything, (SYSTEM, _("System")), *people],
        }
        for name, choices in menus.items():
            cast(forms.ChoiceField, self.fields[name]).choices = choices

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for :func:`selectors.entries`; an invalid field filters nothing."""
        self.is_valid()  # cleaned_data then holds the fields that are valid
        data = self.cleaned_data
        actor = data.get("actor") or ""
        return {
            "object_type": data.get("object_type") or "",
            "object_id": data.get("object_id") or "",
            "actor_id": int(actor) if actor.isdigit() else None,
            "system_actor": actor == SYSTEM,
            "actor_name": data.get("actor_name") or "",
            "action": data.get("action") or "",
            "before_seq": data.get("before"),
        }


class AnchorForm(StyledFormMixin, forms.Form):
    """An exported head to check the chain against (both fields, or neither)."""

    anchor_seq = forms.IntegerField(label=_("Anchor sequence number"), required=False, min_value=0, max_value=MAX_SEQ)
    anchor_hash = forms.RegexField(
        label=_("Anchor hash"),
        required=False,
        regex=r"^[0-9a-fA-F]{64}$",
        error_messages={"invalid": _("Enter the 64-character hex hash of the head.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_seq, has_hash = data.get("anchor_seq") is not None, bool(data.get("anchor_hash"))
        if has_seq != has_hash and not self.errors:
            missing = "anchor_hash" if has_seq else "anchor_seq"
            self.add_error(missing, _("Give both the sequence number and the hash, or neither."))
        return data

    def anchor(self) -> dict[str, Any] | None:
        if not self.is_valid() or self.cleaned_data.get("anchor_seq") is None:
            return None
        return {"seq": self.cleaned_data["anchor_seq"], "hash": self.cleaned_data["anchor_hash"]}
