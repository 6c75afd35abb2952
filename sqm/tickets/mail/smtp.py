"""The SMTP server of ``sqm mail-in``: answers 250 only once the mail is committed.

aiosmtpd speaks SMTP on an asyncio loop in its own thread; each mail's DATA is handed to
:func:`sqm.tickets.mail.intake.receive` in a small thread pool (Django's database access is
synchronous), and the reply waits for it:

* 250 after the InboundEmail row and the ticket work are committed (also for quarantined mail);
* 451 when nothing could be stored (e.g. the database is down), so the sender tries again later;
* 552 (by aiosmtpd) when the message is bigger than ``SQM_MAIL_MAX_BYTES``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connections

from sqm.tickets.mail.intake import quarantine, receive
from sqm.tickets.models import InboundEmail

log = logging.getLogger("sqm.mail")


def max_bytes() -> int:
    return int(getattr(settings, "SQM_MAIL_MAX_BYTES", 25 * 1024 * 1024))


def take_in(raw: bytes, envelope_sender: str | None = None, *, refuse: str = "") -> InboundEmail:
    """:func:`receive` on a worker thread, with a fresh database connection closed afterwards.

    With ``refuse``, the mail is not read but kept in quarantine with that reason.
    """
    close_old_connections()
    try:
        return quarantine(raw, refuse) if refuse else receive(raw, envelope_sender=envelope_sender)
    finally:
        connections.close_all()


class LenientSMTP(SMTP):
    """aiosmtpd's SMTP, accepting lines longer than RFC 5321's 1000 octets.

    Real mail clients send longer lines (HTML on one line, long folded headers); refusing them
    would bounce customers' mail. Size stays bounded by ``data_size_limit``.
    """

    line_length_limit = 256 * 1024


class IntakeHandler:
    """aiosmtpd handler: every accepted DATA goes through intake before the reply."""

    def __init__(self, *, workers: int = 4, domains: tuple[str, ...] = ()) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mail-intake")
        self.domains = tuple(d.lower().lstrip("@") for d in domains)
        self._busy = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        """Mails being stored right now (a stopping server waits for them)."""
        with self._lock:
            return self._busy

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.domains and address.rpartition("@")[2].lower() not in self.domains:
            return "550 5.1.1 Not a mailbox of this service centre"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not raw:
            raw = envelope.content
        with self._lock:
            self._busy += 1
        try:
            loop = asyncio.get_running_loop()
            inbound = await loop.run_in_executor(self.executor, take_in, raw, envelope.mail_from)
        except Exception:
            log.exception("mail from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Mail not stored; please try again later"
        finally:
            with self._lock:
                self._busy -= 1
        number = inbound.ticket.number if inbound.ticket_id else ""
        return f"250 2.0.0 Stored ({inbound.status}{' ' + number if number else ''})"

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class MailServer(Controller):
    """A running SMTP intake server on ``host:port`` (in a thread; ``start()`` / ``stop()``)."""

    def __init__(self, host: str, port: int, *, domains: tuple[str, ...] = (), workers: int = 4) -> None:
        self.intake = IntakeHandler(workers=workers, domains=domains)
        super().__init__(
            self.intake,
            hostname=host,
            port=port,
            server_hostname=settings.SQM_MAIL_DOMAIN,  # also avoids a slow reverse-DNS lookup
            ident="SQM mail-in",
            data_size_limit=max_bytes(),
            enable_SMTPUTF8=True,
            decode_data=False,
            timeout=120,
        )

    def factory(self) -> SMTP:
        return LenientSMTP(self.handler, **self.SMTP_kwargs)

    def drain_and_stop(self, timeout: float = 30) -> None:
        """Stop, letting the mails being stored finish first (so they get their 250)."""
        deadline = time.monotonic() + timeout
        if self.server is not None:
            self.loop.call_soon_threadsafe(self.server.close)  # no new connections
        while self.intake.busy and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)  # let the 250 replies reach the wire
        self.stop()
        self.intake.close()


def parse_address(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:2525`` for IPv6) as a tuple; the port defaults to 25."""
    value = value.strip()
    if value.startswith("["):
        host, _sep, rest = value[1:].partition("]")
        port = rest.lstrip(":") or "25"
    elif value.count(":") == 1:
        host, port = value.split(":")
    elif ":" in value:
        raise ValueError("write an IPv6 address in brackets, e.g. [::1]:2525")
    else:
        host, port = value, "25"
    host = host or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"not a port number: {port!r}") from None
    if not 0 < number < 65536:
        raise ValueError(f"port out of range: {number}")
    return host, number


__all__ = ["IntakeHandler", "MailServer", "parse_address", "take_in"]
