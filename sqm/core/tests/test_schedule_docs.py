"""Operators find every periodic task in docs/operations.md."""

from __future__ import annotations

from pathlib import Path

from sqm.schedule import PERIODIC

OPERATIONS = Path(__file__).resolve().parents[3] / "docs" / "operations.md"


def test_every_periodic_task_is_documented_for_operators():
    text = OPERATIONS.read_text(encoding="utf-8")
    assert [name for name in PERIODIC if f"`{name}`" not in text] == []
