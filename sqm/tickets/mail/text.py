"""Turning the bytes and headers of real-world mail into clean text.

Chinese mail is often labelled GB2312 while it holds GBK or GB18030 characters, sometimes
carries no charset at all, or a charset Python does not know. Decoding therefore tries UTF-8
first (legacy text almost never passes as valid UTF-8, so this catches mislabelled mail), then the
declared charset widened to its superset, then GB18030, and ends with UTF-8 with replacement
characters, so text is never lost to an exception.
"""

from __future__ import annotations

import codecs
import email.header
import re
from html.parser import HTMLParser

# Labels mail clients use for a charset whose real content is usually its superset.
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "iso-8859-1": "cp1252",
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().strip('"').lower()
    name = SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):  # unknown, or garbage such as a NUL in the label
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes as text: UTF-8, the declared charset, GB18030, then UTF-8 with replacement."""
    tried: list[str] = []
    for candidate in ("utf-8", _codec(charset), "gb18030"):
        if candidate is None or candidate in tried:
            continue
        tried.append(candidate)
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def clean(text: str) -> str:
    """Unix line ends, no control characters (NUL breaks databases), no trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def unescape_8bit(value: str) -> str:
    """A header value parsed from bytes, with raw 8-bit bytes (kept as surrogates) decoded as text."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    try:
        return decode_bytes(value.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")


def decode_header(raw: str) -> str:
    """A header value as text: RFC 2047 encoded words and raw 8-bit bytes, any charset."""
    if not raw:
        return ""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", raw)
    try:
        data = unfolded.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # already text (a header set by code, not parsed from bytes)
        data = None
    if data is not None and any(b > 127 for b in data):
        # Unencoded 8-bit header (old clients send GBK bytes as they are).
        unfolded = decode_bytes(data)
        return clean(unfolded).replace("\n", " ")
    try:
        parts = email.header.decode_header(unfolded)
    except (email.errors.HeaderParseError, ValueError, LookupError):
        return clean(unfolded).replace("\n", " ")
    pieces = []
    for value, charset in parts:
        if isinstance(value, bytes):
            pieces.append(decode_bytes(value, charset))
        else:
            pieces.append(value)
    return clean("".join(pieces)).replace("\n", " ")


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML document, one line per block."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote"}
        | {"pre", "section", "article", "header", "footer", "hr"}
    )
    HIDDEN = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail body (tags dropped, entities resolved, blocks on lines)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # pathological markup: keep what was read so far
        pass
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return clean(re.sub(r"\n{3,}", "\n\n", text))


# Lines that start the quoted history a mail client adds below a reply.
QUOTE_HEADS = re.compile(
    r"^(On .{3,200} wrote:"
    r"|在\s*.{3,200}\s*写道[:：]?"
    r"|-{2,}\s*(Original Message|原始邮件|原始郵件|Forwarded message|转发邮件)\s*-{2,}"
    r"|_{10,}"
    r"|(发件人|From)\s*[:：].+)$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """A reply without the quoted earlier mail below it; the whole text when nothing would remain."""
    kept: list[str] = []
    for line in text.split("\n"):
        if QUOTE_HEADS.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    trimmed = clean("\n".join(kept))
    return trimmed or text


REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|答复|回覆|转发|轉寄)\s*(\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE)


def strip_reply_prefix(subject: str) -> str:
    """``Re: Fwd: 回复：subject`` -> ``subject``."""
    return REPLY_PREFIX.sub("", subject).strip()
