"""Appending to and verifying the audit hash chain.

Every service that changes an audited record calls :func:`audit_append` inside its own
transaction, so the change and its audit entry commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqm.audit.hashing import digest_of
from sqm.audit.models import GENESIS_HASH, AuditEntry, ChainHead
from sqm.core.errors import DomainError

Changes = dict[str, dict[str, Any]]


def jsonable(value: Any) -> Any:
    """A value as it is kept in the chain: JSON types only, no floats, stable across databases."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        # A set has no order of its own (and str hashing differs per process): sort it so the
        # same set always gives the same entry and diff() sees no change where there is none.
        items = [jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of ``instance``; foreign keys by id."""
    result: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = jsonable(getattr(instance, attname))
    return result


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> Changes:
    """Fields whose value differs, as ``{field: {"before": old, "after": new}}``."""
    before = before or {}
    after = after or {}
    changed: Changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = {"before": old, "after": new}
    return changed


def object_type_of(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def audit_append(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, after the current head, inside the caller's transaction.

    The head row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
    transactions already let one writer in at a time), so concurrent writers queue up and the
    chain never forks.
    """
    if target is not None:
        object_type = object_type or object_type_of(target)
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)
    if not object_type or not action:
        raise ValueError("an audit entry needs an action and an object type")
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "entry_hash": GENESIS_HASH}
        )
        entry = AuditEntry(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_repr=_actor_label(actor),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=str(object_repr)[:300],
            changes=jsonable(dict(changes or {})),
            prev_hash=head.entry_hash,
        )
        entry.entry_hash = digest_of(entry)
        entry.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(seq=entry.seq, entry_hash=entry.entry_hash)
    return entry


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    username = getattr(actor, "username", None)
    return (str(username) if username else str(actor))[:200]  # the column's length


@dataclass(frozen=True)
class ChainReport:
    """What :func:`chain_verify` found: intact with its length and head, or the first break.

    ``code`` names the kind of break for programs (``missing``, ``unlinked``, ``altered``,
    ``beyond_head``, ``head_mismatch``, ``anchor_mismatch``, ``anchor_missing``); ``reason`` says
    it in words, in the active language.
    """

    ok: bool
    length: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""
    code: str = ""


@dataclass
class _Walk:
    """How far a walk along the chain got: the next sequence number and the hash it must link to."""

    next_seq: int = 1
    prev_hash: str = GENESIS_HASH

    @property
    def length(self) -> int:
        return self.next_seq - 1


_ENTRY_FIELDS = [f.name for f in AuditEntry._meta.concrete_fields if f.name != "id"]


def chain_verify(*, anchor: Mapping[str, Any] | None = None, chunk_size: int = 5000) -> ChainReport:
    """Recompute every link of the chain and report the first entry that does not hold.

    ``anchor`` (``{"seq": n, "hash": h}``, as exported by ``sqm audit head``) additionally proves
    that entry ``n`` still has hash ``h``: that catches a rewrite of the chain's tail together
    with its head row, which no check from inside the database can.

    The head row is read after the walk, not before: an append commits its entry and the head
    together, so a head read afterwards covers every entry walked, and the entries appended
    meanwhile are walked up to it. Verifying while others append therefore never reports a
    false break.
    """
    anchor_seq, anchor_hash = _parse_anchor(anchor)
    walk = _Walk()
    broken = _walk_entries(walk, anchor_seq, anchor_hash, chunk_size)
    if broken is not None:
        return broken
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
    if head_seq > walk.length:
        broken = _walk_entries(walk, anchor_seq, anchor_hash, chunk_size, upto=head_seq)
        if broken is not None:
            return broken
    return (
        _check_head(walk, head_seq, head_hash)
        or _check_anchor_reached(walk, anchor_seq)
        or ChainReport(ok=True, length=walk.length, head_hash=walk.prev_hash)
    )


def _parse_anchor(anchor: Mapping[str, Any] | None) -> tuple[int | None, str]:
    """The anchor's sequence number and hash; a malformed anchor is the caller's error, not a break."""
    if not anchor:
        return None, ""
    message = gettext_lazy("An anchor needs a whole-number “seq” and a 64-character hex “hash”.")
    try:
        seq = int(anchor["seq"])
        digest = str(anchor["hash"]).strip().lower()
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError(message, field="anchor") from exc
    if seq < 0 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise DomainError(message, field="anchor")
    return seq, digest


def _walk_entries(
    walk: _Walk, anchor_seq: int | None, anchor_hash: str, chunk_size: int, upto: int | None = None
) -> ChainReport | None:
    """Check the entries after ``walk`` (up to ``upto``) in order; the first break, or None."""
    rows = AuditEntry.objects.filter(seq__gt=walk.length)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    for row in rows.order_by("seq").values(*_ENTRY_FIELDS).iterator(chunk_size=chunk_size):
        broken = _check_row(walk, row, anchor_seq, anchor_hash)
        if broken is not None:
            return broken
        walk.prev_hash = row["entry_hash"]
        walk.next_seq += 1
    if upto is not None and walk.length < upto:
        reason = _("Entry #%(seq)d is missing (the chain head names #%(head)d).")
        return _broken(walk, "missing", reason, seq=walk.next_seq, head=upto)
    return None


def _check_row(walk: _Walk, row: dict[str, Any], anchor_seq: int | None, anchor_hash: str) -> ChainReport | None:
    """The first problem with one entry: out of sequence, not linked, altered, or unlike the anchor."""
    seq = row["seq"]
    if seq != walk.next_seq:
        reason = _("Entry #%(seq)d is missing (the next entry is #%(next)d).")
        return _broken(walk, "missing", reason, seq=walk.next_seq, next=seq)
    if row["prev_hash"] != walk.prev_hash:
        reason = _("Entry #%(seq)d does not link to entry #%(prev)d.")
        return _broken(walk, "unlinked", reason, seq=seq, prev=seq - 1)
    if digest_of(row) != row["entry_hash"]:
        reason = _("Entry #%(seq)d was altered: its contents no longer match its hash.")
        return _broken(walk, "altered", reason, seq=seq)
    if anchor_seq == seq and anchor_hash != row["entry_hash"]:
        reason = _("Entry #%(seq)d differs from the exported anchor.")
        return _broken(walk, "anchor_mismatch", reason, seq=seq)
    return None


def _check_head(walk: _Walk, head_seq: int, head_hash: str) -> ChainReport | None:
    """The head row must name the last entry walked, by number and hash."""
    if head_seq < walk.length:
        reason = _("Entry #%(seq)d lies beyond the chain head (#%(head)d).")
        return _broken(walk, "beyond_head", reason, seq=head_seq + 1, head=head_seq)
    if head_seq != walk.length or head_hash != walk.prev_hash:
        reason = _("The chain head does not match entry #%(seq)d.")
        return _broken(walk, "head_mismatch", reason, seq=walk.length)
    return None


def _check_anchor_reached(walk: _Walk, anchor_seq: int | None) -> ChainReport | None:
    """An anchored entry beyond the end means the tail was cut off (and the head rewound)."""
    if anchor_seq is not None and anchor_seq > walk.length:
        return _broken(walk, "anchor_missing", _("Entry #%(seq)d of the anchor is missing."), seq=anchor_seq)
    return None


def _broken(walk: _Walk, code: str, reason: str, *, seq: int, **params: int) -> ChainReport:
    """A break at ``seq``; ``length`` and ``head_hash`` describe the intact part walked before it."""
    return ChainReport(
        ok=False,
        length=walk.length,
        head_hash=walk.prev_hash,
        broken_seq=seq,
        reason=reason % {"seq": seq, **params},
        code=code,
    )


def chain_head() -> dict[str, Any]:
    """The head to export for external anchoring: sequence number, hash and the head entry's time."""
    head = ChainHead.objects.filter(pk=1).first()
    seq = head.seq if head else 0
    last = AuditEntry.objects.filter(seq=seq).only("seq", "occurred_at").first() if seq else None
    return {
        "seq": seq,
        "hash": head.entry_hash if head else GENESIS_HASH,
        "at": last.occurred_at.isoformat() if last else None,
    }
