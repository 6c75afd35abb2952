"""The hash chain on the real database: appends link, verify proves it, tampering is caught.

Tampering goes straight to the table with raw SQL, past the model's append-only guard, the way
someone with database access would do it; verify must name the first entry that no longer holds.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqm.audit.hashing import canonical_time, entry_digest
from sqm.audit.models import GENESIS_HASH, AuditEntry, ChainHead
from sqm.audit.services import (
    audit_append,
    chain_head,
    chain_verify,
    diff,
    jsonable,
    object_type_of,
    snapshot,
)
from sqm.core.errors import DomainError
from sqm.org.tests.factories import TeamFactory, UserFactory

TABLE = AuditEntry._meta.db_table
HEAD_TABLE = ChainHead._meta.db_table
FORGED_HASH = hashlib.sha256(b"forged").hexdigest()

pytestmark = pytest.mark.django_db


# --- helpers shared with the view and CLI tests ------------------------------------------------


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
    """Run raw SQL past the ORM (and its append-only guard); the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def json_param() -> str:
    """A placeholder that stores a JSON text into the ``changes`` column on either database."""
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def set_changes(seq: int, changes: Any) -> None:
    assert sql(f"UPDATE {TABLE} SET changes = {json_param()} WHERE seq = %s", [json.dumps(changes), seq]) == 1


def set_occurred_at(seq: int, value: dt.datetime) -> None:
    adapted = connection.ops.adapt_datetimefield_value(value)
    assert sql(f"UPDATE {TABLE} SET occurred_at = %s WHERE seq = %s", [adapted, seq]) == 1


def delete_entry(seq: int) -> None:
    assert sql(f"DELETE FROM {TABLE} WHERE seq = %s", [seq]) == 1


def rewind_head(seq: int) -> None:
    """Point the head row at entry ``seq``: what someone covering a cut-off tail would do."""
    digest = AuditEntry.objects.get(seq=seq).entry_hash if seq else GENESIS_HASH
    assert sql(f"UPDATE {HEAD_TABLE} SET seq = %s, entry_hash = %s WHERE id = 1", [seq, digest]) == 1


def append_many(count: int, **kwargs: Any) -> list[AuditEntry]:
    """``count`` entries on different objects, each with a small change."""
    return [
        audit_append(
            actor=kwargs.get("actor"),
            action=kwargs.get("action", "update"),
            object_type=kwargs.get("object_type", "test.thing"),
            object_id=str(i),
            object_repr=f"thing {i}",
            changes={"status": {"before": "open", "after": f"closed-{i}"}},
        )
        for i in range(1, count + 1)
    ]


# --- appending ---------------------------------------------------------------------------------


def test_appends_link_each_entry_to_the_one_before() -> None:
    user = UserFactory(username="linker")
    first, second, third = append_many(3, actor=user)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    stored = AuditEntry.objects.get(seq=2)
    assert stored.entry_hash == entry_digest(
        seq=2,
        occurred_at=stored.occurred_at,
        actor_id=user.pk,
        actor_repr="linker",
        action="update",
        object_type="test.thing",
        object_id="2",
        object_repr="thing 2",
        changes={"status": {"before": "open", "after": "closed-2"}},
        prev_hash=first.entry_hash,
    )
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.entry_hash) == (3, third.entry_hash)
    exported = chain_head()
    assert exported["seq"] == 3 and exported["hash"] == third.entry_hash
    assert dt.datetime.fromisoformat(exported["at"]) == AuditEntry.objects.get(seq=3).occurred_at


def test_append_takes_object_and_actor_from_the_target() -> None:
    team = TeamFactory(name="投诉组", code="CMP")
    actor = UserFactory(username="boss")
    changes = {"name": {"before": None, "after": "投诉组"}}
    entry = audit_append(actor=actor, action="create", target=team, changes=changes)

    stored = AuditEntry.objects.get(seq=entry.seq)
    assert (stored.object_type, stored.object_id, stored.object_repr) == ("org.team", str(team.pk), "投诉组")
    assert (stored.actor_id, stored.actor_repr) == (actor.pk, "boss")
    assert object_type_of(team) == "org.team"
    assert audit_append(actor=None, action="tick", object_type="x.y", object_id="1").actor_repr == "system"


def test_append_refuses_an_entry_without_action_or_object_type() -> None:
    with pytest.raises(ValueError):
        audit_append(actor=None, action="", object_type="x.y", object_id="1")
    with pytest.raises(ValueError):
        audit_append(actor=None, action="create", object_id="1")
    assert AuditEntry.objects.count() == 0


def test_append_rolls_back_with_the_callers_transaction() -> None:
    append_many(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_append(actor=None, action="create", object_type="x.y", object_id="9")
        raise RuntimeError("the caller's change failed")
    assert AuditEntry.objects.count() == 2
    assert ChainHead.objects.get(pk=1).seq == 2
    assert audit_append(actor=None, action="create", object_type="x.y", object_id="9").seq == 3
    assert chain_verify().ok


def test_append_works_without_a_head_row() -> None:
    """A flushed database has no head row: the first append creates it."""
    sql(f"DELETE FROM {HEAD_TABLE}")
    assert chain_verify().ok and chain_head() == {"seq": 0, "hash": GENESIS_HASH, "at": None}
    entry = audit_append(actor=None, action="create", object_type="x.y", object_id="1")
    assert entry.seq == 1 and entry.prev_hash == GENESIS_HASH
    assert chain_verify().ok


def test_long_actor_labels_are_cut_to_the_column() -> None:
    entry = audit_append(actor=SimpleNamespace(pk=None, username="u" * 300), action="a", object_type="x.y")
    assert len(entry.actor_repr) == 200
    assert chain_verify().ok


# --- verifying an intact chain ----------------------------------------------------------------


def test_verify_reports_length_and_head_of_an_intact_chain() -> None:
    assert chain_verify().ok and chain_verify().length == 0 and chain_verify().head_hash == GENESIS_HASH
    entries = append_many(7)
    report = chain_verify()
    assert report.ok
    assert report.length == 7
    assert report.head_hash == entries[-1].entry_hash
    assert report.broken_seq is None and report.reason == "" and report.code == ""


def test_verify_works_in_small_chunks() -> None:
    append_many(12)
    assert chain_verify(chunk_size=5).ok
    set_changes(11, {"status": "forged"})
    assert chain_verify(chunk_size=5).broken_seq == 11


def test_verify_accepts_a_matching_anchor() -> None:
    append_many(3)
    anchor = chain_head()
    append_many(2)
    report = chain_verify(anchor=anchor)
    assert report.ok and report.length == 5


@pytest.mark.parametrize(
    "anchor", [{"seq": "x", "hash": "0" * 64}, {"seq": 1}, {"seq": 1, "hash": "xyz"}, {"seq": -1, "hash": "0" * 64}]
)
def test_verify_refuses_a_malformed_anchor(anchor: dict[str, Any]) -> None:
    append_many(1)
    with pytest.raises(DomainError) as caught:
        chain_verify(anchor=anchor)
    assert "anchor" in caught.value.errors


# --- tampering -------------------------------------------------------------------------------


def _tamper_changes(seq: int) -> None:
    set_changes(seq, {"status": {"before": "open", "after": "forged"}})


def _tamper_actor(seq: int) -> None:
    assert sql(f"UPDATE {TABLE} SET actor_repr = %s WHERE seq = %s", ["someone-else", seq]) == 1


def _tamper_actor_id(seq: int) -> None:
    assert sql(f"UPDATE {TABLE} SET actor_id = %s WHERE seq = %s", [424242, seq]) == 1


def _tamper_occurred_at(seq: int) -> None:
    entry = AuditEntry.objects.get(seq=seq)
    set_occurred_at(seq, entry.occurred_at - dt.timedelta(days=1))


def _tamper_object_id(seq: int) -> None:
    assert sql(f"UPDATE {TABLE} SET object_id = %s WHERE seq = %s", ["999", seq]) == 1


def _tamper_action(seq: int) -> None:
    assert sql(f"UPDATE {TABLE} SET action = %s WHERE seq = %s", ["delete", seq]) == 1


def _tamper_entry_hash(seq: int) -> None:
    assert sql(f"UPDATE {TABLE} SET entry_hash = %s WHERE seq = %s", [FORGED_HASH, seq]) == 1


EDITS: dict[str, Callable[[int], None]] = {
    "changes": _tamper_changes,
    "actor": _tamper_actor,
    "actor_id": _tamper_actor_id,
    "occurred_at": _tamper_occurred_at,
    "object_id": _tamper_object_id,
    "action": _tamper_action,
    "entry_hash": _tamper_entry_hash,
}


@pytest.mark.parametrize("field", sorted(EDITS))
@pytest.mark.parametrize("seq", [1, 3, 5])
def test_an_edited_entry_is_named_as_the_first_break(field: str, seq: int) -> None:
    """Editing any hashed column of entry 1 (first), 3 (middle) or 5 (the head entry) is caught there."""
    entries = append_many(5)
    EDITS[field](seq)

    report = chain_verify()
    assert not report.ok
    assert report.broken_seq == seq
    assert report.code == "altered"
    assert f"#{seq}" in report.reason
    assert report.length == seq - 1
    assert report.head_hash == (entries[seq - 2].entry_hash if seq > 1 else GENESIS_HASH)


def test_an_edited_link_is_caught_at_that_entry() -> None:
    append_many(5)
    assert sql(f"UPDATE {TABLE} SET prev_hash = %s WHERE seq = 3", [FORGED_HASH]) == 1
    report = chain_verify()
    assert (report.ok, report.broken_seq, report.code) == (False, 3, "unlinked")


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    """Someone who also recomputes the edited entry's hash still cannot fix the next entry's link."""
    append_many(5)
    entry = AuditEntry.objects.get(seq=3)
    forged = {"status": {"before": "open", "after": "forged"}}
    new_hash = entry_digest(
        seq=3,
        occurred_at=entry.occurred_at,
        actor_id=entry.actor_id,
        actor_repr=entry.actor_repr,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        changes=forged,
        prev_hash=entry.prev_hash,
    )
    set_changes(3, forged)
    assert sql(f"UPDATE {TABLE} SET entry_hash = %s WHERE seq = 3", [new_hash]) == 1
    report = chain_verify()
    assert (report.ok, report.broken_seq, report.code) == (False, 4, "unlinked")


def test_a_deleted_middle_entry_is_named() -> None:
    append_many(5)
    delete_entry(3)
    report = chain_verify()
    assert (report.ok, report.broken_seq, report.code, report.length) == (False, 3, "missing", 2)


def test_a_deleted_first_entry_is_named() -> None:
    append_many(3)
    delete_entry(1)
    assert chain_verify().broken_seq == 1


def test_a_deleted_last_entry_is_caught_by_the_head() -> None:
    append_many(5)
    delete_entry(5)
    report = chain_verify()
    assert (report.ok, report.broken_seq, report.code, report.length) == (False, 5, "missing", 4)


def test_a_deleted_last_entry_with_a_rewound_head_needs_the_anchor() -> None:
    """Cutting off the tail and rewinding the head leaves a consistent database; only the anchor knows."""
    append_many(5)
    anchor = chain_head()
    delete_entry(5)
    rewind_head(4)

    assert chain_verify().ok, "no check from inside the database can see this"
    report = chain_verify(anchor=anchor)
    assert (report.ok, report.broken_seq, report.code, report.length) == (False, 5, "anchor_missing", 4)


def test_a_rewritten_tail_differs_from_the_anchor() -> None:
    """Cut off and replaced by a new, self-consistent entry #5: the anchor's hash gives it away."""
    append_many(5)
    anchor = chain_head()
    delete_entry(5)
    rewind_head(4)
    audit_append(actor=None, action="update", object_type="test.thing", object_id="5", changes={})

    assert chain_verify().ok
    report = chain_verify(anchor=anchor)
    assert (report.ok, report.broken_seq, report.code) == (False, 5, "anchor_mismatch")


def test_an_edited_head_row_is_caught() -> None:
    append_many(4)
    assert sql(f"UPDATE {HEAD_TABLE} SET entry_hash = %s WHERE id = 1", [FORGED_HASH]) == 1
    report = chain_verify()
    assert (report.ok, report.broken_seq, report.code) == (False, 4, "head_mismatch")


def test_a_head_rewound_without_deleting_leaves_entries_beyond_it() -> None:
    append_many(4)
    rewind_head(2)
    report = chain_verify()
    assert (report.ok, report.broken_seq, report.code) == (False, 3, "beyond_head")


# --- the model refuses to rewrite history ----------------------------------------------------


def test_the_model_refuses_to_save_an_existing_entry_or_delete_one() -> None:
    entry = append_many(1)[0]
    entry.action = "forged"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.filter(seq=1).update(action="forged")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(seq=1).action == "update"
    assert chain_verify().ok


# --- canonical values ------------------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"


def test_jsonable_keeps_json_types_and_stable_text_for_the_rest() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    moment = dt.datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=shanghai)
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    user = UserFactory()

    assert jsonable(None) is None and jsonable(True) is True and jsonable(7) == 7 and jsonable("文") == "文"
    assert jsonable(moment) == "2026-03-01T01:30:00.123456+00:00"
    assert jsonable(dt.datetime(2026, 3, 1, 9, 30)) == "2026-03-01T09:30:00"
    assert jsonable(dt.date(2026, 3, 1)) == "2026-03-01"
    assert jsonable(dt.time(8, 15)) == "08:15:00"
    assert jsonable(decimal.Decimal("12.50")) == "12.50"
    assert jsonable(0.1) == "0.1"
    assert jsonable(key) == str(key)
    assert jsonable(Colour.RED) == "red"
    assert jsonable(user) == user.pk
    assert jsonable({1: (1, 2), "b": [decimal.Decimal("1")]}) == {"1": [1, 2], "b": ["1"]}
    assert jsonable({"c", "a", "b"}) == ["a", "b", "c"]
    assert jsonable(frozenset({3, 1, 2})) == [1, 2, 3]
    assert canonical_time(moment) == "2026-03-01T01:30:00.123456Z"


def test_diff_lists_only_changed_fields() -> None:
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": {"before": 2, "after": 3}}
    assert diff(None, {"a": 1}) == {"a": {"before": None, "after": 1}}
    assert diff({"a": 1}, None) == {"a": {"before": 1, "after": None}}
    assert diff({"a": 1}, {"a": 1}) == {}
    assert list(diff({"z": 1, "a": 1}, {"z": 2, "a": 2})) == ["a", "z"]


def test_snapshot_takes_foreign_keys_by_id() -> None:
    team = TeamFactory()
    user = UserFactory(team=team, username="snap")
    assert snapshot(user, ["username", "team", "is_active"]) == {"username": "snap", "team": team.pk, "is_active": True}
    user.team = None
    assert snapshot(user, ["team"]) == {"team": None}


# --- property: any single-row mutation is caught exactly where it happened --------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
ENTRY = st.fixed_dictionaries(
    {
        "actor": st.none() | st.builds(SimpleNamespace, pk=st.integers(1, 10**9), username=TEXT.filter(bool)),
        "action": st.sampled_from(["create", "update", "delete", "revoke", "变更"]),
        "object_type": st.sampled_from(["org.user", "org.team", "tickets.ticket"]),
        "object_id": TEXT.filter(bool),
        "object_repr": TEXT,
        "changes": st.dictionaries(TEXT, JSON_VALUES, max_size=4),
    }
)


def _mutate(kind: str, seq: int) -> None:
    """One change to one row, each of which must break the chain exactly at ``seq``."""
    if kind == "delete":
        delete_entry(seq)
    elif kind == "changes":
        set_changes(seq, {"wrapped": AuditEntry.objects.get(seq=seq).changes})
    elif kind == "occurred_at":
        set_occurred_at(seq, AuditEntry.objects.get(seq=seq).occurred_at + dt.timedelta(microseconds=1))
    elif kind == "actor_id":
        assert sql(f"UPDATE {TABLE} SET actor_id = COALESCE(actor_id, 0) + 1 WHERE seq = %s", [seq]) == 1
    elif kind in {"prev_hash", "entry_hash"}:
        assert sql(f"UPDATE {TABLE} SET {kind} = %s WHERE seq = %s", [FORGED_HASH, seq]) == 1
    elif kind == "seq":
        assert sql(f"UPDATE {TABLE} SET seq = seq + 1000000 WHERE seq = %s", [seq]) == 1
    else:
        assert sql(f"UPDATE {TABLE} SET {kind} = {kind} || 'x' WHERE seq = %s", [seq]) == 1


MUTATIONS = [
    "delete",
    "changes",
    "occurred_at",
    "actor_id",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "prev_hash",
    "entry_hash",
    "seq",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(ENTRY, min_size=1, max_size=8), data=st.data())
def test_any_single_row_mutation_is_detected_at_exactly_that_seq(specs: list[dict[str, Any]], data: Any) -> None:
    with transaction.atomic():
        base = chain_head()["seq"]
        for spec in specs:
            audit_append(**spec)
        intact = chain_verify()
        assert intact.ok and intact.length == base + len(specs)

        position = base + data.draw(st.integers(1, len(specs)), label="position")
        kind = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        _mutate(kind, position)

        report = chain_verify()
        assert not report.ok
        assert report.broken_seq == position, (kind, report)
        transaction.set_rollback(True)
