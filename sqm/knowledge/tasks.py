"""Background work of the knowledge base.

Tasks here take ids, are idempotent, and are registered in sqm/schedule.py.
"""

from __future__ import annotations

import logging

from sqm.knowledge.services import articles_reindex

logger = logging.getLogger("sqm.knowledge")


def reindex(article_ids: list[int] | None = None) -> int:
    """Rebuild the search tokens of the given articles (all when None), e.g. after the domain
    dictionary or the stop words changed. The articles themselves stay as they are."""
    count = articles_reindex(article_ids=article_ids)
    logger.info("knowledge base: search tokens rebuilt for %d articles", count)
    return count
