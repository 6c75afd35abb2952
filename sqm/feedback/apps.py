from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


class FeedbackConfig(AppConfig):
    name = "sqm.feedback"
    label = "feedback"
    verbose_name = _("Customer feedback")
    NAV_ITEMS = [NavItem("feedback", _("Ratings"), "feedback:rating_list", Cap.TICKET_VIEW)]
    NAV_ITEMS += [
        NavItem("feedback", _("QR rating codes"), "feedback:links_qr_list", Cap.FEEDBACK_MANAGE),
        NavItem("feedback", _("Complaints from ratings"), "feedback:links_follow_ups", Cap.TICKET_VIEW),
        NavItem("feedback", _("Complaint rule"), "feedback:links_rule", Cap.FEEDBACK_MANAGE),
    ]
    NAV_ITEMS += [
        NavItem("feedback", _("Surveys"), "feedback:survey_list", Cap.SURVEY_VIEW),
        NavItem("feedback", _("Return visits"), "feedback:return_visit_list", Cap.RETURN_VISIT_VIEW),
        NavItem("feedback", _("Mystery shopping"), "feedback:mystery_visit_list", Cap.MYSTERY_VISIT_VIEW),
    ]
