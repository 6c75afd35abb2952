"""Checking and storing attachments: size- and type-limited, content sniffed, stored by hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError
from sqm.tickets.models import Attachment, TicketMessage, attachment_path

# extension -> (content type, leading bytes the file must start with, or None for text formats)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".zip": ("application/zip", (b"PK\x03\x04",)),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".log": ("text/plain", None),
    ".eml": ("message/rfc822", None),
}
MAX_FILES = 10


@dataclass(frozen=True)
class IncomingFile:
    """A file as it arrives from a form, the API or an e-mail, before it is checked."""

    name: str
    content: bytes


def max_bytes() -> int:
    return int(getattr(settings, "SQM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def check_files(files: list[IncomingFile], field: str = "attachments") -> list[tuple[IncomingFile, str]]:
    """Refuse the whole set if any file is too big, of a type not allowed, or not what it claims to be."""
    if len(files) > MAX_FILES:
        raise DomainError(_("Attach at most %(n)d files.") % {"n": MAX_FILES}, field=field, code="too_many")
    checked = []
    for incoming in files:
        printable = "".join(c for c in incoming.name if c.isprintable())
        name = PurePath(printable.replace("\\", "/")).name[:200] or "file"
        if len(incoming.content) > max_bytes():
            raise DomainError(
                _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": max_bytes() // (1024 * 1024)},
                field=field,
                code="too_large",
            )
        if not incoming.content:
            raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field=field, code="empty")
        suffix = PurePath(name).suffix.lower()
        if suffix not in ALLOWED:
            raise DomainError(
                _("“%(name)s”: this type of file is not accepted (allowed: %(types)s).")
                % {"name": name, "types": ", ".join(sorted(ALLOWED))},
                field=field,
                code="type",
            )
        content_type, magic = ALLOWED[suffix]
        if magic is not None and not incoming.content.startswith(magic):
            raise DomainError(
                _("“%(name)s” does not contain what its name says.") % {"name": name}, field=field, code="type"
            )
        if magic is None and b"\x00" in incoming.content[:4096]:
            raise DomainError(_("“%(name)s” is not a text file.") % {"name": name}, field=field, code="type")
        checked.append((IncomingFile(name=name, content=incoming.content), content_type))
    return checked


def store_files(message: TicketMessage, checked: list[tuple[IncomingFile, str]]) -> list[Attachment]:
    stored = []
    for incoming, content_type in checked:
        digest = hashlib.sha256(incoming.content).hexdigest()
        attachment = Attachment(
            message=message, name=incoming.name, content_type=content_type, size=len(incoming.content), sha256=digest
        )
        path = attachment_path(attachment, incoming.name)
        if default_storage.exists(path):  # same content already stored: files are kept by hash
            attachment.file.name = path
        else:
            attachment.file.save(incoming.name, ContentFile(incoming.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
