"""Permission-matrix rows of the customer portal.

The ticket page and its files are opened on a ticket of *another* customer: roles with
``Cap.TICKET_VIEW`` may read it (the customer's view, read only), every other role — the
customer role included — gets 403. A customer opening their own ticket is covered in
test_portal.py. Sign-up is public (signed-in users are sent on to the portal); the list and the
submit page answer every signed-in user (staff get an explanation and a link to their queue).
"""

from types import SimpleNamespace

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import ANY_SIGNED_IN, PUBLIC, Page

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def prepare(w: SimpleNamespace) -> None:
    from sqm.org.tests.factories import UserFactory
    from sqm.tickets.services import ticket_create
    from sqm.tickets.services.attachments import IncomingFile

    other = UserFactory(role=Role.CUSTOMER, username="portal-other-customer")
    ticket, _created = ticket_create(
        actor=other,
        customer=other,
        type="fault",
        subject="路由器指示灯不亮",
        description="昨天开始路由器指示灯全灭。",
        channel="web",
        attachments=[IncomingFile("router.png", PNG)],
    )
    w.portal_ticket = ticket
    w.portal_attachment = ticket.messages.get().attachments.get()


PAGES = {
    "portal:my_tickets": Page(ANY_SIGNED_IN),
    "portal:register": Page(PUBLIC),
    "portal:submit": Page(ANY_SIGNED_IN),
    "portal:ticket": Page(Cap.TICKET_VIEW, kwargs=lambda w, u: {"pk": w.portal_ticket.pk}),
    "portal:attachment": Page(
        Cap.TICKET_VIEW, kwargs=lambda w, u: {"pk": w.portal_ticket.pk, "attachment_pk": w.portal_attachment.pk}
    ),
}
