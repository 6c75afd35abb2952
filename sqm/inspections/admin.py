"""Django-admin registrations of inspections (read-mostly; writes go through services)."""

from __future__ import annotations
