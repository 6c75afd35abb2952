"""Pages of the tamper-evident audit trail (DESIGN.md §2.9): the entry list, one entry, verification."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqm.audit import selectors
from sqm.audit.hashing import digest_of
from sqm.audit.models import AuditEntry
from sqm.audit.services import chain_head, chain_verify
from sqm.core.errors import DomainError
from sqm.core.forms import StyledFormMixin, apply_domain_error
from sqm.core.permissions import require
from sqm.core.roles import Cap, can

PAGE_SIZE = 50
SUMMARY_FIELDS = 4
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
            "action": anything + [(a, a) for a in selectors.actions()],
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


@require(Cap.AUDIT_VIEW)
def entry_list(request: HttpRequest) -> HttpResponse:
    """Entries newest first, filtered, 50 a page; "older" continues below the last sequence number."""
    form = EntryFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    page = list(selectors.entries(**filters)[: PAGE_SIZE + 1])
    rows = [{"entry": e, "summary": change_summary(e.changes)} for e in page[:PAGE_SIZE]]
    context = {
        "form": form,
        "rows": rows,
        "older_url": _page_url(request, before=page[PAGE_SIZE - 1].seq) if len(page) > PAGE_SIZE else "",
        "newest_url": _page_url(request, before=None) if filters.get("before_seq") else "",
        "can_verify": can(request.user, Cap.AUDIT_VERIFY),
    }
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    return render(request, "audit/partials/entry_rows.html" if partial else "audit/entry_list.html", context)


def _page_url(request: HttpRequest, *, before: int | None) -> str:
    """This list with the same filters, starting below ``before`` (or at the newest entry)."""
    query = request.GET.copy()
    query.pop("before", None)
    if before is not None:
        query["before"] = str(before)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def change_summary(changes: Any) -> str:
    """The names of the changed fields, a few at most: what a row of the list has room for."""
    if not isinstance(changes, dict) or not changes:
        return ""
    names = sorted(changes)
    shown = ", ".join(names[:SUMMARY_FIELDS])
    if len(names) > SUMMARY_FIELDS:
        shown += " " + str(_("(+%(n)d more)") % {"n": len(names) - SUMMARY_FIELDS})
    return shown


@require(Cap.AUDIT_VIEW)
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    """One entry with all its fields, its changes as a before/after table and its two hashes."""
    entry = selectors.entry_by_seq(seq)
    if entry is None:
        raise Http404(_("No audit entry with this number."))
    context = {
        "entry": entry,
        "changes": change_rows(entry.changes),
        "hash_matches": _hash_matches(entry),
        "object_url": _list_url(object_type=entry.object_type, object_id=entry.object_id),
        "has_next": selectors.entry_by_seq(seq + 1) is not None,
    }
    return render(request, "audit/entry_detail.html", context)


def change_rows(changes: Any) -> list[dict[str, Any]]:
    """``{field: {"before", "after"}}`` as table rows; any other value is shown as it was recorded."""
    if not isinstance(changes, dict):
        return [{"field": "", "before": None, "after": _display(changes), "is_diff": False}]
    rows = []
    for field in sorted(changes):
        value = changes[field]
        if isinstance(value, dict) and value and set(value) <= {"before", "after"}:
            rows.append(
                {
                    "field": field,
                    "before": _display(value.get("before")),
                    "after": _display(value.get("after")),
                    "is_diff": True,
                }
            )
        else:
            rows.append({"field": field, "before": None, "after": _display(value), "is_diff": False})
    return rows


def _display(value: Any) -> str | None:
    """A recorded value as text: strings as they are, None as None (shown as a dash), the rest as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _hash_matches(entry: AuditEntry) -> bool:
    """Whether this entry's stored hash still matches its contents (the chain page checks the links)."""
    return digest_of(entry) == entry.entry_hash


def _list_url(**params: str) -> str:
    return f"{reverse('audit:entry_list')}?{urlencode(params)}"


@require(Cap.AUDIT_VERIFY)
def verify(request: HttpRequest) -> HttpResponse:
    """Recompute the whole chain: intact with its length and head, or the first broken entry and why."""
    form = AnchorForm(request.GET or None)
    report = None
    if not form.is_bound or form.is_valid():
        try:
            report = chain_verify(anchor=form.anchor())
        except DomainError as exc:
            apply_domain_error(form, exc)
    head = chain_head()
    context = {
        "form": form,
        "report": report,
        "head": head,
        "head_time": dt.datetime.fromisoformat(head["at"]) if head["at"] else None,
        "anchored": form.anchor() is not None,
    }
    return render(request, "audit/verify.html", context)


@require(Cap.AUDIT_VERIFY)
def verify_head_download(request: HttpRequest) -> HttpResponse:
    """The chain head as a JSON file, the same as ``sqm audit head`` writes, to keep outside SQM."""
    head = chain_head()
    response = HttpResponse(head_json(head), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sqm-audit-head-{head["seq"]}.json"'
    return response


def head_json(head: dict[str, Any]) -> str:
    """The exported head as text: sorted keys, so the same head always gives the same file."""
    return json.dumps(head, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
