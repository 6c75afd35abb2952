"""E-mail intake: one raw mail in; its InboundEmail row and its ticket work in one transaction.

Every channel of mail (SMTP server, IMAP poller, a pipe from the MTA) calls :func:`receive`. When
it returns, the mail is committed: the caller may then answer SMTP 250 or mark the IMAP message
seen. It raises only when nothing could be stored (database unreachable): the caller then answers
451 or leaves the message unseen, and the mail comes again. What happens to each mail:

* broken or oversized-header mail: ``quarantined`` with the reason, raw bytes kept;
* a Message-ID seen before: ``duplicate``, nothing else written;
* auto-replies, bounces, bulk mail, our own mail coming back: ``quarantined`` as automatic, no ticket;
* a reply to a ticket of the sender (In-Reply-To/References or ``T00000001`` in the subject):
  a customer message on that ticket; otherwise a new ticket for the customer with that address.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sqm.core.errors import DomainError
from sqm.org.services import customer_from_email
from sqm.tickets import services
from sqm.tickets.mail.parse import MailError, ParsedMail, best_effort_id, header_block, parse_mail
from sqm.tickets.mail.text import decode_header, strip_quoted, strip_reply_prefix
from sqm.tickets.models import (
    NUMBER_PATTERN,
    Channel,
    EventKind,
    InboundEmail,
    InboundStatus,
    MessageKind,
    Status,
    Ticket,
    TicketMessage,
    TicketType,
)
from sqm.tickets.services.attachments import MAX_FILES, IncomingFile, check_files
from sqm.tickets.services.common import audit, event, text_fingerprint

log = logging.getLogger("sqm.mail")
MAX_BODY = 20000
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class _Notes:
    """What the agents should know about how the mail was taken in (a system note on the ticket)."""

    skipped: list[tuple[str, str]]
    truncated: bool = False
    follow_up_of: Ticket | None = None

    def text(self) -> str:
        lines = []
        if self.follow_up_of is not None:
            lines.append(
                _("This e-mail answers ticket %(number)s, which is closed; it was opened as a new ticket.")
                % {"number": self.follow_up_of.number}
            )
        if self.skipped:
            lines.append(_("Attachments of the e-mail that were not accepted:"))
            lines.extend(f"- {name}: {reason}" for name, reason in self.skipped)
        if self.truncated:
            lines.append(_("The e-mail text was too long and was cut; the full mail is kept with the inbound e-mail."))
        return "\n".join(lines)


def receive(raw: bytes, *, envelope_sender: str | None = None) -> InboundEmail:
    """Take in one e-mail and return its committed :class:`InboundEmail` row.

    Raises only when the mail could not be stored at all, so the sender (or the IMAP poller)
    tries again; a second delivery of a stored mail is recorded as a duplicate.
    """
    try:
        parsed = parse_mail(raw, envelope_sender=envelope_sender)
    except MailError as exc:
        return quarantine(raw, str(exc))
    except Exception as exc:  # parsing is pure: any other failure is a mail we cannot read, not a retry
        log.exception("mail could not be read")
        return quarantine(raw, f"unreadable: {type(exc).__name__}: {exc}")
    try:
        inbound = _receive_parsed(parsed, raw)
    except Exception:
        stored = _already_stored(parsed.message_id)
        if stored is None:
            raise
        log.warning("mail %s is stored, but work after the commit failed", parsed.message_id, exc_info=True)
        return stored
    log.info(
        "mail %s from %s: %s%s",
        inbound.message_id,
        inbound.sender,
        inbound.status,
        f" ticket {inbound.ticket.number}" if inbound.ticket_id else f" ({inbound.error[:200]})",
    )
    return inbound


def _already_stored(message_id: str) -> InboundEmail | None:
    try:
        return InboundEmail.objects.filter(message_id=message_id).select_related("ticket").first()
    except Exception:  # the database is gone: the caller sees the first error
        return None


def _record(
    raw: bytes,
    message_id: str,
    status: str,
    *,
    sender: str = "",
    subject: str = "",
    error: str = "",
    ticket: Ticket | None = None,
) -> InboundEmail:
    return InboundEmail.objects.create(
        message_id=message_id,
        sender=sender[:255],
        subject=subject[:255],
        status=status,
        error=error,
        raw=raw,
        ticket=ticket,
        received_at=timezone.now(),
    )


def quarantine(raw: bytes, error: str) -> InboundEmail:
    """Keep a mail that cannot be taken in, with the reason (a second copy is a duplicate)."""
    message_id = best_effort_id(raw)
    head = header_block(raw)[:65536].decode("ascii", "surrogateescape")
    sender = re.search(r"^from:[ \t]*(.{0,500})$", head, re.I | re.M)
    subject = re.search(r"^subject:[ \t]*(.{0,500})$", head, re.I | re.M)
    with transaction.atomic():
        status = InboundStatus.DUPLICATE if _known(message_id) else InboundStatus.QUARANTINED
        inbound = _record(
            raw,
            message_id,
            status,
            sender=decode_header(sender.group(1)) if sender else "",
            subject=decode_header(subject.group(1)) if subject else "",
            error=error,
        )
    log.warning("mail %s quarantined: %s", message_id, error)
    return inbound


def _known(message_id: str) -> bool:
    return InboundEmail.objects.filter(message_id=message_id).exists()


def _receive_parsed(parsed: ParsedMail, raw: bytes) -> InboundEmail:
    fields = {"sender": parsed.sender, "subject": parsed.subject}
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        first = InboundEmail.objects.filter(message_id=parsed.message_id).order_by("pk").first()
        if first is not None:
            return _record(raw, parsed.message_id, InboundStatus.DUPLICATE, ticket=first.ticket, **fields)
        if parsed.automatic:
            error = f"automatic mail, no ticket made: {parsed.automatic}"
            return _record(
                raw, parsed.message_id, InboundStatus.QUARANTINED, error=error, ticket=_referenced(parsed), **fields
            )
        try:
            with transaction.atomic():
                return _take_in(parsed, raw)
        except DomainError as exc:  # e.g. the customer's account is closed: keep the mail for a person
            error = exc.as_text()
        except DatabaseError:
            raise  # nothing stored: the sender tries again
        except Exception as exc:  # a fault of ours that a retry would repeat: keep the mail for a person
            log.exception("mail %s could not be taken in", parsed.message_id)
            error = f"intake failed: {type(exc).__name__}: {exc}"
        return _record(raw, parsed.message_id, InboundStatus.QUARANTINED, error=error, **fields)


def _take_in(parsed: ParsedMail, raw: bytes) -> InboundEmail:
    fields = {"sender": parsed.sender, "subject": parsed.subject}
    accepted, skipped = _screen(parsed.attachments)
    notes = _Notes(skipped=skipped)
    ticket = _thread_ticket(parsed)
    if ticket is not None and ticket.status == Status.CLOSED:
        notes.follow_up_of, ticket = ticket, None
    if ticket is not None:
        if TicketMessage.objects.filter(email_message_id=parsed.message_id).exists():
            return _record(raw, parsed.message_id, InboundStatus.DUPLICATE, ticket=ticket, **fields)
        body, notes.truncated = _fit(strip_quoted(parsed.body) or _("(no text)"))
        services.ticket_customer_reply(
            actor=None, ticket=ticket, body=body, attachments=accepted, email_message_id=parsed.message_id
        )
    else:
        body, notes.truncated = _fit(parsed.body)
        subject = strip_reply_prefix(parsed.subject)[:200] or _("(no subject)")
        ticket, created = services.ticket_create(
            actor=None,
            customer=customer_from_email(actor=None, email=parsed.sender, display_name=parsed.sender_name),
            type=TicketType.CONSULTATION,
            subject=subject,
            channel=Channel.EMAIL,
            description=body,
            language="zh" if CJK.search(subject + body) else "en",
            attachments=accepted,
            email_message_id=parsed.message_id,
        )
        if not created:
            return _record(raw, parsed.message_id, InboundStatus.DUPLICATE, ticket=ticket, **fields)
    if notes.skipped or notes.truncated or notes.follow_up_of is not None:
        _system_note(ticket, notes.text())
    return _record(raw, parsed.message_id, InboundStatus.ACCEPTED, ticket=ticket, **fields)


def _screen(files: list[IncomingFile]) -> tuple[list[IncomingFile], list[tuple[str, str]]]:
    """The attachments that pass the checks, and the name and reason of each one that does not."""
    accepted: list[IncomingFile] = []
    skipped: list[tuple[str, str]] = []
    for incoming in files:
        if len(accepted) >= MAX_FILES:
            skipped.append((incoming.name, _("more than %(n)d files") % {"n": MAX_FILES}))
            continue
        try:
            check_files([incoming])
        except DomainError as exc:
            skipped.append((incoming.name, "; ".join(str(m) for msgs in exc.errors.values() for m in msgs)))
        else:
            accepted.append(incoming)
    return accepted, skipped


def _fit(body: str) -> tuple[str, bool]:
    body = body.strip()
    if len(body) <= MAX_BODY:
        return body, False
    return body[: MAX_BODY - 2].rstrip() + "\n…", True


def _referenced(parsed: ParsedMail) -> Ticket | None:
    """The ticket whose mail this one refers to, whoever sent it (for linking records only)."""
    if not parsed.references:
        return None
    found = (
        TicketMessage.objects.filter(email_message_id__in=parsed.references[:100])
        .select_related("ticket__customer")
        .order_by("-created_at")
        .first()
    )
    return found.ticket if found else None


def _thread_ticket(parsed: ParsedMail) -> Ticket | None:
    """The sender's ticket this mail answers: by In-Reply-To/References, else by number in the subject."""
    sender = parsed.sender.lower()
    if parsed.references:
        rank = {ref: i for i, ref in reversed(list(enumerate(parsed.references[:100])))}
        messages = TicketMessage.objects.filter(email_message_id__in=list(rank)).select_related("ticket__customer")
        for message in sorted(messages, key=lambda m: rank[m.email_message_id or ""]):
            if (message.ticket.customer.email or "").lower() == sender:
                return message.ticket
    for number in NUMBER_PATTERN.findall(parsed.subject):
        ticket = Ticket.objects.select_related("customer").filter(pk=int(number)).first()
        if ticket is not None and (ticket.customer.email or "").lower() == sender:
            return ticket
    return None


def _system_note(ticket: Ticket, body: str) -> TicketMessage:
    """A system message on the thread (e.g. which attachments were refused), with its event and audit."""
    message = TicketMessage.objects.create(
        ticket=ticket, kind=MessageKind.SYSTEM, author=None, body=body, created_at=timezone.now()
    )
    event(ticket, EventKind.NOTE, None, message=message.pk, source="email")
    audit(None, "note", ticket, {"note": {"before": None, "after": text_fingerprint(body)}})
    return message
