"""Permission-matrix rows of the knowledge app (merged by sqm/core/tests/test_permission_matrix.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import Page
from sqm.knowledge import services
from sqm.knowledge.models import Article, ArticleStatus


def _article(w: SimpleNamespace, u: Any) -> dict[str, int]:
    return {"pk": w.kb_article.pk}


PAGES = {
    "knowledge:article_list": Page(Cap.KB_VIEW),
    "knowledge:article_detail": Page(Cap.KB_VIEW, kwargs=_article),
    "knowledge:article_create": Page(Cap.KB_MANAGE),
    "knowledge:article_edit": Page(Cap.KB_MANAGE, kwargs=_article),
    "knowledge:article_publish": Page(Cap.KB_MANAGE, "POST", _article),
    "knowledge:article_retire": Page(Cap.KB_MANAGE, "POST", _article),
    # Without ?ticket= or ?text= it answers 400 to every reader; ?ticket= also needs TICKET_VIEW
    # (tested in test_views.py).
    "knowledge:suggest": Page(Cap.KB_VIEW),
}

API = {
    ("GET", "/api/kb/articles"): (Cap.KB_VIEW, None),
    ("POST", "/api/kb/articles"): (
        Cap.KB_MANAGE,
        lambda w: {"title": f"宽带续费说明{w.counter()}", "body": "到期前30天提醒续费。"},
    ),
    ("GET", "/api/kb/articles/{article_id}"): (Cap.KB_VIEW, None),
    ("PATCH", "/api/kb/articles/{article_id}"): (Cap.KB_MANAGE, lambda w: {"tags": ["宽带", "断网"]}),
    ("POST", "/api/kb/articles/{article_id}/publish"): (Cap.KB_MANAGE, None),
    ("POST", "/api/kb/articles/{article_id}/retire"): (Cap.KB_MANAGE, None),
    ("GET", "/api/kb/categories"): (Cap.KB_VIEW, None),
    ("GET", "/api/kb/suggestions"): (Cap.KB_VIEW, None),
}


def prepare(w: SimpleNamespace) -> None:
    admin = w.users[Role.ADMIN]
    w.kb_category = services.kb_category_create(actor=admin, code="broadband", name_zh="宽带", name_en="Broadband")
    article = services.article_create(
        actor=admin, title="宽带断网自助排查", body="先重启光猫。", category=w.kb_category, tags=["宽带"]
    )
    w.kb_article = services.article_publish(actor=admin, article=article)


def refresh(w: SimpleNamespace) -> None:
    """Every call finds the article published (a previous call may have retired it)."""
    Article.objects.filter(pk=w.kb_article.pk).update(status=ArticleStatus.PUBLISHED)


def path_params(w: SimpleNamespace, user: Any) -> dict[str, int]:
    return {"article_id": w.kb_article.pk}
