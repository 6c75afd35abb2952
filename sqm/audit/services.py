"""Appending to and verifying the audit hash chain.

Every service that changes an audited record calls :func:`audit_append` inside its own
transaction, so the change and its audit entry commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from sqm.audit.hashing import entry_digest
from sqm.audit.models import GENESIS_HASH, AuditEntry, ChainHead

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
        head, _ = ChainHead.objects.select_for_update().get_or_create(
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
        entry.entry_hash = _digest_of(entry)
        entry.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(seq=entry.seq, entry_hash=entry.entry_hash)
    return entry


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    username = getattr(actor, "username", None)
    return str(username) if username else str(actor)


def _digest_of(entry: AuditEntry) -> str:
    return entry_digest(
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor_id=entry.actor_id,
        actor_repr=entry.actor_repr,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        changes=entry.changes,
        prev_hash=entry.prev_hash,
    )


@dataclass(frozen=True)
class ChainReport:
    """What :func:`chain_verify` found: intact with its length and head, or the first break."""

    ok: bool
    length: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""


def chain_verify(*, anchor: Mapping[str, Any] | None = None, chunk_size: int = 5000) -> ChainReport:
    """Recompute every link of the chain and report the first entry that does not hold.

    ``anchor`` (``{"seq": n, "hash": h}``, as exported by ``sqm audit head``) additionally proves
    that entry ``n`` still has hash ``h``: that catches a rewrite of the chain's tail together
    with its head row, which no check from inside the database can.
    """
    head = ChainHead.objects.filter(pk=1).first()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    fields = [f.name for f in AuditEntry._meta.concrete_fields if f.name != "id"]
    rows = AuditEntry.objects.order_by("seq").values(*fields)
    for row in rows.iterator(chunk_size=chunk_size):
        seq = row["seq"]
        if seq != expected_seq:
            return _broken(expected_seq, prev_hash, f"entry #{expected_seq} is missing (next is #{seq})")
        if row["prev_hash"] != prev_hash:
            return _broken(seq, prev_hash, f"entry #{seq} does not link to entry #{seq - 1}")
        stored = row.pop("entry_hash")
        if entry_digest(
            seq=seq,
            occurred_at=row["occurred_at"],
            actor_id=row["actor_id"],
            actor_repr=row["actor_repr"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            object_repr=row["object_repr"],
            changes=row["changes"],
            prev_hash=row["prev_hash"],
        ) != stored:
            return _broken(seq, prev_hash, f"entry #{seq} was altered: its contents no longer match its hash")
        if anchor and int(anchor["seq"]) == seq and anchor["hash"] != stored:
            return _broken(seq, prev_hash, f"entry #{seq} differs from the exported anchor")
        prev_hash = stored
        expected_seq += 1
    length = expected_seq - 1
    head_seq = head.seq if head else 0
    head_hash = head.entry_hash if head else GENESIS_HASH
    if head_seq != length or head_hash != prev_hash:
        if head_seq > length:
            reason = f"entry #{length + 1} is missing (the head names #{head_seq})"
            return _broken(length + 1, prev_hash, reason, length=length)
        return _broken(length, prev_hash, f"the chain head does not match entry #{length}", length=length)
    if anchor and int(anchor["seq"]) > length:
        return _broken(int(anchor["seq"]), prev_hash, f"entry #{anchor['seq']} of the anchor is missing", length)
    return ChainReport(ok=True, length=length, head_hash=prev_hash)


def _broken(seq: int, prev_hash: str, reason: str, length: int | None = None) -> ChainReport:
    return ChainReport(
        ok=False, length=seq - 1 if length is None else length, head_hash=prev_hash, broken_seq=seq, reason=reason
    )


def chain_head() -> dict[str, Any]:
    """The head to export for external anchoring: sequence number, hash and time."""
    head = ChainHead.objects.filter(pk=1).first()
    last = AuditEntry.objects.order_by("-seq").only("seq", "occurred_at").first()
    return {
        "seq": head.seq if head else 0,
        "hash": head.entry_hash if head else GENESIS_HASH,
        "at": last.occurred_at.isoformat() if last else None,
    }
