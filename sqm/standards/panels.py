"""The panel the standards app adds to the ticket page: the SOPs that apply to the ticket's type.

Registered in ``StandardsConfig.TICKET_PANELS``; the ticket page collects such panels from every
app without importing them, so tickets keep no dependency on standards.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from sqm.core.roles import Cap, can
from sqm.standards import selectors


def sop_panel(request: Any, ticket: Any) -> SafeString | None:
    """HTML of the “SOPs for this ticket” card (those written for the ticket's type first), or None
    when the reader may not see standards or no SOP applies."""
    if not can(request.user, Cap.STANDARD_VIEW):
        return None
    sops = selectors.sops_in_force(on=timezone.localdate(), ticket_type=ticket.type)
    if not sops:
        return None
    sops.sort(key=lambda clause: not clause.ticket_types)  # the ones written for this type first (stable)
    return SafeString(
        render_to_string("standards/partials/ticket_sops.html", {"sops": sops, "ticket": ticket}, request)
    )
