"""Task bodies of inspections (plain, idempotent, take ids); scheduled in sqm/schedule.py."""

from __future__ import annotations
