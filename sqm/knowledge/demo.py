"""Demo knowledge base: about sixty Chinese and fifteen English articles and solved cases of a
telecom and broadband service centre (billing, faults, plans, complaints, refunds, accounts).

Written through the services by the demo administrator, credited to the team leads who would
have written them; deterministic for a given seed. The texts live in :mod:`demo_content`.
"""

from __future__ import annotations

import random
from typing import Any

from sqm.knowledge import services
from sqm.knowledge.demo_content import ARTICLES, CATEGORIES
from sqm.knowledge.models import ArticleStatus, KbCategory


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Create the demo knowledge base; later loaders find it as ``shared["knowledge"]``. Returns a summary."""
    admin = shared["org"].admin
    authors = [team.lead for team in getattr(shared["org"], "teams", []) if team.lead is not None] or [admin]
    categories = _categories(admin)
    created = []
    for kind, category, language, title, tags, body, status in ARTICLES:
        article = services.article_create(
            actor=admin,
            kind=kind,
            title=title,
            body=body.strip(),
            language=language,
            category=categories[category],
            tags=tags,
            author=rng.choice(authors),
        )
        if status in (ArticleStatus.PUBLISHED, ArticleStatus.RETIRED):
            article = services.article_publish(actor=admin, article=article)
        if status == ArticleStatus.RETIRED:
            article = services.article_retire(actor=admin, article=article)
        created.append(article)
    shared["knowledge"] = created
    cases = sum(1 for a in created if a.kind == "case")
    english = sum(1 for a in created if a.language == "en")
    return (
        f"{len(categories)} categories, {len(created) - cases} articles and {cases} solved cases "
        f"({len(created) - english} in Chinese, {english} in English)"
    )


def _categories(admin: Any) -> dict[str, KbCategory]:
    made: dict[str, KbCategory] = {}
    for position, (code, parent, name_zh, name_en) in enumerate(CATEGORIES):
        made[code] = services.kb_category_create(
            actor=admin,
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            parent=made[parent] if parent else None,
            position=position,
        )
    return made
