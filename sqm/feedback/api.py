"""REST endpoints of feedback (``/api/feedback``)."""

from __future__ import annotations

from ninja import Router

router = Router()
