from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "sqm.standards"
    label = "standards"
    verbose_name = _("Service standards")
    NAV_ITEMS: list = []  # filled as the app's pages land
