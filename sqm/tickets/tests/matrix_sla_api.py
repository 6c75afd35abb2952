"""Permission-matrix rows of the SLA parts of the tickets API (merged by test_permission_matrix.py).

The ticket is the one of :mod:`sqm.tickets.tests.matrix_api` (another customer's), whose
``path_params`` fills ``ticket_id``; only staff holding ``Cap.TICKET_VIEW`` may read its clock.
"""

from __future__ import annotations

from typing import Any

from sqm.core.roles import Cap

API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("GET", "/api/tickets/{ticket_id}/sla"): (Cap.TICKET_VIEW, None),
}
