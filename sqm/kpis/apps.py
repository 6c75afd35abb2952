from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


class KpisConfig(AppConfig):
    name = "sqm.kpis"
    label = "kpis"
    verbose_name = _("Quality monitoring")
    NAV_ITEMS: list = []  # filled as the app's pages land
    NAV_ITEMS.append(NavItem("monitoring", _("Dashboard"), "kpis:dashboard", Cap.KPI_VIEW))
    NAV_ITEMS.append(NavItem("monitoring", _("Alerts"), "kpis:alert_list", Cap.ALERT_VIEW))
    NAV_ITEMS.append(NavItem("monitoring", _("Contingency plans"), "kpis:plan_list", Cap.ALERT_VIEW))
