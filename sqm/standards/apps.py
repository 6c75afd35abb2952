from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


def _sop_panel(request: Any, ticket: Any) -> Any:
    from sqm.standards.panels import sop_panel

    return sop_panel(request, ticket)


class StandardsConfig(AppConfig):
    name = "sqm.standards"
    label = "standards"
    verbose_name = _("Service standards")
    NAV_ITEMS = [
        NavItem("standards", _("Standards library"), "standards:standard_list", Cap.STANDARD_VIEW),
        NavItem("standards", _("Change proposals"), "standards:proposal_list", Cap.STANDARD_VIEW),
        NavItem("standards", _("SOPs"), "standards:sop_list", Cap.STANDARD_VIEW),
    ]
    # The ticket page shows the SOPs that apply to the ticket (sqm.tickets.views collects these).
    TICKET_PANELS = [_sop_panel]
