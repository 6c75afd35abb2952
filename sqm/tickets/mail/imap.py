"""Polling an IMAP mailbox with imaplib: fetch unseen mail, take it in, then mark it.

A message is marked seen (or moved) only after :func:`~sqm.tickets.mail.intake.receive` has
committed it, so a crash in between leaves it unseen and the next poll takes it in again; the
second time it is recorded as a duplicate. When the database cannot store a mail, the poll stops
and leaves the rest unseen for the next round.

URL form: ``imaps://user:password@host[:port]/MAILBOX[?move=Processed]``; ``imap://`` for plain
IMAP (``?starttls=1`` to upgrade). User and password are percent-decoded.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from sqm.tickets.mail.parse import header_block
from sqm.tickets.mail.smtp import max_bytes, take_in
from sqm.tickets.models import InboundEmail

log = logging.getLogger("sqm.mail")
BATCH = 200
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapClient(Protocol):
    """The part of :class:`imaplib.IMAP4` the poller uses (tests pass a stand-in)."""

    capabilities: tuple[str, ...]

    def login(self, user: str, password: str) -> Any: ...
    def select(self, mailbox: str = ..., readonly: bool = ...) -> Any: ...
    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]: ...
    def expunge(self) -> Any: ...
    def logout(self) -> Any: ...


@dataclass(frozen=True)
class ImapSettings:
    """Where and how to poll, read from an ``imap(s)://`` URL."""

    host: str
    port: int
    user: str
    password: str
    mailbox: str = "INBOX"
    ssl: bool = True
    starttls: bool = False
    move_to: str = ""

    @classmethod
    def from_url(cls, url: str) -> ImapSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise ValueError("the IMAP URL must look like imaps://user:password@host/INBOX")
        query = parse_qs(parts.query)
        secure = parts.scheme == "imaps"
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if secure else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
            ssl=secure,
            starttls=query.get("starttls", ["0"])[0] == "1",
            move_to=query.get("move", [""])[0],
        )


@dataclass
class PollResult:
    """What one poll did: how many mails were taken in, and whether it stopped early."""

    taken: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failed: bool = False


def quote(mailbox: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapPoller:
    """Takes in the unseen mail of one mailbox, each message marked only after it is committed."""

    def __init__(
        self,
        config: ImapSettings,
        *,
        connect: Callable[[ImapSettings], ImapClient] | None = None,
        intake: Callable[..., InboundEmail] = take_in,
    ) -> None:
        self.config = config
        self.connect = connect or _connect
        self.intake = intake

    def poll_once(self) -> PollResult:
        """One round: log in, take in up to 200 unseen messages, log out."""
        client = self.connect(self.config)
        result = PollResult()
        try:
            client.login(self.config.user, self.config.password)
            _ok(client.select(quote(self.config.mailbox)), "SELECT")
            data = _ok(client.uid("SEARCH", "UNSEEN"), "SEARCH")
            uids = (data[0] or b"").split() if data else []
            for uid in uids[:BATCH]:
                if not self._one(client, uid, result):
                    result.failed = True
                    break
            if self.config.move_to and result.taken:
                client.expunge()
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
        return result

    def _one(self, client: ImapClient, uid: bytes, result: PollResult) -> bool:
        size_data = _ok(client.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH")
        size = _size(size_data)
        refuse = ""
        if size is not None and size > max_bytes():
            # Only the header is fetched and kept; the whole message stays in the mailbox.
            raw = header_block(_fetch(client, uid, "BODY.PEEK[HEADER]")) + b"\r\n\r\n"
            refuse = f"message of {size} bytes is over the limit of {max_bytes()} bytes (left in the mailbox)"
        else:
            raw = _fetch(client, uid, "BODY.PEEK[]")
        try:
            inbound = self.intake(raw, refuse=refuse)
        except Exception:
            log.exception("IMAP message %s not stored; it stays unseen for the next poll", uid)
            return False
        result.taken += 1
        status = str(inbound.status)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        self._done(client, uid)
        return True

    def _done(self, client: ImapClient, uid: bytes) -> None:
        if not self.config.move_to:
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            return
        target = quote(self.config.move_to)
        if "MOVE" in getattr(client, "capabilities", ()):
            client.uid("MOVE", uid, target)
            return
        client.uid("COPY", uid, target)
        client.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)")

    def run(self, stop: threading.Event, interval: float) -> None:
        """Poll every ``interval`` seconds until ``stop`` is set; errors are logged, never fatal."""
        while not stop.is_set():
            try:
                result = self.poll_once()
                if result.taken:
                    log.info("IMAP poll took in %d mails: %s", result.taken, result.statuses)
            except (imaplib.IMAP4.error, OSError) as exc:
                log.warning("IMAP poll of %s failed: %s", self.config.host, exc)
            except Exception:  # keep polling whatever happened; the next round starts afresh
                log.exception("IMAP poll of %s failed", self.config.host)
            stop.wait(interval)


def _ok(response: tuple[str, list[Any]], command: str) -> list[Any]:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{command} failed: {data!r}")
    return data


def _size(data: list[Any]) -> int | None:
    for item in data:
        blob = item[0] if isinstance(item, tuple) else item
        found = SIZE.search(blob) if isinstance(blob, bytes) else None
        if found:
            return int(found.group(1))
    return None


def _fetch(client: ImapClient, uid: bytes, what: str) -> bytes:
    data = _ok(client.uid("FETCH", uid, f"({what})"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    raise imaplib.IMAP4.error(f"FETCH {uid!r} returned no message")


def _connect(config: ImapSettings) -> ImapClient:
    if config.ssl:
        return imaplib.IMAP4_SSL(config.host, config.port, ssl_context=ssl.create_default_context(), timeout=60)
    client = imaplib.IMAP4(config.host, config.port, timeout=60)
    if config.starttls:
        client.starttls(ssl_context=ssl.create_default_context())
    return client


__all__ = ["ImapPoller", "ImapSettings", "PollResult"]
