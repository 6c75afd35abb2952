"""Reads of the knowledge base: visible articles, ranked search, suggestions for a text.

Everyone who may read the knowledge base (``KB_VIEW``) sees published articles; writers
(``KB_MANAGE``) also see drafts and retired ones. Search ranks by how many of the query's tokens
an article matches, then by the summed weights of those matches (title > tags > body), then by
freshness; it is one aggregate query on the token table, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, IntegerField, QuerySet, Sum, Value, When

from sqm.core.roles import Cap, can
from sqm.knowledge import search
from sqm.knowledge.models import Article, ArticleStatus, ArticleToken, KbCategory

SUGGEST_KEYWORDS = 10  # the most telling tokens of a ticket's text that suggestions look for


@dataclass(frozen=True)
class ArticleFilters:
    """What an article list shows; empty values filter nothing."""

    q: str = ""
    category_id: int | None = None
    kind: str = ""
    status: str = ""  # only for writers; readers always get published articles
    language: str = ""


def may_manage(user: Any) -> bool:
    return can(user, Cap.KB_MANAGE)


def _base() -> QuerySet[Article]:
    return Article.objects.select_related("category", "author")


def visible_articles(user: Any) -> QuerySet[Article]:
    """Articles ``user`` may open: all for writers, published ones for readers, none otherwise."""
    if may_manage(user):
        return _base()
    if can(user, Cap.KB_VIEW):
        return _base().filter(status=ArticleStatus.PUBLISHED)
    return _base().none()


def categories(*, active: bool | None = None) -> list[KbCategory]:
    """The category tree flattened in display order; each node carries ``depth`` (0 at the roots)."""
    rows = list(KbCategory.objects.order_by("position", "code"))
    if active is not None:
        rows = [c for c in rows if c.is_active == active]
    children: dict[int | None, list[KbCategory]] = {}
    known = {c.pk for c in rows}
    for c in rows:
        children.setdefault(c.parent_id if c.parent_id in known else None, []).append(c)
    ordered: list[KbCategory] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            node.depth = depth  # type: ignore[attr-defined]
            ordered.append(node)
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


def category_by_pk(pk: int) -> KbCategory | None:
    return KbCategory.objects.filter(pk=pk).first()


def category_subtree_ids(category_id: int, tree: list[KbCategory] | None = None) -> set[int]:
    """The category and every category below it."""
    tree = tree if tree is not None else list(KbCategory.objects.only("pk", "parent_id"))
    below: dict[int | None, list[int]] = {}
    for c in tree:
        below.setdefault(c.parent_id, []).append(c.pk)
    found, todo = set(), [category_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(below.get(pk, []))
    return found


def articles(user: Any, filters: ArticleFilters, *, tree: list[KbCategory] | None = None) -> QuerySet[Article]:
    """Articles ``user`` may see, filtered; ranked by relevance when there is a query, else newest first.

    A query whose words are all stop words (or punctuation) matches nothing. Ranked rows carry
    ``hits`` (distinct query tokens matched) and ``score`` (their summed weights).
    """
    qs = visible_articles(user)
    if filters.category_id is not None:
        qs = qs.filter(category_id__in=category_subtree_ids(filters.category_id, tree))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.status and may_manage(user):
        qs = qs.filter(status=filters.status)
    if not filters.q.strip():
        return qs.order_by("-updated_at", "-pk")
    return rank(qs, search.query_tokens(filters.q))


def rank(qs: QuerySet[Article], tokens: list[str]) -> QuerySet[Article]:
    """``qs`` narrowed to articles with any of ``tokens``, best first."""
    if not tokens:
        return qs.none()
    return (
        qs.filter(tokens__token__in=tokens)
        .annotate(hits=Count("tokens"), score=Sum("tokens__weight"))
        .order_by("-hits", "-score", "-updated_at", "-pk")
    )


def article_detail(user: Any, pk: int) -> Article | None:
    """One article if ``user`` may see it, with category, author and source ticket loaded."""
    return visible_articles(user).select_related("category__parent", "source_ticket").filter(pk=pk).first()


def case_for_ticket(ticket_id: int) -> Article | None:
    """The solved case written from a ticket, if any (not retired)."""
    return (
        Article.objects.filter(source_ticket_id=ticket_id)
        .exclude(status=ArticleStatus.RETIRED)
        .only("pk", "title", "status")
        .first()
    )


def suggest_for_text(text: str, limit: int = 5) -> list[Article]:
    """Published articles that best answer ``text`` (e.g. a ticket's subject and description).

    TF-IDF over the knowledge base itself: the text's tokens are weighed by how often they occur
    in it and how rare they are among published articles (a word every article has says
    nothing); the ten most telling ones are looked up and each article scores the sum of
    keyword weight × its own token weight. Three queries, whatever the size of the text.
    """
    keywords = _keywords(text)
    if not keywords:
        return []
    weight = Case(
        *[When(tokens__token=token, then=Value(w)) for token, w in keywords.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return list(
        _base()
        .filter(status=ArticleStatus.PUBLISHED, tokens__token__in=list(keywords))
        .annotate(hits=Count("tokens"), score=Sum(F("tokens__weight") * weight))
        .order_by("-score", "-hits", "-updated_at", "-pk")[: max(1, min(limit, 20))]
    )


def _keywords(text: str) -> dict[str, int]:
    """The text's most telling tokens with integer TF-IDF weights (× 100)."""
    counts = search.term_counts(text[:20_000])
    if not counts:
        return {}
    published = ArticleToken.objects.filter(article__status=ArticleStatus.PUBLISHED)
    frequency = dict(
        published.filter(token__in=list(counts))
        .values("token")
        .annotate(df=Count("article"))
        .values_list("token", "df")
    )
    if not frequency:
        return {}
    total = Article.objects.filter(status=ArticleStatus.PUBLISHED).count()
    scored = {token: (1 + math.log(counts[token])) * math.log(1 + total / df) for token, df in frequency.items() if df}
    best = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:SUGGEST_KEYWORDS]
    return {token: max(1, round(score * 100)) for token, score in best}
