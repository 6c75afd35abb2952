"""Request and response shapes of the knowledge-base API (``/api/kb``).

Inputs forbid unknown fields and bound every length, so a bad request gets 422 naming the field
before any service runs. PATCH tells "omitted" (keep) from ``null``, which only ``category_id``
accepts (it clears the category).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from sqm.knowledge.models import ArticleKind, ArticleLanguage, ArticleStatus
from sqm.knowledge.render import plain_excerpt
from sqm.knowledge.services import MAX_BODY, MAX_TAG_LENGTH, MAX_TAGS, MAX_TITLE
from sqm.org.schemas import Id, InputSchema, bounds, omittable

Title = Annotated[str, bounds(MAX_TITLE, min_length=1)]
Body = Annotated[str, bounds(MAX_BODY, min_length=1)]
Tag = Annotated[str, bounds(MAX_TAG_LENGTH, min_length=1)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS)]


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_zh: str
    name_en: str
    parent_id: int | None
    depth: int = 0
    is_active: bool


class CategoryRef(Schema):
    id: int
    code: str
    name: str


class AuthorRef(Schema):
    id: int
    display_name: str


class ArticleOut(Schema):
    id: int
    kind: ArticleKind
    title: str
    language: ArticleLanguage
    status: ArticleStatus
    category: CategoryRef | None
    tags: list[str]
    author: AuthorRef
    version: int
    source_ticket_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None
    excerpt: str
    score: int | None = Field(default=None, description="Relevance to the query (only when searching).")

    @staticmethod
    def resolve_excerpt(obj: Any) -> str:
        return plain_excerpt(obj.body)

    @staticmethod
    def resolve_score(obj: Any) -> int | None:
        return getattr(obj, "score", None)


class ArticleDetailOut(ArticleOut):
    body: str


class ArticleListOut(Schema):
    count: int
    items: list[ArticleOut]


class ArticleFilters(InputSchema):
    q: Annotated[str, bounds(200)] = Field(default="", description="Words in Chinese or English; ranks results.")
    category: Id | None = Field(default=None, description="Category id; its sub-categories are included.")
    kind: ArticleKind | None = None
    status: ArticleStatus | None = Field(default=None, description="Writers only; readers see published articles.")
    language: ArticleLanguage | None = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ArticleCreateIn(InputSchema):
    kind: ArticleKind = ArticleKind.ARTICLE
    title: Title
    body: Body
    language: ArticleLanguage = ArticleLanguage.ZH
    category_id: Id | None = None
    tags: Tags = Field(default_factory=list)
    source_ticket_id: Id | None = Field(
        default=None, description="Write up this ticket as a solved case (needs the right to read tickets)."
    )


class ArticlePatchIn(InputSchema):
    kind: ArticleKind = omittable()
    title: Title = omittable()
    body: Body = omittable()
    language: ArticleLanguage = omittable()
    category_id: Id | None = Field(default=None, description="null takes the article out of its category.")
    tags: Tags = omittable()
    version: Id = omittable()  # the version the change is based on; a newer one saved meanwhile → 400


class SuggestionFilters(InputSchema):
    text: Annotated[str, bounds(4000)] = Field(default="", description="Text to find answers for.")
    ticket_id: Id | None = Field(default=None, description="Suggest for this ticket (needs the right to read tickets).")
    limit: int = Field(default=5, ge=1, le=20)
