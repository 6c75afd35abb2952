"""Search: tokens for Chinese and English, exact ranking on a small hand-made corpus, suggestions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sqm.core.roles import Role
from sqm.knowledge import search, selectors
from sqm.knowledge.models import ArticleKind, ArticleStatus, ArticleToken
from sqm.knowledge.selectors import ArticleFilters
from sqm.knowledge.tests.helpers import article, category

# --- tokens -----------------------------------------------------------------------------------------


def test_chinese_is_segmented_for_search_and_stop_words_dropped():
    assert list(search.tokens("宽带断网了怎么办？")) == ["宽带", "断网"]
    assert list(search.tokens("机顶盒")) == ["机顶", "顶盒", "机顶盒"]
    assert list(search.tokens("的 了 吗，请问")) == []


def test_domain_words_stay_whole():
    assert "携号转网" in list(search.tokens("携号转网需要什么条件"))
    assert "光猫" in list(search.tokens("光猫坏了"))


def test_english_is_lower_cased_stemmed_and_stop_words_dropped():
    assert list(search.tokens("The Refunds were refunded")) == ["refund", "refund"]
    assert search.query_tokens("refunding REFUND refunds") == ["refund"]
    assert list(search.tokens("charges charged charging")) == ["charg"] * 3
    assert list(search.tokens("billing bills bill")) == ["bil"] * 3


def test_full_width_and_mixed_text():
    assert list(search.tokens("ＲＥＦＵＮＤ 5G套餐")) == ["refund", "5g", "套餐"]


def test_index_weights_title_over_tags_over_body():
    weights = search.index_weights(title="宽带断网", tags=["宽带"], body="宽带 宽带 宽带 宽带 光猫")
    assert weights == {"宽带": 8 + 4 + 3, "断网": 8, "光猫": 1}


def test_segmentation_needs_no_network(tmp_path: Path):
    """jieba builds its dictionary from its own package files with every socket refused."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from sqm.knowledge import search\n"
        "print(' '.join(search.tokens('宽带断网 refund')))\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # no jieba cache: it must build from the package
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["宽带", "断网", "refund"]


# --- ranking ------------------------------------------------------------------------------------------


@pytest.fixture
def corpus(make_user):
    admin = make_user(Role.ADMIN)
    broadband = category(admin, "broadband", "宽带")
    faults = category(admin, "broadband-fault", "宽带故障", parent=broadband)
    billing = category(admin, "billing", "账单")
    docs = {
        "outage": article(
            admin, "宽带断网自助排查", "光猫指示灯检查，重启路由器。", tags=["宽带", "光猫"], category=faults
        ),
        "los": article(
            admin, "光猫LOS红灯闪烁的处理", "LOS灯闪烁说明光纤中断，宽带断网需要派修。", tags=["光猫"], category=faults
        ),
        "speed": article(admin, "宽带网速慢排查", "先用网线测速。", tags=["宽带", "网速"], category=broadband),
        "refund": article(admin, "话费退费办理流程", "核查后原路退回。", tags=["退费", "话费"], category=billing),
        "close": article(
            admin,
            "销户与预存话费",
            "剩余话费退费到银行账户。退费需要30个工作日。",
            tags=["销户"],
            category=billing,
            kind=ArticleKind.CASE,
        ),
        "en_refund": article(
            admin, "Requesting a refund", "Refunds are approved by the team lead.", tags=["billing"], language="en"
        ),
        "en_outage": article(
            admin,
            "Broadband outage checklist",
            "Check the modem. A refund of the monthly fee is possible after long outages.",
            tags=["broadband"],
            language="en",
        ),
        "draft": article(admin, "宽带断网草稿", "未完成", status=ArticleStatus.DRAFT),
        "retired": article(admin, "退费旧规则", "已废止的退费规则", status=ArticleStatus.RETIRED),
    }
    return admin, docs, {"broadband": broadband, "faults": faults, "billing": billing}


def _titles(user, **filters) -> list[str]:
    return [a.title for a in selectors.articles(user, ArticleFilters(**filters))]


@pytest.mark.django_db
def test_chinese_query_ranks_coverage_then_weight(corpus, make_user):
    _admin, _docs, _cats = corpus
    agent = make_user(Role.AGENT)
    ranked = list(selectors.articles(agent, ArticleFilters(q="宽带 断网")))
    assert [a.title for a in ranked] == ["宽带断网自助排查", "光猫LOS红灯闪烁的处理", "宽带网速慢排查"]
    assert [(a.hits, a.score) for a in ranked] == [(2, 8 + 4 + 8), (2, 1 + 1), (1, 8 + 4)]
    assert _titles(agent, q="宽带断网") == _titles(agent, q="宽带 断网"), "spaces do not matter in Chinese"


@pytest.mark.django_db
def test_refund_in_chinese_and_english(corpus, make_user):
    agent = make_user(Role.AGENT)
    assert _titles(agent, q="退费") == ["话费退费办理流程", "销户与预存话费"]
    ranked = list(selectors.articles(agent, ArticleFilters(q="refund")))
    assert [(a.title, a.score) for a in ranked] == [("Requesting a refund", 9), ("Broadband outage checklist", 1)]
    assert _titles(agent, q="Refunds") == _titles(agent, q="refund")


@pytest.mark.django_db
def test_readers_never_find_drafts_or_retired_articles_writers_do(corpus, make_user):
    agent, lead = make_user(Role.AGENT), make_user(Role.TEAM_LEAD)
    assert "宽带断网草稿" not in _titles(agent, q="宽带 断网")
    assert "退费旧规则" not in _titles(agent, q="退费")
    assert _titles(lead, q="宽带 断网")[:2] == ["宽带断网自助排查", "宽带断网草稿"]
    assert _titles(lead, q="退费", status=ArticleStatus.RETIRED) == ["退费旧规则"]
    assert _titles(agent, q="退费", status=ArticleStatus.RETIRED) == ["话费退费办理流程", "销户与预存话费"]
    customer = make_user(Role.CUSTOMER)
    assert _titles(customer) == []


@pytest.mark.django_db
def test_filters_category_subtree_kind_language(corpus, make_user):
    _admin, _docs, cats = corpus
    agent = make_user(Role.AGENT)
    assert set(_titles(agent, category_id=cats["broadband"].pk)) == {
        "宽带断网自助排查",
        "光猫LOS红灯闪烁的处理",
        "宽带网速慢排查",
    }
    assert _titles(agent, q="宽带", category_id=cats["faults"].pk) == ["宽带断网自助排查", "光猫LOS红灯闪烁的处理"]
    assert _titles(agent, kind=ArticleKind.CASE) == ["销户与预存话费"]
    assert _titles(agent, q="refund", language="zh") == []
    assert _titles(agent, q="的 了") == [], "a query of stop words only finds nothing"


@pytest.mark.django_db
def test_search_is_one_query(corpus, make_user, django_assert_num_queries):
    agent = make_user(Role.AGENT)
    with django_assert_num_queries(1):
        list(selectors.articles(agent, ArticleFilters(q="宽带 断网 光猫 refund")))


@pytest.mark.django_db
def test_editing_reindexes(corpus):
    from sqm.knowledge import services

    admin, docs, _cats = corpus
    services.article_update(actor=admin, article=docs["speed"], title="宽带测速方法")
    assert "网速慢" not in set(ArticleToken.objects.filter(article=docs["speed"]).values_list("token", flat=True))
    assert ArticleToken.objects.get(article=docs["speed"], token="测速").weight == 8 + 1


@pytest.mark.django_db
def test_reindex_rebuilds_lost_tokens(corpus):
    from sqm.knowledge.tasks import reindex

    _admin, docs, _cats = corpus
    before = sorted(ArticleToken.objects.values_list("article_id", "token", "weight"))
    ArticleToken.objects.all().delete()
    assert reindex() == len(docs)
    assert sorted(ArticleToken.objects.values_list("article_id", "token", "weight")) == before
    assert reindex([docs["los"].pk]) == 1


# --- suggestions --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_suggestions_for_a_ticket_text(corpus):
    text = "家里宽带从昨晚开始断网了，光猫上LOS灯一直红色闪烁，重启也没用"
    assert [a.title for a in selectors.suggest_for_text(text, limit=3)] == [
        "光猫LOS红灯闪烁的处理",
        "宽带断网自助排查",
        "宽带网速慢排查",
    ]
    assert [a.title for a in selectors.suggest_for_text("I want a refund for last month", limit=5)] == [
        "Requesting a refund",
        "Broadband outage checklist",
    ]


@pytest.mark.django_db
def test_suggestions_skip_unpublished_and_empty_text(corpus):
    assert "退费旧规则" not in [a.title for a in selectors.suggest_for_text("退费规则", limit=10)]
    assert selectors.suggest_for_text("", limit=5) == []
    assert selectors.suggest_for_text("的了吗", limit=5) == []
    assert selectors.suggest_for_text("完全无关的内容 zebra", limit=5) == []


@pytest.mark.django_db
def test_suggestions_take_three_queries_whatever_the_text(corpus, django_assert_num_queries):
    with django_assert_num_queries(3):
        selectors.suggest_for_text("宽带断网 光猫 refund 退费 " * 200, limit=5)
