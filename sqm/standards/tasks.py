"""Task bodies of standards (plain, idempotent, take ids); scheduled in sqm/schedule.py."""

from __future__ import annotations
