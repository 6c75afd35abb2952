from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sqm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from sqm import schedule  # noqa: F401  registers the periodic tasks
