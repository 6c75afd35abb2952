from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


class AuditConfig(AppConfig):
    name = "sqm.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    NAV_ITEMS = [
        NavItem("supervision", _("Audit trail"), "audit:entry_list", Cap.AUDIT_VIEW),
        NavItem("supervision", _("Chain verification"), "audit:verify", Cap.AUDIT_VERIFY),
    ]
