from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "sqm.feedback"
    label = "feedback"
    verbose_name = _("Customer feedback")
    NAV_ITEMS: list = []  # filled as the app's pages land
