"""Django-admin registrations of standards (read-mostly; writes go through services)."""

from __future__ import annotations
