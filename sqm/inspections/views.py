"""Pages of inspections: thin views, form → service → redirect or htmx partial."""

from __future__ import annotations
