"""Reads of inspections: querysets with related rows loaded."""

from __future__ import annotations
