"""``sqm mail-in``: take e-mail in as tickets, by SMTP and/or by polling an IMAP mailbox.

    sqm mail-in --smtp 127.0.0.1:2525
    sqm mail-in --imap-url imaps://user:password@host/INBOX --poll 60
    sqm mail-in --stdin < message.eml        (one mail, e.g. from an MTA pipe; exit 75 = try again)

The SMTP server answers 250 only after the mail and its ticket are committed (docs/operations.md).
The IMAP URL can also come from the environment variable SQM_IMAP_URL (keeps the password out of
the process list).
"""

from __future__ import annotations

import imaplib
import logging
import os
import signal
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sqm.tickets.mail.imap import ImapPoller, ImapSettings
from sqm.tickets.mail.smtp import MailServer, parse_address, take_in

log = logging.getLogger("sqm.mail")
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Receive e-mail as tickets: an SMTP server and/or an IMAP mailbox poller."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--smtp", metavar="HOST:PORT", help="listen for SMTP here, e.g. 127.0.0.1:2525")
        parser.add_argument(
            "--imap-url",
            default=os.environ.get("SQM_IMAP_URL", ""),
            help="poll this mailbox: imaps://user:password@host/INBOX[?move=Processed] (or set SQM_IMAP_URL)",
        )
        parser.add_argument("--poll", type=float, default=60, help="seconds between IMAP polls (default 60)")
        parser.add_argument("--once", action="store_true", help="poll the IMAP mailbox once and exit")
        parser.add_argument(
            "--domain",
            action="append",
            default=[],
            help="accept SMTP mail only for this recipient domain (repeatable; default: any)",
        )
        parser.add_argument("--workers", type=int, default=4, help="threads storing mail (default 4)")
        parser.add_argument("--stdin", action="store_true", help="take in one mail read from standard input")
        parser.add_argument("--sender", default=None, help="with --stdin: the envelope sender (MAIL FROM)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:  # aiosmtpd logs every SMTP command at INFO
            logging.getLogger("mail.log").setLevel(logging.WARNING)
        if options["stdin"]:
            self._stdin(options)
            return
        if not options["smtp"] and not options["imap_url"]:
            raise CommandError("give --smtp HOST:PORT and/or --imap-url URL (or SQM_IMAP_URL)")
        poller = self._poller(options["imap_url"])
        if poller is not None and options["once"]:
            try:
                result = poller.poll_once()
            except (imaplib.IMAP4.error, OSError) as exc:
                self.stderr.write(f"IMAP poll failed: {exc}")
                sys.exit(EX_TEMPFAIL)
            self.stdout.write(f"took in {result.taken} mails: {result.statuses}")
            if result.failed:
                sys.exit(EX_TEMPFAIL)
            return
        self._serve(options, poller)

    def _poller(self, url: str) -> ImapPoller | None:
        if not url:
            return None
        try:
            return ImapPoller(ImapSettings.from_url(url))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _serve(self, options: dict[str, Any], poller: ImapPoller | None) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        server = None
        if options["smtp"]:
            try:
                host, port = parse_address(options["smtp"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            server = MailServer(host, port, domains=tuple(options["domain"]), workers=max(1, options["workers"]))
            server.start()
            self.stdout.write(f"SQM mail-in: SMTP on {host}:{port}", ending="\n")
            self.stdout.flush()
        polling = None
        if poller is not None:
            polling = threading.Thread(target=poller.run, args=(stop, options["poll"]), name="imap-poll", daemon=True)
            polling.start()
            self.stdout.write(f"SQM mail-in: polling {poller.config.host}/{poller.config.mailbox}")
        while not stop.wait(0.5):
            pass
        if server is not None:
            server.drain_and_stop()
        if polling is not None:
            polling.join(timeout=60)
        self.stdout.write("SQM mail-in stopped")

    def _stdin(self, options: dict[str, Any]) -> None:
        raw = sys.stdin.buffer.read()
        try:
            inbound = take_in(raw, options["sender"])
        except Exception as exc:  # nothing stored: the MTA keeps the mail and tries again
            log.exception("mail not stored")
            self.stderr.write(f"mail not stored: {exc}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{inbound.status} {inbound.message_id}")
