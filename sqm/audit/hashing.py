"""Canonical form and hash of an audit entry; the one definition both append and verify use."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any


def canonical_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_digest(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor_repr: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "at": canonical_time(occurred_at),
        "actor_id": actor_id,
        "actor": actor_repr,
        "action": action,
        "type": object_type,
        "id": object_id,
        "repr": object_repr,
        "changes": changes,
        "prev": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "prev_hash",
)


def digest_of(values: Any) -> str:
    """The hash of an entry given as a model instance or as a row mapping with the hashed fields."""
    get = values.__getitem__ if isinstance(values, dict) else lambda name: getattr(values, name)
    return entry_digest(**{name: get(name) for name in HASHED_FIELDS})
