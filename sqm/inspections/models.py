"""Quality inspection (DESIGN.md §2.6)."""

from __future__ import annotations
