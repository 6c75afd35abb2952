"""Forms of inspections."""

from __future__ import annotations
