"""Writes of inspections: validated, audited, follow-up work queued on commit."""

from __future__ import annotations
