"""Django-admin registrations of kpis (read-mostly; writes go through services)."""

from __future__ import annotations
