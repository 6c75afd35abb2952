"""Knowledge-base pages: search, read, write, publish, retire, and suggestions on the ticket page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sqm.audit.models import AuditEntry
from sqm.core.roles import Role
from sqm.knowledge.models import Article, ArticleKind, ArticleStatus
from sqm.knowledge.tests.helpers import article, category

pytestmark = pytest.mark.django_db
LIST = reverse("knowledge:article_list")


@pytest.fixture
def lead(make_user):
    return make_user(Role.TEAM_LEAD)


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT)


@pytest.fixture
def kb(lead):
    cat = category(lead, "broadband", "宽带", "Broadband")
    return {
        "outage": article(lead, "宽带断网自助排查", "先重启光猫。", tags=["宽带", "断网"], category=cat),
        "refund": article(lead, "话费退费办理流程", "核查后原路退回。", tags=["退费"]),
        "draft": article(lead, "宽带断网草稿", "未完成", status=ArticleStatus.DRAFT),
        "category": cat,
    }


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- list and search ---------------------------------------------------------------------------


def test_list_search_and_filters(client_for, agent, kb):
    client = client_for(agent)
    page = _page(client.get(LIST))
    assert "宽带断网自助排查" in page and "话费退费办理流程" in page and "宽带断网草稿" not in page
    page = _page(client.get(LIST, {"q": "退费"}))
    assert "话费退费办理流程" in page and "宽带断网自助排查" not in page
    page = _page(client.get(LIST, {"category": kb["category"].pk, "kind": ArticleKind.ARTICLE}))
    assert "宽带断网自助排查" in page and "话费退费办理流程" not in page
    page = _page(client.get(LIST, {"q": "退费", "category": "999999", "page": "x"}))
    assert "话费退费办理流程" in page and "宽带断网自助排查" not in page, "a bad filter does not drop the search"
    page = _page(client.get(LIST, {"q": "不存在的词语"}))
    assert "宽带断网自助排查" not in page and reverse("knowledge:article_create") not in page


def test_writers_see_drafts_and_a_status_filter(client_for, lead, kb):
    page = _page(client_for(lead).get(LIST, {"status": "draft"}))
    assert "宽带断网草稿" in page and "宽带断网自助排查" not in page
    assert reverse("knowledge:article_create") in page


def test_htmx_gets_the_results_only(client_for, agent, kb):
    response = client_for(agent).get(LIST, {"q": "宽带"}, HTTP_HX_REQUEST="true")
    page = _page(response)
    assert page.lstrip().startswith('<div id="kb-results">') and "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_list_queries_do_not_grow_with_rows(client_for, agent, lead, kb, django_assert_num_queries):
    client = client_for(agent)
    client.get(LIST)  # warm the session
    with django_assert_num_queries(5):  # session, user, categories, count, page
        _page(client.get(LIST, {"q": "宽带 断网"}))
    for n in range(25):
        article(lead, f"宽带断网案例{n}", "光猫", tags=["宽带"], category=kb["category"])
    with django_assert_num_queries(5):
        _page(client.get(LIST, {"q": "宽带 断网"}))
    with django_assert_num_queries(5):
        _page(client.get(LIST, {"page": 2}))


# --- detail ----------------------------------------------------------------------------------------


def test_detail_renders_text_safely(client_for, agent, lead):
    made = article(lead, "<b>标题</b>", "# 步骤\n1. 打开<script>alert(1)</script>\n2. 第二步\n\n普通段落")
    page = _page(client_for(agent).get(reverse("knowledge:article_detail", args=[made.pk])))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;标题&lt;/b&gt;" in page
    assert "<h3>步骤</h3><ol><li>" in page and "<p>普通段落</p>" in page


def test_readers_cannot_open_drafts_writers_can(client_for, agent, lead, kb):
    url = reverse("knowledge:article_detail", args=[kb["draft"].pk])
    assert client_for(agent).get(url).status_code == 404
    page = _page(client_for(lead).get(url))
    assert reverse("knowledge:article_publish", args=[kb["draft"].pk]) in page
    assert reverse("knowledge:article_edit", args=[kb["draft"].pk]) in page


def test_audit_link_only_for_auditing_roles(client_for, agent, make_user, kb):
    url = reverse("knowledge:article_detail", args=[kb["outage"].pk])
    assert "object_type=knowledge.article" not in _page(client_for(agent).get(url))
    assert "object_type=knowledge.article" in _page(client_for(make_user(Role.AUDITOR)).get(url))


def test_detail_queries(client_for, agent, kb, django_assert_num_queries):
    client = client_for(agent)
    url = reverse("knowledge:article_detail", args=[kb["outage"].pk])
    client.get(url)
    with django_assert_num_queries(3):  # session, user, article with category, author and ticket
        _page(client.get(url))


# --- writing ---------------------------------------------------------------------------------------


def _form(**overrides):
    return {
        "kind": "article",
        "title": "宽带移机办理",
        "body": "搬家前一周预约。",
        "language": "zh",
        "category": "",
        "tags": "宽带，移机、搬家",
        **overrides,
    }


def test_create_saves_a_draft(client_for, lead, kb):
    response = client_for(lead).post(reverse("knowledge:article_create"), _form(category=kb["category"].pk))
    made = Article.objects.get(title="宽带移机办理")
    assert response.status_code == 302 and response["Location"] == reverse("knowledge:article_detail", args=[made.pk])
    assert (made.status, made.tags, made.category, made.author) == (
        "draft",
        ["宽带", "移机", "搬家"],
        kb["category"],
        lead,
    )


def test_create_with_errors_keeps_the_input_and_stores_nothing(client_for, lead):
    before = AuditEntry.objects.count()
    page = _page(client_for(lead).post(reverse("knowledge:article_create"), _form(title="", tags="x" * 31)))
    assert 'id="id_title_error"' in page and "搬家前一周预约。" in page
    assert "30" in page, "the tag rule is explained"
    assert Article.objects.count() == 0 and AuditEntry.objects.count() == before


def test_edit_saves_and_refuses_a_stale_version(client_for, lead, kb):
    url = reverse("knowledge:article_edit", args=[kb["outage"].pk])
    client = client_for(lead)
    assert 'name="version" value="1"' in _page(client.get(url))
    response = client.post(url, _form(title="宽带断网排查", version=1))
    assert response.status_code == 302
    page = _page(client.post(url, _form(title="过期的修改", version=1)))
    assert '<div class="errors" role="alert">' in page and "过期的修改" in page, (
        "the conflict is explained, the input kept"
    )
    kb["outage"].refresh_from_db()
    assert (kb["outage"].title, kb["outage"].version) == ("宽带断网排查", 2)


def test_publish_and_retire(client_for, lead, agent, kb):
    client = client_for(lead)
    draft = kb["draft"]
    assert client.get(reverse("knowledge:article_publish", args=[draft.pk])).status_code == 405
    response = client.post(reverse("knowledge:article_publish", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.PUBLISHED
    assert client_for(agent).get(reverse("knowledge:article_detail", args=[draft.pk])).status_code == 200
    client.post(reverse("knowledge:article_retire", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.RETIRED
    assert client_for(agent).get(reverse("knowledge:article_detail", args=[draft.pk])).status_code == 404


def test_readers_cannot_write(client_for, agent, kb):
    client = client_for(agent)
    assert client.get(reverse("knowledge:article_create")).status_code == 403
    assert client.post(reverse("knowledge:article_retire", args=[kb["outage"].pk])).status_code == 403
    kb["outage"].refresh_from_db()
    assert kb["outage"].status == ArticleStatus.PUBLISHED


# --- solved case from a ticket and suggestions ------------------------------------------------------


@pytest.fixture
def ticket():
    from sqm.tickets.tests.factories import TicketFactory

    return TicketFactory(subject="宽带断网求助", description="家里宽带从昨晚开始断网，光猫灯不亮。")


def test_write_up_a_ticket_as_a_solved_case(client_for, lead, ticket):
    url = reverse("knowledge:article_create")
    page = _page(client_for(lead).get(url, {"ticket": ticket.pk}))
    assert "宽带断网求助" in page and "家里宽带从昨晚开始断网" in page and f'name="ticket" value="{ticket.pk}"' in page
    response = client_for(lead).post(url, _form(title="典型案例：断网", ticket=ticket.pk, kind="article"))
    assert response.status_code == 302
    case = Article.objects.get()
    assert (case.kind, case.source_ticket_id) == (ArticleKind.CASE, ticket.pk)
    again = _page(client_for(lead).post(url, _form(title="再写一次", ticket=ticket.pk)))
    assert "典型案例：断网" in again and Article.objects.count() == 1


def test_trainers_write_articles_but_not_from_tickets(client_for, make_user, ticket):
    trainer = make_user(Role.TRAINER)
    assert client_for(trainer).get(reverse("knowledge:article_create")).status_code == 200
    assert client_for(trainer).get(reverse("knowledge:article_create"), {"ticket": ticket.pk}).status_code == 403


SUGGEST = reverse("knowledge:suggest")


def test_suggestions_for_a_ticket(client_for, agent, kb, ticket):
    response = client_for(agent).get(SUGGEST, {"ticket": ticket.pk, "target": "reply-box"}, HTTP_HX_REQUEST="true")
    page = _page(response)
    assert "<html" not in page and 'data-kb-target="reply-box"' in page
    detail = f"http://testserver{reverse('knowledge:article_detail', args=[kb['outage'].pk])}"
    assert f'data-kb-text="宽带断网自助排查&#10;{detail}"' in page
    assert "宽带断网草稿" not in page and "话费退费办理流程" not in page


def test_suggestions_without_htmx_are_a_page_and_targets_are_sanitised(client_for, agent, kb):
    page = _page(client_for(agent).get(SUGGEST, {"text": "宽带断网", "target": '"><script>'}))
    assert "<html" in page and 'data-kb-target="id_body"' in page and "宽带断网自助排查" in page


def test_suggestion_permissions_and_bad_requests(client_for, make_user, agent, ticket, kb):
    trainer = make_user(Role.TRAINER)
    assert client_for(trainer).get(SUGGEST, {"ticket": ticket.pk}).status_code == 403
    assert client_for(trainer).get(SUGGEST, {"text": "退费"}).status_code == 200
    assert client_for(make_user(Role.CUSTOMER)).get(SUGGEST, {"text": "退费"}).status_code == 403
    assert client_for(agent).get(SUGGEST).status_code == 400
    assert client_for(agent).get(SUGGEST, {"ticket": "abc"}).status_code == 400
    assert client_for(agent).get(SUGGEST, {"ticket": 10**9}).status_code == 404
    assert client_for(agent).get(SUGGEST, {"ticket": 10**30}).status_code == 400


def test_suggestion_queries(client_for, agent, kb, ticket, django_assert_max_num_queries):
    client = client_for(agent)
    client.get(SUGGEST, {"ticket": ticket.pk})
    with django_assert_max_num_queries(11):  # session, user, the ticket page's reads, three for suggestions
        _page(client.get(SUGGEST, {"ticket": ticket.pk}, HTTP_HX_REQUEST="true"))


def test_suggestions_offer_writers_a_write_up_and_then_link_the_case(client_for, lead, agent, kb, ticket):
    page = _page(client_for(lead).get(SUGGEST, {"ticket": ticket.pk}, HTTP_HX_REQUEST="true"))
    write_up = f"{reverse('knowledge:article_create')}?ticket={ticket.pk}"
    assert write_up in page
    assert write_up not in _page(client_for(agent).get(SUGGEST, {"ticket": ticket.pk}, HTTP_HX_REQUEST="true"))
    client_for(lead).post(reverse("knowledge:article_create"), _form(title="典型案例：断网", ticket=ticket.pk))
    page = _page(client_for(lead).get(SUGGEST, {"ticket": ticket.pk}, HTTP_HX_REQUEST="true"))
    case = Article.objects.get(source_ticket=ticket)
    assert write_up not in page and reverse("knowledge:article_detail", args=[case.pk]) in page


def test_a_case_links_its_ticket_for_those_who_read_tickets(
    client_for, lead, make_user, ticket, django_assert_num_queries
):
    from sqm.knowledge import services

    case = services.solved_case_create(actor=lead, ticket=ticket)
    url = reverse("knowledge:article_detail", args=[case.pk])
    client = client_for(lead)
    client.get(url)
    with django_assert_num_queries(3):
        page = _page(client.get(url))
    assert f'href="{reverse("tickets:ticket_detail", args=[ticket.pk])}">{ticket.number}</a>' in page
    trainer_page = _page(client_for(make_user(Role.TRAINER)).get(url))
    assert ticket.number in trainer_page and reverse("tickets:ticket_detail", args=[ticket.pk]) not in trainer_page
