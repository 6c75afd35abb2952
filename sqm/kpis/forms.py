"""Forms of kpis."""

from __future__ import annotations
