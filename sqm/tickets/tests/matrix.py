"""Permission-matrix rows of the agent, team-lead and quality-manager pages of the tickets app.

The ticket and its file belong to a customer other than the customer role's user, so the
customer role gets 403 on them like every role without ``Cap.TICKET_VIEW``; a customer opening
a file of their own ticket is covered in test_views.py. Writes are posted empty: roles that may
write get the form back with its errors (200) or a redirect with a message (302).
"""

from types import SimpleNamespace

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import Page


def prepare(w: SimpleNamespace) -> None:
    from sqm.org.tests.factories import UserFactory
    from sqm.tickets.models import CannedReply, ProcessDefinition, ProcessStep
    from sqm.tickets.services import ticket_create
    from sqm.tickets.services.attachments import IncomingFile

    w.ui_customer = UserFactory(role=Role.CUSTOMER, username="ui-matrix-customer", phone="13900001111")
    w.ui_ticket, _created = ticket_create(
        actor=w.users[Role.ADMIN],
        customer=w.ui_customer,
        type="complaint",
        subject="营业厅排队太久",
        description="周末在营业厅排队两个小时。",
        channel="walk_in",
        attachments=[IncomingFile("排队小票.txt", "取号 A123，等候两小时".encode())],
    )
    w.ui_attachment = w.ui_ticket.messages.get().attachments.get()
    w.ui_definition = ProcessDefinition.objects.get(ticket_type="complaint")
    w.ui_step = ProcessStep.objects.create(
        definition=w.ui_definition, order=90, name_zh="矩阵测试步骤", name_en="Matrix step"
    )
    w.ui_canned = CannedReply.objects.create(title="问候语", body="您好，很高兴为您服务。")


def _ticket(w: SimpleNamespace, u: object) -> dict[str, int]:
    return {"pk": w.ui_ticket.pk}


PAGES = {
    "tickets:my_queue": Page(Cap.TICKET_WORK),
    "tickets:team_queue": Page(Cap.TICKET_VIEW),
    "tickets:owned": Page(Cap.TICKET_WORK),
    "tickets:shift_set": Page(Cap.TICKET_WORK, "POST"),
    "tickets:log_contact": Page(Cap.TICKET_WORK),
    "tickets:customer_search": Page(Cap.TICKET_WORK),
    "tickets:ticket_detail": Page(Cap.TICKET_VIEW, kwargs=_ticket),
    "tickets:ticket_reply": Page(Cap.TICKET_WORK, "POST", _ticket),
    "tickets:control_point_tick": Page(Cap.TICKET_WORK, "POST", _ticket),
    "tickets:step_complete": Page(Cap.TICKET_WORK, "POST", _ticket),
    "tickets:ticket_transition": Page(Cap.TICKET_WORK, "POST", _ticket),
    "tickets:ticket_reopen": Page(Cap.TICKET_WORK, "POST", _ticket),
    "tickets:ticket_edit": Page(Cap.TICKET_WORK, "POST", _ticket),
    "tickets:ticket_assign": Page(Cap.TICKET_ASSIGN, "POST", _ticket),
    "tickets:ticket_transfer": Page(Cap.TICKET_ASSIGN, "POST", _ticket),
    "tickets:attachment_download": Page(Cap.TICKET_VIEW, kwargs=lambda w, u: {"pk": w.ui_attachment.pk}),
    "tickets:process_list": Page(Cap.PROCESS_MANAGE),
    "tickets:step_create": Page(Cap.PROCESS_MANAGE, kwargs=lambda w, u: {"definition_pk": w.ui_definition.pk}),
    "tickets:step_edit": Page(Cap.PROCESS_MANAGE, kwargs=lambda w, u: {"pk": w.ui_step.pk}),
    "tickets:step_retire": Page(Cap.PROCESS_MANAGE, "POST", lambda w, u: {"pk": w.ui_step.pk}),
    "tickets:canned_list": Page(Cap.PROCESS_MANAGE),
    "tickets:canned_create": Page(Cap.PROCESS_MANAGE),
    "tickets:canned_edit": Page(Cap.PROCESS_MANAGE, kwargs=lambda w, u: {"pk": w.ui_canned.pk}),
    "tickets:canned_retire": Page(Cap.PROCESS_MANAGE, "POST", lambda w, u: {"pk": w.ui_canned.pk}),
}
