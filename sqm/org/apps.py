from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


class OrgConfig(AppConfig):
    name = "sqm.org"
    label = "org"
    verbose_name = _("Organisation")
    NAV_ITEMS = [
        NavItem("people", _("People"), "org:user_list", Cap.ORG_VIEW),
        NavItem("people", _("Teams"), "org:team_list", Cap.ORG_VIEW),
        NavItem("people", _("Skills"), "org:skill_list", Cap.ORG_VIEW),
    ]
