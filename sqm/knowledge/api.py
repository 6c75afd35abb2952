"""REST endpoints of the knowledge base (``/api/kb``).

Readers (``KB_VIEW``) list, search and open published articles; writers (``KB_MANAGE``) also
see drafts and retired articles, create, change, publish and retire them. The capability is
checked before anything is looked up, so a role without it gets 403 for every id. Writes go
through :mod:`sqm.knowledge.services`, reads through :mod:`sqm.knowledge.selectors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.knowledge import selectors, services
from sqm.knowledge.models import Article, KbCategory
from sqm.knowledge.schemas import (
    ArticleCreateIn,
    ArticleDetailOut,
    ArticleFilters,
    ArticleListOut,
    ArticleOut,
    ArticlePatchIn,
    CategoryOut,
    SuggestionFilters,
)
from sqm.org.schemas import Id

router = Router()


def _require(request: HttpRequest, *caps: Cap) -> Any:
    """The calling user, if their role holds every one of ``caps``; otherwise 403."""
    actor = request.auth  # type: ignore[attr-defined]
    if not all(can(actor, cap) for cap in caps):
        raise PermissionDeniedError()
    return actor


def _article(actor: Any, article_id: int) -> Article:
    article = selectors.article_detail(actor, article_id)
    if article is None:
        raise Http404(_("Not found."))
    return article


def _category(category_id: int | None) -> KbCategory | None:
    if category_id is None:
        return None
    category = selectors.category_by_pk(category_id)
    if category is None:
        raise DomainError(_("There is no category with this id."), field="category_id", code="not_found")
    return category


def _ticket(actor: Any, ticket_id: int, field: str) -> Any:
    """A ticket named in a request, read for display through the ticket selectors."""
    _require_ticket_view(actor)
    from sqm.tickets.selectors import ticket_page  # a read only; the knowledge base never writes tickets

    ticket = ticket_page(ticket_id)
    if ticket is None:
        raise DomainError(_("There is no ticket with this id."), field=field, code="not_found")
    return ticket


def _require_ticket_view(actor: Any) -> None:
    if not can(actor, Cap.TICKET_VIEW):
        raise PermissionDeniedError()


@contextmanager
def _api_fields() -> Iterator[None]:
    """Name service errors after the request's fields (``category`` → ``category_id``)."""
    renames = {"category": "category_id", "source_ticket": "source_ticket_id"}
    try:
        yield
    except DomainError as exc:
        exc.errors = {renames.get(field, field): messages for field, messages in exc.errors.items()}
        raise


@router.get("/articles", response=ArticleListOut, summary="List and search articles")
def articles_list(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    """Published articles (writers: all), filtered; with ``q``, best matches first and a ``score``."""
    actor = _require(request, Cap.KB_VIEW)
    qs = selectors.articles(
        actor,
        selectors.ArticleFilters(
            q=filters.q,
            category_id=filters.category,
            kind=filters.kind or "",
            status=filters.status or "",
            language=filters.language or "",
        ),
    )
    return {"count": qs.count(), "items": list(qs[filters.offset : filters.offset + filters.limit])}


@router.post("/articles", response={201: ArticleDetailOut}, summary="Write an article")
def articles_create(request: HttpRequest, payload: ArticleCreateIn) -> Any:
    """Create a draft; with ``source_ticket_id``, a solved case written up from that ticket."""
    actor = _require(request, Cap.KB_MANAGE)
    common = {
        "actor": actor,
        "title": payload.title,
        "body": payload.body,
        "language": payload.language,
        "tags": payload.tags,
    }
    with _api_fields():
        category = _category(payload.category_id)
        if payload.source_ticket_id is not None:
            ticket = _ticket(actor, payload.source_ticket_id, "source_ticket_id")
            article = services.solved_case_create(ticket=ticket, category=category, **common)
        else:
            article = services.article_create(kind=payload.kind, category=category, **common)
    return Status(201, _article(actor, article.pk))


@router.get("/articles/{article_id}", response=ArticleDetailOut, summary="One article")
def articles_get(request: HttpRequest, article_id: Id) -> Any:
    """An article with its text; drafts and retired articles only for writers."""
    return _article(_require(request, Cap.KB_VIEW), article_id)


@router.patch("/articles/{article_id}", response=ArticleDetailOut, summary="Change an article")
def articles_patch(request: HttpRequest, article_id: Id, payload: ArticlePatchIn) -> Any:
    """Change the fields given; each change raises ``version``. Send ``version`` to refuse lost updates."""
    actor = _require(request, Cap.KB_MANAGE)
    article = _article(actor, article_id)
    data = payload.model_dump(exclude_unset=True)
    with _api_fields():
        if "category_id" in data:
            data["category"] = _category(data.pop("category_id"))
        services.article_update(actor=actor, article=article, **data)
    return _article(actor, article_id)


@router.post("/articles/{article_id}/publish", response=ArticleDetailOut, summary="Publish an article")
def articles_publish(request: HttpRequest, article_id: Id) -> Any:
    """Make the article visible to every reader. Publishing it again changes nothing."""
    actor = _require(request, Cap.KB_MANAGE)
    services.article_publish(actor=actor, article=_article(actor, article_id))
    return _article(actor, article_id)


@router.post("/articles/{article_id}/retire", response=ArticleDetailOut, summary="Retire an article")
def articles_retire(request: HttpRequest, article_id: Id) -> Any:
    """Take the article out of searches and suggestions. Retiring it again changes nothing."""
    actor = _require(request, Cap.KB_MANAGE)
    services.article_retire(actor=actor, article=_article(actor, article_id))
    return _article(actor, article_id)


@router.get("/categories", response=list[CategoryOut], summary="The category tree")
def categories_list(request: HttpRequest) -> Any:
    """Every category in display order, each with its ``depth`` in the tree."""
    _require(request, Cap.KB_VIEW)
    return selectors.categories()


@router.get("/suggestions", response=list[ArticleOut], summary="Articles that may answer a text or ticket")
def suggestions(request: HttpRequest, filters: Query[SuggestionFilters]) -> Any:
    """Published articles for ``text`` or for a ticket's subject and description, best first."""
    actor = _require(request, Cap.KB_VIEW)
    text = filters.text
    if filters.ticket_id is not None:
        ticket = _ticket(actor, filters.ticket_id, "ticket_id")
        text = f"{ticket.subject}\n{ticket.description}\n{text}"
    return selectors.suggest_for_text(text, filters.limit) if text.strip() else []
