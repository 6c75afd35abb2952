from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "sqm.kpis"
    label = "kpis"
    verbose_name = _("Quality monitoring")
    NAV_ITEMS: list = []  # filled as the app's pages land
