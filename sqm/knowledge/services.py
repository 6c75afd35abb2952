"""Writes to the knowledge base: categories, articles, solved cases, and their search index.

Every function checks the actor's capability (``KB_MANAGE``), validates, saves, refreshes the
article's search tokens and appends the change to the audit chain, all in one transaction.
Broken rules raise :class:`DomainError` naming the field; nothing is stored then.

Solved cases may come from a ticket (:func:`solved_case_create`); the ticket object is passed
in, so this module never imports the ticket code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, jsonable, snapshot
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.core.validation import check_choice, clean_text
from sqm.knowledge import search
from sqm.knowledge.models import Article, ArticleKind, ArticleLanguage, ArticleStatus, ArticleToken, KbCategory

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_TAGS = 12
MAX_TAG_LENGTH = 30
CATEGORY_FIELDS = ("parent", "code", "name_zh", "name_en", "position", "is_active")
CATEGORY_CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]{0,39}$", _("Use 1–40 lower-case letters, digits, dots, hyphens or underscores.")
)
_UNSET: Any = ...


def _require(actor: Any, *caps: Cap) -> None:
    if not all(can(actor, cap) for cap in caps):
        raise PermissionDeniedError()


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, without repeats (ignoring case), at most 12 of at most 30 characters."""
    result: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        if not isinstance(raw, str):
            raise DomainError(_("Tags must be text."), field="tags")
        tag = " ".join(raw.split())
        if not tag or tag.lower() in seen:
            continue
        if len(tag) > MAX_TAG_LENGTH or "," in tag or "\x00" in tag:
            raise DomainError(
                _("A tag has at most %(max)d characters and no commas: “%(tag)s”.")
                % {"max": MAX_TAG_LENGTH, "tag": tag[:40]},
                field="tags",
            )
        seen.add(tag.lower())
        result.append(tag)
    if len(result) > MAX_TAGS:
        raise DomainError(_("Give at most %(max)d tags.") % {"max": MAX_TAGS}, field="tags")
    return result


def _check_category(category: KbCategory | None, *, changed: bool = True) -> None:
    """A newly chosen category must exist and be in use (read from the database, not the caller's copy)."""
    if category is None or not changed:
        return
    if not KbCategory.objects.filter(pk=category.pk, is_active=True).exists():
        raise DomainError(_("This category is no longer in use."), field="category")


def _audit_state(article: Article) -> dict[str, Any]:
    """The audited fields; the body as its length and SHA-256, so the chain proves it without copying it."""
    state = snapshot(article, ("kind", "title", "language", "category", "status", "author", "source_ticket", "version"))
    state["tags"] = jsonable(list(article.tags))
    digest = hashlib.sha256(article.body.encode()).hexdigest()
    state["body"] = f"sha256:{digest} ({len(article.body)} chars)"
    return state


def _index(article: Article) -> None:
    """Replace the article's search tokens with those of its current title, tags and body."""
    weights = search.index_weights(title=article.title, tags=article.tags, body=article.body)
    ArticleToken.objects.filter(article=article).delete()
    ArticleToken.objects.bulk_create(
        [ArticleToken(article=article, token=token, weight=min(weight, 32767)) for token, weight in weights.items()]
    )


# --- categories ---------------------------------------------------------------------------------


@transaction.atomic
def kb_category_create(
    *,
    actor: Any,
    code: str,
    name_zh: str,
    name_en: str,
    parent: KbCategory | None = None,
    position: int = 0,
) -> KbCategory:
    """Add a category to the knowledge base's tree."""
    _require(actor, Cap.KB_MANAGE)
    code = clean_text(code, "code", 40)
    try:
        CATEGORY_CODE_VALIDATOR(code)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="code") from exc
    if KbCategory.objects.filter(code=code).exists():
        raise DomainError(_("This code is already taken."), field="code", code="unique")
    _check_category(parent)
    category = KbCategory.objects.create(
        code=code,
        name_zh=clean_text(name_zh, "name_zh", 100),
        name_en=clean_text(name_en, "name_en", 100),
        parent=parent,
        position=max(0, min(position, 32767)),
    )
    audit_append(actor=actor, action="create", target=category, changes=diff(None, snapshot(category, CATEGORY_FIELDS)))
    return category


@transaction.atomic
def kb_category_update(
    *,
    actor: Any,
    category: KbCategory,
    name_zh: str | None = None,
    name_en: str | None = None,
    parent: KbCategory | Any | None = _UNSET,
    position: int | None = None,
    is_active: bool | None = None,
) -> KbCategory:
    """Rename, move or retire a category; a category cannot sit below itself."""
    _require(actor, Cap.KB_MANAGE)
    category = KbCategory.objects.select_for_update().get(pk=category.pk)
    before = snapshot(category, CATEGORY_FIELDS)
    if name_zh is not None:
        category.name_zh = clean_text(name_zh, "name_zh", 100)
    if name_en is not None:
        category.name_en = clean_text(name_en, "name_en", 100)
    if parent is not _UNSET:
        _check_parent(category, parent)
        category.parent = parent
    if position is not None:
        category.position = max(0, min(position, 32767))
    if is_active is not None:
        category.is_active = is_active
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if changes:
        category.save()
        audit_append(actor=actor, action="update", target=category, changes=changes)
    return category


def _check_parent(category: KbCategory, parent: KbCategory | None) -> None:
    node = parent
    while node is not None:
        if node.pk == category.pk:
            raise DomainError(_("A category cannot sit below itself."), field="parent")
        node = node.parent
    if parent is not None and parent.pk != category.parent_id:
        _check_category(parent)


# --- articles -----------------------------------------------------------------------------------


@transaction.atomic
def article_create(
    *,
    actor: Any,
    title: str,
    body: str,
    kind: str = ArticleKind.ARTICLE,
    language: str = ArticleLanguage.ZH,
    category: KbCategory | None = None,
    tags: Sequence[str] = (),
    author: Any = None,
    source_ticket: Any = None,
) -> Article:
    """Write a new article or solved case as a draft; :func:`article_publish` makes it visible.

    ``author`` defaults to the actor; another author must be allowed to write articles too.
    ``source_ticket`` (solved cases only) names the ticket the case was written from.
    """
    _require(actor, Cap.KB_MANAGE)
    author = author or actor
    if not can(author, Cap.KB_MANAGE):
        raise DomainError(_("The author must be allowed to write knowledge-base articles."), field="author")
    check_choice(kind, ArticleKind, "kind")
    if source_ticket is not None and kind != ArticleKind.CASE:
        raise DomainError(_("Only a solved case can point at a ticket."), field="source_ticket")
    _check_category(category)
    article = Article(
        kind=kind,
        title=clean_text(title, "title", MAX_TITLE),
        body=clean_text(body, "body", MAX_BODY),
        language=check_choice(language, ArticleLanguage, "language"),
        category=category,
        tags=clean_tags(tags),
        author=author,
        source_ticket=source_ticket,
        status=ArticleStatus.DRAFT,
    )
    article.save()
    _index(article)
    audit_append(actor=actor, action="create", target=article, changes=diff(None, _audit_state(article)))
    return article


@transaction.atomic
def article_update(
    *,
    actor: Any,
    article: Article,
    title: str | None = None,
    body: str | None = None,
    kind: str | None = None,
    language: str | None = None,
    category: KbCategory | Any | None = _UNSET,
    tags: Sequence[str] | None = None,
    version: int | None = None,
) -> Article:
    """Change an article; omitted fields stay. Each real change raises ``version`` by one.

    Pass the ``version`` the editor started from: if someone saved in between, the change is
    refused (field ``version``) instead of silently overwriting theirs.
    """
    _require(actor, Cap.KB_MANAGE)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if version is not None and version != article.version:
        raise DomainError(
            _("Someone else saved this article meanwhile (now version %(version)d). Reload it and edit again.")
            % {"version": article.version},
            field="version",
            code="conflict",
        )
    before = _audit_state(article)
    _apply_changes(article, title=title, body=body, kind=kind, language=language, category=category, tags=tags)
    if diff(before, _audit_state(article)):
        article.version += 1
        article.save()
        _index(article)
        audit_append(actor=actor, action="update", target=article, changes=diff(before, _audit_state(article)))
    return article


def _apply_changes(
    article: Article,
    *,
    title: str | None,
    body: str | None,
    kind: str | None,
    language: str | None,
    category: KbCategory | Any | None,
    tags: Sequence[str] | None,
) -> None:
    if title is not None:
        article.title = clean_text(title, "title", MAX_TITLE)
    if body is not None:
        article.body = clean_text(body, "body", MAX_BODY)
    if kind is not None:
        article.kind = check_choice(kind, ArticleKind, "kind")
        if article.kind != ArticleKind.CASE and article.source_ticket_id is not None:
            raise DomainError(_("A solved case written from a ticket stays a solved case."), field="kind")
    if language is not None:
        article.language = check_choice(language, ArticleLanguage, "language")
    if category is not _UNSET:
        _check_category(category, changed=getattr(category, "pk", None) != article.category_id)
        article.category = category
    if tags is not None:
        article.tags = clean_tags(tags)


@transaction.atomic
def article_publish(*, actor: Any, article: Article) -> Article:
    """Make a draft (or a retired article) visible to everyone who reads the knowledge base.

    Publishing what is already published changes nothing.
    """
    return _set_status(actor, article, ArticleStatus.PUBLISHED, "publish")


@transaction.atomic
def article_retire(*, actor: Any, article: Article) -> Article:
    """Take an article out of use: it disappears from searches and suggestions, and can come back.

    Retiring what is already retired changes nothing.
    """
    return _set_status(actor, article, ArticleStatus.RETIRED, "retire")


def _set_status(actor: Any, article: Article, status: str, action: str) -> Article:
    _require(actor, Cap.KB_MANAGE)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == status:
        return article
    before = {"status": article.status}
    article.status = status
    if status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    audit_append(actor=actor, action=action, target=article, changes=diff(before, {"status": status}))
    return article


# --- solved cases from tickets ------------------------------------------------------------------


def case_draft(ticket: Any) -> dict[str, Any]:
    """A first draft of a solved case from a ticket: its subject, the problem and the replies given.

    Reads ``subject``, ``description``, ``language`` and (if loaded) the public replies of the
    ticket's thread; the writer then turns it into a reusable solution.
    """
    english = str(getattr(ticket, "language", "zh")).startswith("en")
    replies = [m.body.strip() for m in _thread(ticket) if getattr(m, "kind", "") == "reply" and (m.body or "").strip()]
    labels = ("Problem", "What we did", "Solution") if english else ("问题现象", "处理过程", "解决方案")
    parts = [f"# {labels[0]}", (ticket.description or ticket.subject).strip()]
    if replies:
        parts += [f"# {labels[1]}", *[f"- {' '.join(r.split())[:300]}" for r in replies]]
    parts += [f"# {labels[2]}", "-"]
    return {
        "title": (ticket.subject or "").strip()[:MAX_TITLE],
        "body": "\n\n".join(parts),
        "language": ArticleLanguage.EN if english else ArticleLanguage.ZH,
    }


def _thread(ticket: Any) -> list[Any]:
    messages = getattr(ticket, "messages", None)
    if messages is None:
        return []
    return list(messages.all())


@transaction.atomic
def solved_case_create(
    *,
    actor: Any,
    ticket: Any,
    title: str = "",
    body: str = "",
    language: str = "",
    category: KbCategory | None = None,
    tags: Sequence[str] = (),
) -> Article:
    """Write up a ticket as a solved case (draft), linked to it; empty fields come from the ticket.

    The writer must be allowed to read tickets as well as write articles. One ticket gives one
    case: a second is refused while the first is not retired.
    """
    _require(actor, Cap.KB_MANAGE, Cap.TICKET_VIEW)
    existing = Article.objects.filter(source_ticket=ticket).exclude(status=ArticleStatus.RETIRED).first()
    if existing is not None:
        raise DomainError(
            _("This ticket is already written up as “%(title)s”.") % {"title": existing.title},
            field="source_ticket",
            code="unique",
        )
    draft = case_draft(ticket)
    return article_create(
        actor=actor,
        kind=ArticleKind.CASE,
        title=title or draft["title"],
        body=body or draft["body"],
        language=language or draft["language"],
        category=category,
        tags=tags,
        source_ticket=ticket,
    )


# --- maintenance --------------------------------------------------------------------------------


def articles_reindex(*, article_ids: Iterable[int] | None = None, batch_size: int = 200) -> int:
    """Rebuild the search tokens (after a change to the dictionary or stop words); returns how many.

    The articles themselves do not change, so nothing is audited. Safe to run twice.
    """
    qs = Article.objects.order_by("pk")
    if article_ids is not None:
        qs = qs.filter(pk__in=list(article_ids))
    count = 0
    for article in qs.iterator(chunk_size=batch_size):
        with transaction.atomic():
            _index(article)
        count += 1
    return count
