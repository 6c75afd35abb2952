from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "sqm.inspections"
    label = "inspections"
    verbose_name = _("Quality inspection")
    NAV_ITEMS: list = []  # filled as the app's pages land
