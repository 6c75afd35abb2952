"""REST endpoints of kpis (``/api/kpis``)."""

from __future__ import annotations

from ninja import Router

router = Router()

from sqm.kpis.api_dashboard import router as dashboard_router  # noqa: E402

router.add_router("/dashboard", dashboard_router, tags=["kpis"])

from sqm.kpis.api_alerts import plans_router as alert_plans_router  # noqa: E402
from sqm.kpis.api_alerts import router as alerts_router  # noqa: E402

router.add_router("/alerts", alerts_router, tags=["kpis"])
router.add_router("/plans", alert_plans_router, tags=["kpis"])
