"""Writes: who may write, what is checked, what is stored and audited, and what is refused."""

from __future__ import annotations

import pytest

from sqm.audit.models import AuditEntry
from sqm.audit.services import chain_verify
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.knowledge import services
from sqm.knowledge.models import Article, ArticleKind, ArticleStatus, ArticleToken, KbCategory
from sqm.knowledge.tests.helpers import article, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(make_user):
    return make_user(Role.TEAM_LEAD)


def _entries(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=f"knowledge.{obj._meta.model_name}", object_id=str(obj.pk)).order_by(
            "seq"
        )
    )


def test_create_stores_a_draft_with_tokens_and_an_audit_entry(writer):
    cat = category(writer, "billing", "账单", "Billing")
    made = services.article_create(
        actor=writer,
        title="  话费退费办理流程 ",
        body="核查后原路退回。",
        category=cat,
        tags=["退费", " 话费 ", "退费", "REFUND", "refund"],
    )
    made.refresh_from_db()
    assert (made.title, made.status, made.version, made.author) == ("话费退费办理流程", "draft", 1, writer)
    assert made.tags == ["退费", "话费", "REFUND"]
    assert made.published_at is None
    assert ArticleToken.objects.get(article=made, token="退费").weight == 8 + 4
    (entry,) = _entries(made)
    assert entry.action == "create" and entry.actor_id == writer.pk
    assert entry.changes["title"] == {"before": None, "after": "话费退费办理流程"}
    assert entry.changes["body"]["after"].startswith("sha256:") and "(8 chars)" in entry.changes["body"]["after"]
    assert chain_verify().ok


@pytest.mark.parametrize("role", list(Role))
def test_only_writers_may_write(role, make_user, writer):
    user = make_user(role)
    existing = article(writer, "宽带断网自助排查")
    if role in CAPABILITIES[Cap.KB_MANAGE]:
        services.article_update(actor=user, article=existing, body="新正文")
        return
    with pytest.raises(PermissionDeniedError):
        services.article_create(actor=user, title="标题", body="正文")
    with pytest.raises(PermissionDeniedError):
        services.article_update(actor=user, article=existing, body="新正文")
    with pytest.raises(PermissionDeniedError):
        services.article_retire(actor=user, article=existing)
    with pytest.raises(PermissionDeniedError):
        services.kb_category_create(actor=user, code="x", name_zh="x", name_en="x")
    assert Article.objects.count() == 1 and KbCategory.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"body": ""}, "body"),
        ({"body": "a\x00b"}, "body"),
        ({"kind": "faq"}, "kind"),
        ({"language": "fr"}, "language"),
        ({"tags": ["x" * 31]}, "tags"),
        ({"tags": ["a,b"]}, "tags"),
        ({"tags": [f"t{n}" for n in range(13)]}, "tags"),
        ({"source_ticket": object()}, "source_ticket"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(writer, kwargs, field):
    data = {"title": "标题", "body": "正文", **kwargs}
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        services.article_create(actor=writer, **data)
    assert field in exc.value.errors
    assert Article.objects.count() == 0 and ArticleToken.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_inactive_category_and_author_without_rights_are_refused(writer, make_user):
    cat = category(writer, "old", "旧分类")
    services.kb_category_update(actor=writer, category=cat, is_active=False)
    with pytest.raises(DomainError) as exc:
        services.article_create(actor=writer, title="t", body="b", category=cat)
    assert "category" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.article_create(actor=writer, title="t", body="b", author=make_user(Role.AGENT))
    assert "author" in exc.value.errors


def test_update_bumps_the_version_only_on_real_changes(writer):
    made = article(writer, "宽带断网自助排查", "先重启光猫。", tags=["宽带"])
    same = services.article_update(actor=writer, article=made, title="宽带断网自助排查", tags=["宽带"])
    assert same.version == 1 and [e.action for e in _entries(made)] == ["create", "publish"]
    changed = services.article_update(actor=writer, article=made, body="先检查指示灯，再重启光猫。", version=1)
    assert changed.version == 2 and changed.status == ArticleStatus.PUBLISHED
    last = _entries(made)[-1]
    assert last.action == "update" and set(last.changes) == {"body", "version"}
    assert last.changes["version"] == {"before": 1, "after": 2}


def test_update_from_a_stale_version_is_refused(writer):
    made = article(writer, "宽带断网自助排查")
    services.article_update(actor=writer, article=made, title="宽带断网排查", version=1)
    with pytest.raises(DomainError) as exc:
        services.article_update(actor=writer, article=made, title="别人的标题", version=1)
    assert exc.value.code == "conflict" and "version" in exc.value.errors
    made.refresh_from_db()
    assert (made.title, made.version) == ("宽带断网排查", 2)


def test_publish_and_retire_are_audited_and_idempotent(writer):
    made = services.article_create(actor=writer, title="t", body="b")
    published = services.article_publish(actor=writer, article=made)
    assert published.status == ArticleStatus.PUBLISHED and published.published_at is not None
    services.article_publish(actor=writer, article=made)
    retired = services.article_retire(actor=writer, article=made)
    services.article_retire(actor=writer, article=made)
    assert retired.status == ArticleStatus.RETIRED
    back = services.article_publish(actor=writer, article=made)
    assert back.status == ArticleStatus.PUBLISHED
    assert [(e.action, e.changes["status"]["after"]) for e in _entries(made)[1:]] == [
        ("publish", "published"),
        ("retire", "retired"),
        ("publish", "published"),
    ]


def test_categories_form_a_tree_without_cycles(writer):
    root = category(writer, "broadband", "宽带")
    child = category(writer, "broadband-fault", "宽带故障", parent=root)
    with pytest.raises(DomainError) as exc:
        services.kb_category_update(actor=writer, category=root, parent=child)
    assert "parent" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.kb_category_create(actor=writer, code="broadband", name_zh="重复", name_en="dup")
    assert "code" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.kb_category_create(actor=writer, code="Bad Code", name_zh="x", name_en="x")
    assert "code" in exc.value.errors
    moved = services.kb_category_update(actor=writer, category=child, parent=None, name_en="Faults")
    assert moved.parent is None and _entries(moved)[-1].changes["parent"] == {"before": root.pk, "after": None}


# --- solved cases from tickets -------------------------------------------------------------------


@pytest.fixture
def solved_ticket(make_user):
    from sqm.tickets.models import MessageKind, TicketMessage
    from sqm.tickets.tests.factories import TicketFactory

    ticket = TicketFactory(subject="宽带每天掉线多次", description="家里宽带每天晚上掉线，重启光猫后恢复。")
    agent = make_user(Role.AGENT)
    for kind, body in ((MessageKind.REPLY, "已为您更换光猫，请观察。"), (MessageKind.NOTE, "内部：光猫使用6年")):
        TicketMessage.objects.create(ticket=ticket, kind=kind, author=agent, body=body, created_at=ticket.created_at)
    from sqm.tickets.selectors import ticket_page

    return ticket_page(ticket.pk)


def test_solved_case_from_a_ticket_is_drafted_from_its_thread(writer, solved_ticket):
    case = services.solved_case_create(actor=writer, ticket=solved_ticket, tags=["光猫", "掉线"])
    assert (case.kind, case.status, case.source_ticket_id) == (ArticleKind.CASE, "draft", solved_ticket.pk)
    assert case.title == "宽带每天掉线多次"
    assert "家里宽带每天晚上掉线" in case.body and "已为您更换光猫" in case.body
    assert "内部" not in case.body, "internal notes stay out of the write-up"
    assert _entries(case)[0].changes["source_ticket"] == {"before": None, "after": solved_ticket.pk}


def test_one_case_per_ticket_and_readers_of_tickets_only(writer, solved_ticket, make_user):
    services.solved_case_create(actor=writer, ticket=solved_ticket)
    with pytest.raises(DomainError) as exc:
        services.solved_case_create(actor=writer, ticket=solved_ticket)
    assert "source_ticket" in exc.value.errors
    with pytest.raises(PermissionDeniedError):  # trainers write articles but do not read tickets
        services.solved_case_create(actor=make_user(Role.TRAINER), ticket=solved_ticket)
    assert Article.objects.count() == 1


def test_a_case_from_a_ticket_stays_a_case(writer, solved_ticket):
    case = services.solved_case_create(actor=writer, ticket=solved_ticket)
    with pytest.raises(DomainError) as exc:
        services.article_update(actor=writer, article=case, kind=ArticleKind.ARTICLE)
    assert "kind" in exc.value.errors
