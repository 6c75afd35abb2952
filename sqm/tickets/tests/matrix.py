"""Permission-matrix rows of the tickets app (merged by sqm/core/tests/test_permission_matrix.py)."""

from sqm.core.roles import Cap
from sqm.core.tests.matrix import Page

PAGES = {
    "tickets:my_queue": Page(Cap.TICKET_WORK),
    "tickets:team_queue": Page(Cap.TICKET_VIEW),
    "tickets:owned": Page(Cap.TICKET_WORK),
    "tickets:log_contact": Page(Cap.TICKET_WORK),
    "tickets:process_list": Page(Cap.PROCESS_MANAGE),
}
API: dict = {}
