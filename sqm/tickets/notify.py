"""Outbound e-mail to customers: agent replies and closure notices, threaded by Message-ID.

Each mail carries the ticket number in its subject (``[T00000012] …``), its own Message-ID and
In-Reply-To/References pointing at the thread's earlier mail, so the customer's answer comes back
to the same ticket through ``sqm mail-in`` (matched by In-Reply-To, else by the number).

Sending is at-least-once: the reply is marked as mailed after the SMTP server accepted it, and no
database lock is held while talking to the SMTP server. A worker that dies between the two sends
it again with the same Message-ID, which mail clients show once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sqm.tickets.models import Attachment, MessageKind, Status, Ticket, TicketMessage

SYNTHETIC_ID_DOMAIN = "@message-id.invalid>"  # ids made up for mail that had none (mail.parse)
MAX_REFERENCES = 20


def message_id_for(message: TicketMessage) -> str:
    """The Message-ID of the mail that carries ``message`` (stable: a resend has the same id)."""
    return f"<sqm-{message.ticket_id}-{message.pk}@{settings.SQM_MAIL_DOMAIN}>"


def closure_id_for(ticket: Ticket) -> str:
    """The Message-ID of a ticket's closure notice (one per closing)."""
    stamp = int(ticket.closed_at.timestamp()) if ticket.closed_at else 0
    return f"<sqm-{ticket.pk}-closed-{stamp}@{settings.SQM_MAIL_DOMAIN}>"


def _language(ticket: Ticket) -> str:
    return ticket.customer.language or ("en" if ticket.language == "en" else settings.LANGUAGE_CODE)


def _thread_headers(ticket: Ticket, own_id: str) -> dict[str, str]:
    """Message-ID, and In-Reply-To/References: the thread's first mail and its latest ones."""
    ids = [
        ref
        for ref in TicketMessage.objects.filter(ticket=ticket, email_message_id__isnull=False)
        .exclude(email_message_id=own_id)
        .order_by("created_at", "pk")
        .values_list("email_message_id", flat=True)
        if ref and not ref.endswith(SYNTHETIC_ID_DOMAIN)
    ]
    headers = {"Message-ID": own_id}
    if ids:
        references = ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
        headers["In-Reply-To"] = ids[-1]
        headers["References"] = " ".join(references)
    return headers


def _footer(ticket: Ticket) -> str:
    return "\n\n-- \n" + _("Reply to this e-mail to add to ticket %(number)s.") % {"number": ticket.number}


def _attach(mail: EmailMessage, attachments: list[Attachment]) -> list[str]:
    """Attach the reply's files while they fit in the mail size limit; returns the names left out."""
    budget = int(getattr(settings, "SQM_MAIL_MAX_BYTES", 25 * 1024 * 1024)) // 2
    left_out = []
    for attachment in attachments:
        if attachment.size > budget:
            left_out.append(attachment.name)
            continue
        with attachment.file.open("rb") as handle:
            mail.attach(attachment.name, handle.read(), attachment.content_type)
        budget -= attachment.size
    return left_out


def send_reply(message_id: int) -> bool:
    """Mail one agent reply to the customer; a reply already mailed is not mailed again."""
    message = (
        TicketMessage.objects.select_related("ticket__customer")
        .prefetch_related("attachments")
        .filter(pk=message_id, kind=MessageKind.REPLY, emailed_at__isnull=True)
        .first()
    )
    if message is None or not message.ticket.customer.email:
        return False
    ticket = message.ticket
    own_id = message_id_for(message)
    mail = EmailMessage(
        from_email=settings.SQM_MAIL_FROM, to=[ticket.customer.email], headers=_thread_headers(ticket, own_id)
    )
    left_out = _attach(mail, list(message.attachments.all()))
    with translation.override(_language(ticket)):
        mail.subject = f"[{ticket.number}] {ticket.subject}"
        mail.body = message.body
        if left_out:
            mail.body += "\n\n" + _("Files too large for e-mail (see the ticket online): %(names)s") % {
                "names": ", ".join(left_out)
            }
        mail.body += _footer(ticket)
    mail.send()
    TicketMessage.objects.filter(pk=message.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now(), email_message_id=own_id
    )
    return True


def send_status(ticket_id: int) -> bool:
    """Tell the customer their ticket is closed (an automatic mail, threaded with the rest)."""
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id, status=Status.CLOSED).first()
    if ticket is None or not ticket.customer.email:
        return False
    headers = {**_thread_headers(ticket, closure_id_for(ticket)), "Auto-Submitted": "auto-generated"}
    with translation.override(_language(ticket)):
        subject = f"[{ticket.number}] " + _("Closed: %(subject)s") % {"subject": ticket.subject}
        body = _("Your ticket %(number)s has been closed. Thank you for contacting us.") % {"number": ticket.number}
        body += "\n\n-- \n" + _("If you write back, we open a new ticket that refers to %(number)s.") % {
            "number": ticket.number
        }
    EmailMessage(subject, body, settings.SQM_MAIL_FROM, [ticket.customer.email], headers=headers).send()
    return True
