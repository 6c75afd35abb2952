"""REST endpoints of the tamper-evident audit trail (``/api/audit``, DESIGN.md §2.9).

Reading needs ``Cap.AUDIT_VIEW``, verifying the chain ``Cap.AUDIT_VERIFY``; the capability is
checked before anything is read, so other roles get 403 and learn nothing.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from sqm.audit import selectors
from sqm.audit.schemas import EntryFilters, EntryOut, EntryPageOut, HeadOut, Seq, VerifyOut, VerifyParams
from sqm.audit.services import chain_head, chain_verify
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can

router = Router()


def _require(request: HttpRequest, cap: Cap) -> None:
    if not can(request.auth, cap):  # type: ignore[attr-defined]
        raise PermissionDeniedError()


@router.get("/entries", response=EntryPageOut, summary="Audit entries, newest first")
def entries_list(request: HttpRequest, filters: Query[EntryFilters]) -> Any:
    """Entries filtered by object, actor and action, paged by sequence number (keyset).

    One query per page whatever the length of the chain: ``before`` continues below the last
    sequence number seen, so deep pages cost the same as the first.
    """
    _require(request, Cap.AUDIT_VIEW)
    qs = selectors.entries(
        object_type=filters.object_type,
        object_id=filters.object_id,
        actor_id=filters.actor_id,
        action=filters.action,
        before_seq=filters.before,
    )
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    items = rows[: filters.limit]
    return {"items": items, "next_before": items[-1].seq if more else None}


@router.get("/entries/{seq}", response=EntryOut, summary="One audit entry")
def entries_get(request: HttpRequest, seq: Seq) -> Any:
    _require(request, Cap.AUDIT_VIEW)
    entry = selectors.entry_by_seq(seq)
    if entry is None:
        raise Http404(_("Not found."))
    return entry


@router.get("/verify", response=VerifyOut, summary="Verify the hash chain")
def verify(request: HttpRequest, params: Query[VerifyParams]) -> Any:
    """Recompute every link; report the chain intact or the first broken entry and why.

    With ``anchor_seq`` and ``anchor_hash`` (from an exported head) it also proves that entry
    still has that hash, which catches a rewrite of the chain's tail.
    """
    _require(request, Cap.AUDIT_VERIFY)
    if (params.anchor_seq is None) != (params.anchor_hash is None):
        missing = "anchor_hash" if params.anchor_hash is None else "anchor_seq"
        raise DomainError(_("Give both anchor_seq and anchor_hash, or neither."), field=missing, code="required")
    anchor = {"seq": params.anchor_seq, "hash": params.anchor_hash} if params.anchor_seq is not None else None
    return asdict(chain_verify(anchor=anchor))


@router.get("/head", response=HeadOut, summary="The chain head, for external anchoring")
def head(request: HttpRequest) -> Any:
    """The newest entry's sequence number and hash; store them elsewhere to anchor the chain."""
    _require(request, Cap.AUDIT_VIEW)
    return chain_head()
