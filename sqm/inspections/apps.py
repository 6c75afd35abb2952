from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


class InspectionsConfig(AppConfig):
    name = "sqm.inspections"
    label = "inspections"
    verbose_name = _("Quality inspection")
    NAV_ITEMS = [
        NavItem("inspection", _("My QA results"), "inspections:my_results", Cap.INSPECTION_APPEAL),
        NavItem("inspection", _("My inspection queue"), "inspections:queue", Cap.INSPECTION_PERFORM),
        NavItem("inspection", _("QA results"), "inspections:inspection_list", Cap.INSPECTION_VIEW),
        NavItem("inspection", _("Sampling plans"), "inspections:plan_list", Cap.INSPECTION_VIEW),
        NavItem("inspection", _("Calibration"), "inspections:calibration_list", Cap.INSPECTION_VIEW),
        NavItem("inspection", _("Scorecards"), "inspections:scorecard_list", Cap.INSPECTION_VIEW),
    ]
