from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


class KnowledgeConfig(AppConfig):
    name = "sqm.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")
    NAV_ITEMS = [NavItem("knowledge", _("Knowledge base"), "knowledge:article_list", Cap.KB_VIEW)]
