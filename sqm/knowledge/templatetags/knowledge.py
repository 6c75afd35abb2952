"""Template filters of the knowledge base: ``{{ article.body|kb_body }}`` and ``|kb_excerpt``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from sqm.knowledge.render import plain_excerpt, render_body

register = template.Library()


@register.filter
def kb_body(text: str) -> SafeString:
    """Article text as safe HTML (see :mod:`sqm.knowledge.render`)."""
    return render_body(text)


@register.filter
def kb_excerpt(text: str, length: int = 160) -> str:
    """The start of an article's text as one plain line (escaped by the template as usual)."""
    return plain_excerpt(text, int(length))
