"""REST endpoints of inspections (``/api/inspections``)."""

from __future__ import annotations

from ninja import Router

router = Router()
