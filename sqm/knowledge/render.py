"""Article text to safe HTML: paragraphs, lists, headings and links, everything else escaped.

Writers type plain text with a little structure. Blank lines separate paragraphs; lines that
start with "- " or "* " make a bulleted list, "1. " (any number) a numbered list; "# " and "## "
start headings; a single line break stays a line break; web addresses become links. Every
character the writer typed is escaped, so no markup of theirs ever reaches the page.
"""

from __future__ import annotations

import re

from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)、]\s*(.*)$")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")


def _inline(text: str) -> str:
    """One line, escaped, with its web addresses turned into links."""
    return urlize(text, nofollow=True, autoescape=True)


def _list_block(lines: list[str], pattern: re.Pattern[str], tag: str) -> str:
    items = []
    for line in lines:
        match = pattern.match(line)
        if match:
            items.append(_inline(match.group(1)))
        elif items:  # a continuation line belongs to the item above
            items[-1] += "<br>" + _inline(line.strip())
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def _block(lines: list[str]) -> str:
    heading = _HEADING.match(lines[0])
    if heading and len(lines) == 1:
        level = min(len(heading.group(1)) + 2, 5)  # "#" → h3: the page already has h1 and h2
        return f"<h{level}>{_inline(heading.group(2))}</h{level}>"
    if heading:
        return _block(lines[:1]) + _block(lines[1:])
    if _BULLET.match(lines[0]):
        return _list_block(lines, _BULLET, "ul")
    if _NUMBERED.match(lines[0]):
        return _list_block(lines, _NUMBERED, "ol")
    return "<p>" + "<br>".join(_inline(line.strip()) for line in lines) + "</p>"


def render_body(text: str) -> SafeString:
    """``text`` as HTML that is safe to put on a page."""
    blocks: list[list[str]] = [[]]
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    html = "\n".join(_block(lines) for lines in blocks if lines)
    return mark_safe(html)  # every piece of user text above went through urlize(autoescape=True)


def plain_excerpt(text: str, length: int = 160) -> str:
    """The start of an article's text as one line, without the structure marks, for lists."""
    words = []
    for line in (text or "").splitlines():
        line = line.strip()
        for pattern in (_HEADING, _BULLET, _NUMBERED):
            match = pattern.match(line)
            if match:
                line = match.groups()[-1]
                break
        if line:
            words.append(line)
    joined = " ".join(" ".join(words).split())
    return joined if len(joined) <= length else joined[: length - 1].rstrip() + "…"
