from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqm.core.nav import NavItem
from sqm.core.roles import Cap


class TicketsConfig(AppConfig):
    name = "sqm.tickets"
    label = "tickets"
    verbose_name = _("Tickets")
    NAV_ITEMS = [
        NavItem("tickets", _("My queue"), "tickets:my_queue", Cap.TICKET_WORK),
        NavItem("tickets", _("Team queue"), "tickets:team_queue", Cap.TICKET_VIEW),
        NavItem("tickets", _("My owned complaints"), "tickets:owned", Cap.TICKET_WORK),
        NavItem("tickets", _("Log a call or visit"), "tickets:log_contact", Cap.TICKET_WORK),
        NavItem("tickets", _("Process definitions"), "tickets:process_list", Cap.PROCESS_MANAGE),
        NavItem("tickets", _("Canned replies"), "tickets:canned_list", Cap.PROCESS_MANAGE),
        NavItem("tickets", _("Working calendars"), "sla:calendar_list", Cap.CALENDAR_MANAGE),
        NavItem("tickets", _("SLA policies"), "sla:policy_list", Cap.PROCESS_MANAGE),
        NavItem("tickets", _("SLA notifications"), "sla:notification_list", Cap.TICKET_VIEW),
    ]
