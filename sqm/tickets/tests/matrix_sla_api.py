"""Permission-matrix rows of the SLA parts of the API (merged by test_permission_matrix.py).

The ticket is the one of :mod:`sqm.tickets.tests.matrix_api` (another customer's), whose
``path_params`` fills ``ticket_id``; only staff holding ``Cap.TICKET_VIEW`` may read its clock.
SLA policies (``/api/sla``) belong to quality managers (``Cap.PROCESS_MANAGE``); a fresh draft
is made for every publish.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap


def _draft() -> Any:
    from django.db.models import Max

    from sqm.tickets.models import SlaPolicy

    version = (SlaPolicy.objects.filter(code="matrix-api").aggregate(v=Max("version"))["v"] or 0) + 1
    return SlaPolicy.objects.create(
        code="matrix-api",
        version=version,
        name="matrix api",
        effective_from=dt.date(2030, 1, 1),
        response_minutes=5,
        resolution_minutes=10,
    )


def prepare(w: SimpleNamespace) -> None:
    w.sla_api_draft = _draft()


def refresh(w: SimpleNamespace) -> None:
    w.sla_api_draft.refresh_from_db()
    if w.sla_api_draft.status != "draft":
        w.sla_api_draft = _draft()


def path_params(w: SimpleNamespace, user: Any) -> dict[str, Any]:
    return {"policy_id": w.sla_api_draft.pk}


API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("GET", "/api/tickets/{ticket_id}/sla"): (Cap.TICKET_VIEW, None),
    ("GET", "/api/sla/policies"): (Cap.PROCESS_MANAGE, None),
    ("POST", "/api/sla/policies"): (
        Cap.PROCESS_MANAGE,
        lambda w: {
            "code": "matrix-vip",
            "name": "VIP",
            "effective_from": "2030-01-01",
            "tier": "vip",
            "response_minutes": 15,
            "resolution_minutes": 600,
        },
    ),
    ("POST", "/api/sla/policies/{policy_id}/publish"): (Cap.PROCESS_MANAGE, None),
}
