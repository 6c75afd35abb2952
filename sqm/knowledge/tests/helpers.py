"""Building knowledge-base rows for tests, through the services (so the search index is right)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqm.knowledge import services
from sqm.knowledge.models import Article, ArticleStatus, KbCategory


def category(
    actor: Any, code: str, name_zh: str = "", name_en: str = "", parent: KbCategory | None = None
) -> KbCategory:
    return services.kb_category_create(
        actor=actor, code=code, name_zh=name_zh or code, name_en=name_en or code, parent=parent
    )


def article(
    actor: Any,
    title: str,
    body: str = "正文。",
    *,
    tags: Sequence[str] = (),
    status: str = ArticleStatus.PUBLISHED,
    **kwargs: Any,
) -> Article:
    """An article in the given status (published by default)."""
    made = services.article_create(actor=actor, title=title, body=body, tags=tags, **kwargs)
    if status in (ArticleStatus.PUBLISHED, ArticleStatus.RETIRED):
        made = services.article_publish(actor=actor, article=made)
    if status == ArticleStatus.RETIRED:
        made = services.article_retire(actor=actor, article=made)
    return made
