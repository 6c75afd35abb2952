"""Reads of feedback: querysets with related rows loaded."""

from __future__ import annotations
