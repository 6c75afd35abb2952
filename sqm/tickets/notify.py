"""Outbound e-mail to customers: replies and closure notices, threaded by Message-ID."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sqm.tickets.models import MessageKind, Ticket, TicketMessage


def message_id_for(message: TicketMessage) -> str:
    return f"<sqm-{message.ticket_id}-{message.pk}@{settings.SQM_MAIL_DOMAIN}>"


def _language(ticket: Ticket) -> str:
    return ticket.customer.language or ("en" if ticket.language == "en" else settings.LANGUAGE_CODE)


def _thread_headers(ticket: Ticket, own_id: str) -> dict[str, str]:
    references = [
        ref
        for ref in TicketMessage.objects.filter(ticket=ticket, email_message_id__isnull=False)
        .order_by("created_at", "pk")
        .values_list("email_message_id", flat=True)[:20]
        if ref
    ]
    headers = {"Message-ID": own_id}
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    return headers


def send_reply(message_id: int) -> bool:
    """Mail one reply; a reply already mailed is not mailed again."""
    with transaction.atomic():
        message = (
            TicketMessage.objects.select_for_update()
            .select_related("ticket__customer")
            .filter(pk=message_id, kind=MessageKind.REPLY, emailed_at__isnull=True)
            .first()
        )
        if message is None or not message.ticket.customer.email:
            return False
        ticket = message.ticket
        with translation.override(_language(ticket)):
            subject = f"[{ticket.number}] {ticket.subject}"
            body = (
                message.body
                + "\n\n-- \n"
                + _("Reply to this e-mail to add to ticket %(number)s.") % {"number": ticket.number}
            )
        own_id = message_id_for(message)
        EmailMessage(
            subject, body, settings.SQM_MAIL_FROM, [ticket.customer.email], headers=_thread_headers(ticket, own_id)
        ).send()
        TicketMessage.objects.filter(pk=message.pk).update(emailed_at=timezone.now(), email_message_id=own_id)
    return True


def send_status(ticket_id: int) -> bool:
    """Tell the customer their ticket is closed."""
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id, status="closed").first()
    if ticket is None or not ticket.customer.email:
        return False
    with translation.override(_language(ticket)):
        subject = f"[{ticket.number}] " + _("Closed: %(subject)s") % {"subject": ticket.subject}
        body = _("Your ticket %(number)s has been closed. Thank you for contacting us.") % {"number": ticket.number}
    EmailMessage(subject, body, settings.SQM_MAIL_FROM, [ticket.customer.email]).send()
    return True
