"""Django-admin registrations of feedback (read-mostly; writes go through services)."""

from __future__ import annotations
