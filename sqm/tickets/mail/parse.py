"""Reading one raw e-mail into what intake needs, and refusing what cannot be read safely.

:func:`parse_mail` never writes anything. It raises :class:`MailError` for mail that must go to
quarantine (broken MIME, headers over the limits, no usable sender); everything else comes back
as a :class:`ParsedMail`, with text decoded whatever the charset (see :mod:`.text`).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from sqm.tickets.mail.text import clean, decode_bytes, decode_header, html_to_text, unescape_8bit
from sqm.tickets.services.attachments import IncomingFile

# MIME damage that leaves no trustworthy structure: the mail goes to quarantine.
FATAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
)
AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "noreply-dsn")
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
ID_PATTERN = re.compile(r"<[^<>\s]{1,998}>")
MAX_ID_LENGTH = 250
MIME_FIELD = re.compile(rb"^content-[a-z0-9-]*:", re.I)
# The email package parses Content-* fields slowly (tens of microseconds a byte); these bounds
# keep a hostile mail to a few seconds of parsing.
MAX_MIME_FIELD_BYTES = 4096
MAX_MIME_HEADER_BYTES = 128 * 1024


def max_header_bytes() -> int:
    return int(getattr(settings, "SQM_MAIL_MAX_HEADER_BYTES", 256 * 1024))


def max_header_fields() -> int:
    return int(getattr(settings, "SQM_MAIL_MAX_HEADER_FIELDS", 1000))


def max_parts() -> int:
    return int(getattr(settings, "SQM_MAIL_MAX_PARTS", 200))


class MailError(Exception):
    """The mail cannot be taken in as it is; it is kept in quarantine with this reason."""


@dataclass
class ParsedMail:
    """What intake needs from one e-mail, already decoded."""

    message_id: str
    sender: str
    sender_name: str = ""
    subject: str = ""
    body: str = ""
    attachments: list[IncomingFile] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    automatic: str = ""


# --- Message-IDs -------------------------------------------------------------------------------


def synthetic_id(raw: bytes) -> str:
    """A stable Message-ID for mail that has none: the same bytes always give the same id."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()[:48]}@message-id.invalid>"


def normalize_id(value: str) -> str:
    """``<id@host>`` in angle brackets, at most 250 characters (longer ids are hashed, stably)."""
    value = value.strip()
    found = ID_PATTERN.search(value)
    if found:
        value = found.group(0)
    else:
        token = value.split()[0] if value.split() else ""
        value = f"<{token.strip('<>')}>" if token.strip("<>") else ""
    if len(value) > MAX_ID_LENGTH:
        value = f"<long.{hashlib.sha256(value.encode('utf-8', 'surrogateescape')).hexdigest()[:48]}@message-id.invalid>"
    return "".join(c for c in value if 32 < ord(c) < 127)  # printable ASCII only (no NUL for the database)


def ids_in(value: str) -> list[str]:
    """Every Message-ID in an In-Reply-To or References header, normalized."""
    return [normalize_id(found) for found in ID_PATTERN.findall(value or "")]


def header_block(raw: bytes) -> bytes:
    """The bytes of the top-level header block (everything before the first blank line)."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return raw[: min(ends)] if ends else raw


def best_effort_id(raw: bytes) -> str:
    """The Message-ID of a mail that may not parse at all, or a synthetic one."""
    found = re.search(rb"^message-id:[ \t]*(.{1,1000})$", header_block(raw)[: max_header_bytes()], re.I | re.M)
    if found:
        value = normalize_id(found.group(1).decode("ascii", "ignore"))
        if value:
            return value
    return synthetic_id(raw)


# --- limits and structure ----------------------------------------------------------------------


def check_header_limits(raw: bytes) -> None:
    """Refuse header blocks that are too big or have too many fields, before any parsing."""
    block = header_block(raw)
    if len(block) > max_header_bytes():
        raise MailError(f"header block of {len(block)} bytes is over the limit of {max_header_bytes()} bytes")
    fields = sum(1 for line in block.splitlines() if line and line[:1] not in (b" ", b"\t"))
    if fields > max_header_fields():
        raise MailError(f"{fields} header fields are over the limit of {max_header_fields()}")


def check_mime_headers(raw: bytes) -> None:
    """Refuse Content-* header fields (of any part) that are too long, or too many in all."""
    total = current = 0
    inside = False
    for line in raw.splitlines():
        if inside and line[:1] in (b" ", b"\t"):
            current += len(line)
        else:
            inside = bool(MIME_FIELD.match(line))
            current = len(line) if inside else 0
        if inside:
            total += len(line)
            if current > MAX_MIME_FIELD_BYTES:
                raise MailError(f"a Content-* header field is longer than {MAX_MIME_FIELD_BYTES} bytes")
            if total > MAX_MIME_HEADER_BYTES:
                raise MailError(f"the Content-* header fields of the parts exceed {MAX_MIME_HEADER_BYTES} bytes")


def _raw_headers(msg: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.strip().lower(), []).append(str(value))
    return headers


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


def _check_structure(msg: Message) -> None:
    for count, part in enumerate(msg.walk(), start=1):
        if count > max_parts():
            raise MailError(f"more than {max_parts()} MIME parts")
        for defect in part.defects:
            if isinstance(defect, FATAL_DEFECTS):
                raise MailError(f"broken MIME structure: {type(defect).__name__} ({defect})")


# --- sender, automatic mail ----------------------------------------------------------------------


def _valid_address(address: str) -> bool:
    if not address.isprintable() or len(address) > 254:
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _sender(raw_from: str, envelope_sender: str | None) -> tuple[str, str]:
    raw_from = unescape_8bit(raw_from)  # an SMTPUTF8 address or a raw GBK name
    candidates: list[tuple[str, str]] = []
    try:
        candidates = [(name, addr) for name, addr in getaddresses([raw_from]) if "@" in addr]
    except (ValueError, IndexError, TypeError):
        candidates = []
    if not candidates:
        found = re.search(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+", raw_from)
        if found:
            candidates = [("", found.group(0))]
    for name, addr in candidates:
        addr = addr.strip().strip("<>")
        if _valid_address(addr):
            local, _at, domain = addr.rpartition("@")
            return f"{local}@{domain.lower()}", decode_header(name)[:100]
    if envelope_sender and _valid_address(envelope_sender):
        return envelope_sender, ""
    raise MailError("no valid sender address in From")


def _own_address() -> str:
    found = getaddresses([settings.SQM_MAIL_FROM])
    return found[0][1].lower() if found else ""


def automatic_reason(headers: dict[str, list[str]], sender: str, envelope_sender: str | None, ctype: str) -> str:
    """Why this mail was sent by a machine (auto-reply, bounce, bulk), or ``""`` for a person."""
    auto = _first(headers, "auto-submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:60]}"
    precedence = _first(headers, "precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponse"):
        if name in headers:
            return f"{name}: {_first(headers, name).strip()[:60]}"
    if envelope_sender == "" or envelope_sender == "<>":
        return "empty envelope sender (bounce)"
    if sender.split("@")[0].lower() in AUTOMATIC_SENDERS:
        return f"sender {sender}"
    if ctype == "multipart/report":
        return "delivery or read report (multipart/report)"
    if sender.lower() == _own_address():
        return "sent by SQM itself (mail loop)"
    own_id = _first(headers, "message-id").strip()
    if own_id.startswith("<sqm-") and own_id.endswith(f"@{settings.SQM_MAIL_DOMAIN}>"):
        return "SQM's own outgoing mail came back (mail loop)"
    return ""


# --- body and attachments ------------------------------------------------------------------------


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, LookupError, TypeError, IndexError, email_errors.HeaderParseError):
        name = ""
    name = str(name)
    if "=?" in name or any("\udc80" <= c <= "\udcff" for c in name):  # encoded words or raw 8-bit bytes
        name = decode_header(name)
    return clean(name).replace("\n", " ").replace("/", "_").replace("\\", "_").strip()


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    return b""


def _text_of(part: Message, data: bytes) -> str:
    try:
        charset = part.get_content_charset()
    except (ValueError, LookupError, TypeError):
        charset = None
    return decode_bytes(data, charset)


def _read_parts(msg: Message) -> tuple[list[str], list[str], list[IncomingFile]]:
    plain: list[str] = []
    html: list[str] = []
    files: list[IncomingFile] = []
    for index, part in enumerate(msg.walk()):
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        try:
            disposition = part.get_content_disposition()
        except (ValueError, LookupError, TypeError, email_errors.HeaderParseError):
            disposition = None
        name = _filename(part)
        data = _payload(part)
        if ctype in ("text/plain", "text/html") and not name and disposition != "attachment":
            (plain if ctype == "text/plain" else html).append(_text_of(part, data))
            continue
        if not name:
            name = f"attachment-{index}{mimetypes.guess_extension(ctype) or '.bin'}"
        files.append(IncomingFile(name=name, content=data))
    return plain, html, files


def _body(plain: list[str], html: list[str]) -> str:
    texts = [clean(t) for t in plain if t.strip()]
    if texts:
        return "\n\n".join(texts)
    return html_to_text("\n".join(html))


# --- the whole mail ------------------------------------------------------------------------------


def _parse_bytes(raw: bytes) -> Message:
    try:
        return BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the email package is lenient; anything it still cannot read is quarantined
        raise MailError(f"unreadable message: {type(exc).__name__}: {exc}") from exc


def parse_mail(raw: bytes, *, envelope_sender: str | None = None) -> ParsedMail:
    """Everything intake needs from ``raw``; :class:`MailError` when it must be quarantined."""
    if not raw.strip():
        raise MailError("empty message")
    check_header_limits(raw)
    check_mime_headers(raw)
    msg = _parse_bytes(raw)
    _check_structure(msg)
    headers = _raw_headers(msg)
    message_id = normalize_id(_first(headers, "message-id")) or synthetic_id(raw)
    sender, sender_name = _sender(_first(headers, "from"), envelope_sender)
    try:
        ctype = msg.get_content_type()
        plain, html, files = _read_parts(msg)
    except MailError:
        raise
    except Exception as exc:  # a part the email package cannot decode: quarantine, keep the raw
        raise MailError(f"unreadable MIME part: {type(exc).__name__}: {exc}") from exc
    references = ids_in(" ".join(headers.get("in-reply-to", [])))
    for ref in reversed(ids_in(" ".join(headers.get("references", [])))):
        if ref not in references:
            references.append(ref)
    return ParsedMail(
        message_id=message_id,
        sender=sender,
        sender_name=sender_name,
        subject=decode_header(_first(headers, "subject")),
        body=_body(plain, html),
        attachments=files,
        references=references,
        automatic=automatic_reason(headers, sender, envelope_sender, ctype),
    )


__all__ = ["MailError", "ParsedMail", "best_effort_id", "parse_mail", "synthetic_id"]
