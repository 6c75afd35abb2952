"""Request and response shapes of the audit-trail API (``/api/audit``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

#: Any text without NUL characters (which PostgreSQL cannot store).
NO_NUL = r"^[^\x00]*$"
Seq = Annotated[int, Field(ge=1, le=2**63 - 1)]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def bounds(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, max_length=max_length, pattern=NO_NUL)


class EntryFilters(Schema):
    """Filters of the entry list; ``before`` is the ``next_before`` of the previous page."""

    model_config = ConfigDict(extra="forbid")

    object_type: Annotated[str, bounds(100)] = Field(default="", description="e.g. org.user")
    object_id: Annotated[str, bounds(64)] = ""
    actor_id: Seq | None = None
    action: Annotated[str, bounds(64)] = Field(default="", description="e.g. create, update, delete")
    before: Seq | None = Field(default=None, description="Only entries with a smaller sequence number.")
    limit: int = Field(default=50, ge=1, le=500)


class VerifyParams(Schema):
    """An optional anchor exported earlier by ``/api/audit/head``: proves the tail was not rewritten."""

    model_config = ConfigDict(extra="forbid")

    anchor_seq: Seq | None = None
    anchor_hash: Hash | None = None


class EntryOut(Schema):
    seq: int
    occurred_at: dt.datetime
    actor_id: int | None
    actor_repr: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    prev_hash: str
    entry_hash: str


class EntryPageOut(Schema):
    items: list[EntryOut]
    next_before: int | None = Field(description="Pass as ``before`` for the next page; null on the last page.")


class VerifyOut(Schema):
    ok: bool
    length: int
    head_hash: str
    broken_seq: int | None
    reason: str = Field(description="What broke, in words, in the caller's language.")
    code: str = Field(default="", description="The kind of break for programs, e.g. altered, missing.")


class HeadOut(Schema):
    seq: int
    hash: str
    at: dt.datetime | None
