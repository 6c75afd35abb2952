"""Pages of the tamper-evident audit trail (DESIGN.md §2.9): the entry list, one entry, verification."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqm.audit import selectors
from sqm.audit.forms import AnchorForm, EntryFilterForm
from sqm.audit.hashing import digest_of
from sqm.audit.models import AuditEntry
from sqm.audit.services import chain_head, chain_verify
from sqm.core.errors import DomainError
from sqm.core.forms import apply_domain_error
from sqm.core.permissions import require
from sqm.core.roles import Cap, can

PAGE_SIZE = 50
SUMMARY_FIELDS = 4


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
