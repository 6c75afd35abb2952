"""Forms of standards."""

from __future__ import annotations
