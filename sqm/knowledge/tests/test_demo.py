"""The demo knowledge base: believable, searchable, written through the services, deterministic."""

from __future__ import annotations

import random
from collections import Counter
from types import SimpleNamespace

import pytest

from sqm.audit.models import AuditEntry
from sqm.audit.services import chain_verify
from sqm.core.roles import Role
from sqm.knowledge import demo, selectors
from sqm.knowledge.models import Article, KbCategory

pytestmark = pytest.mark.django_db


def _load(make_user, seed: int) -> tuple[str, dict]:
    admin = make_user(Role.ADMIN)
    teams = [SimpleNamespace(lead=make_user(Role.TEAM_LEAD)) for _ in range(3)]
    shared = {"org": SimpleNamespace(admin=admin, teams=teams)}
    return demo.load(rng=random.Random(seed), shared=shared), shared


def test_demo_builds_a_bilingual_knowledge_base(make_user):
    summary, shared = _load(make_user, 7)
    articles = list(Article.objects.select_related("category"))
    mix = Counter((a.language, a.kind) for a in articles)
    assert 55 <= mix["zh", "article"] + mix["zh", "case"] <= 65 and mix["zh", "case"] >= 12
    assert 12 <= mix["en", "article"] + mix["en", "case"] <= 18
    assert Counter(a.status for a in articles) == {"published": len(articles) - 2, "draft": 1, "retired": 1}
    assert all(a.category is not None for a in articles)
    assert KbCategory.objects.filter(parent__isnull=False).exists()
    assert {a.author_id for a in articles} <= {t.lead.pk for t in shared["org"].teams}
    assert len(shared["knowledge"]) == len(articles)
    assert "solved cases" in summary and "English" in summary
    assert AuditEntry.objects.filter(object_type="knowledge.article", action="create").count() == len(articles)
    assert chain_verify().ok


def test_demo_answers_typical_questions(make_user):
    _load(make_user, 7)
    agent = make_user(Role.AGENT)

    def top(q: str, n: int = 2) -> list[str]:
        return [a.title for a in selectors.articles(agent, selectors.ArticleFilters(q=q))[:n]]

    assert set(top("宽带 断网")) == {"宽带断网自助排查步骤", "小区光缆被挖断导致大面积宽带断网"}
    assert top("退费", 1) == ["话费退费办理流程"]
    assert top("refund", 1) == ["Requesting a refund for an overcharge"]
    suggested = [a.title for a in selectors.suggest_for_text("家里宽带从昨晚开始断网了，光猫LOS灯一直红色闪烁", 2)]
    assert suggested == ["光猫LOS红灯闪烁的处理", "宽带断网自助排查步骤"]


def test_same_seed_same_authors(make_user):
    _load(make_user, 3)
    first = list(Article.objects.order_by("pk").values_list("title", "author__username"))
    Article.objects.all().delete()
    KbCategory.objects.filter(parent__isnull=False).delete()
    KbCategory.objects.all().delete()
    _load(make_user, 3)
    second = list(Article.objects.order_by("pk").values_list("title", "author__username"))
    index = {name: n for n, name in enumerate(sorted({u for _t, u in first}))}
    index2 = {name: n for n, name in enumerate(sorted({u for _t, u in second}))}
    assert [(t, index[u]) for t, u in first] == [(t, index2[u]) for t, u in second]
