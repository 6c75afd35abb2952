"""The complaint rule: the lexicon scorer (negations, intensifiers, phrases), the quality manager's
rule page and API, the automatic complaint ticket after a low or complaint-like rating (once per
rating), and the scorer's precision and recall on the real development sample (read where it
lies in ../shared; skipped where it is absent)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sqm.core.roles import Role
from sqm.feedback.links import complaint_rule as rule
from sqm.feedback.links import devsample, services
from sqm.feedback.links.models import ComplaintRule, FollowUpOutcome, QrCode, RatingFollowUp
from sqm.feedback.models import Rating
from sqm.feedback.tests.factories import RatingFactory, ResolvedTicketFactory
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import Status, Ticket, TicketType

LEX = rule.Lexicon.parse()


# --- the scorer (pure) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("服务很满意，谢谢！", False),
        ("不满意", True),
        ("对处理结果不太满意", True),
        ("师傅态度不好", True),
        ("态度差，太慢了，我要投诉", True),
        ("一点都不慢，问题也解决了，很好", False),
        ("没有问题，谢谢", False),
        ("不好用", True),
        ("虽然价格不错，但是送货太慢了，再也不买了", True),
        ("客服很耐心，推荐", False),
        ("The agent was not helpful at all", True),
        ("Terrible wait, I want a refund", True),
        ("Very helpful and quick, thank you", False),
        ("", False),
        ("嗯", False),
    ],
)
def test_scorer_reads_complaints_with_negation(text, complaint):
    assert rule.score(text, LEX).complaint is complaint, rule.score(text, LEX)


def test_negation_flips_praise_and_softens_complaint_words():
    assert rule.score("满意", LEX).score < 0 < rule.score("不满意", LEX).score
    assert rule.score("不太好", LEX).score > 0
    slow, not_slow = rule.score("慢", LEX).score, rule.score("不慢", LEX).score
    assert slow > 0 > not_slow and abs(not_slow) == pytest.approx(slow * rule.NEGATED_COMPLAINT)
    off = rule.Lexicon.parse(negation_handling=False)
    assert rule.score("不太满意", off).complaint is False  # without negation handling 满意 counts as praise


def test_intensifier_contrast_and_terms_count_once():
    assert rule.score("非常差", LEX).score == pytest.approx(rule.score("差", LEX).score * rule.INTENSITY)
    plain = rule.score("差", LEX).score
    assert rule.score("不错，但是差", LEX).score == pytest.approx(-2 + plain * rule.CONTRAST)
    assert rule.score("差，差，差，差", LEX).score == pytest.approx(plain)


def test_verdict_explains_itself():
    verdict = rule.score("不满意，太慢", LEX)
    assert verdict.complaint and "不满意 +3.0" in verdict.explain() and "太慢" in verdict.explain()
    negated = rule.score("没有 满意", LEX)
    assert "¬满意" in negated.explain()


def test_word_lists_are_parsed_and_checked():
    terms = rule.parse_terms("# comment\n太慢 2\n态度 差 3\nnever again 3\n\n好 -1 # praise")
    assert terms == {("太慢",): 2.0, ("态度差",): 3.0, ("never", "again"): 3.0, ("好",): -1.0}
    for bad in ("太慢", "太慢 two", "太慢 11", "a b c d 1"):
        with pytest.raises(rule.LexiconError):
            rule.parse_terms(bad)


def test_threshold_is_the_cut():
    strict = rule.Lexicon.parse(threshold=Decimal("10"))
    assert rule.score("太慢了", LEX).complaint and not rule.score("太慢了", strict).complaint


# --- precision and recall on the real development sample ----------------------------------------

PRECISION_FLOOR = 0.85
RECALL_FLOOR = 0.62


def test_precision_and_recall_on_the_development_sample():
    """Measured: about 0.90 precision and 0.67–0.70 recall (docs/feedback.md); the floors leave a
    margin. The held-out (odd-id) half must clear them too, not only the half the lists were
    tuned on."""
    reviews = devsample.load()
    if reviews is None:
        pytest.skip(
            f"development sample not found at {devsample.default_path()} (it lives in ../shared, never in the repo)"
        )
    everything = rule.evaluate([(r.text, r.complaint) for r in reviews], LEX)
    held_out = rule.evaluate([(r.text, r.complaint) for r in reviews if not r.even], LEX)
    assert everything.n == len(reviews) > 3000
    for counts in (everything, held_out):
        assert counts.precision >= PRECISION_FLOOR, counts.as_dict()
        assert counts.recall >= RECALL_FLOOR, counts.as_dict()


def test_development_sample_is_not_in_the_repository():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    assert not list(root.glob("sqm/**/feedback_dev_zh*")) and not list(root.glob("bench/**/*.csv"))


# --- the rule row, its page and API -------------------------------------------------------------


@pytest.mark.django_db
def test_rule_update_versions_audits_and_validates(users_by_role):
    manager = users_by_role[Role.QUALITY_MANAGER]
    first = services.complaint_rule_current()
    assert first.version == 1 and "投诉 3" in first.keywords_zh and first.score_threshold == 2
    changed = services.complaint_rule_update(actor=manager, score_threshold=1, keywords_zh="太慢 3\n满意 -2")
    assert changed.version == 2 and changed.updated_by == manager and changed.lexicon().terms[("太慢",)] == 3
    same = services.complaint_rule_update(actor=manager, score_threshold=1)
    assert same.version == 2, "no change, no new version"
    from sqm.audit.models import AuditEntry

    entry = AuditEntry.objects.filter(object_type="feedback.complaintrule").last()
    assert entry.changes["score_threshold"] == {"before": 2, "after": 1} and entry.changes["version"] == 2
    assert len(entry.changes["keywords_zh"]["after"]) == 64  # the long list is kept as its hash
    from sqm.core.errors import DomainError, PermissionDeniedError

    with pytest.raises(DomainError) as bad:
        services.complaint_rule_update(actor=manager, keywords_en="slow two")
    assert "keywords_en" in bad.value.errors and "Line 1" in str(bad.value.errors["keywords_en"][0])
    with pytest.raises(DomainError) as out:
        services.complaint_rule_update(actor=manager, score_threshold=6)
    assert "score_threshold" in out.value.errors
    with pytest.raises(DomainError):
        services.complaint_rule_update(actor=manager, comment_threshold="0")
    with pytest.raises(PermissionDeniedError):
        services.complaint_rule_update(actor=users_by_role[Role.AGENT], enabled=False)


@pytest.mark.django_db
def test_rule_page_shows_the_rule_scores_a_comment_and_saves(
    client_for, users_by_role, django_capture_on_commit_callbacks
):
    client = client_for(users_by_role[Role.QUALITY_MANAGER])
    client.cookies["sqm_language"] = "en"
    url = reverse("feedback:links_rule")
    page = client.get(url, {"text": "态度太差了"})
    html = page.content.decode()
    assert page.status_code == 200 and "v1" in html and "2 stars or fewer" in html
    assert 'data-complaint="1"' in html and "Reads as a complaint" in html
    data = {
        "enabled": "on",
        "score_threshold": "1",
        "comment_enabled": "on",
        "comment_threshold": "2.5",
        "negation_handling": "on",
        "keywords_zh": "太慢 3",
        "keywords_en": "slow 2",
        "negations": "不 没有",
        "intensifiers": "很",
    }
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, data)
    assert saved.status_code == 302
    current = ComplaintRule.objects.get()
    assert current.version == 2 and current.score_threshold == 1 and current.comment_threshold == Decimal("2.5")
    assert current.measured["version"] == 2 and current.measured["own"] is None  # measured on commit
    broken = client.post(url, {**data, "keywords_zh": "太慢 lots"})
    assert broken.status_code == 400 and "Line 1" in broken.content.decode()
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.QA_INSPECTOR):
        assert client_for(users_by_role[role]).get(url).status_code == 403


@pytest.mark.django_db
def test_measurement_on_own_comments(users_by_role):
    RatingFactory(score=1, comment="太慢了，态度也差")
    RatingFactory(score=2, comment="一般")
    RatingFactory(score=5, comment="非常满意，谢谢")
    RatingFactory(score=3, comment="差")  # 3 stars: left out
    RatingFactory(score=1, comment="太慢了", counted=False)  # not counted: left out
    measured = services.complaint_rule_measure()
    assert measured["own"]["n"] == 3 and measured["own"]["tp"] == 2 and measured["own"]["tn"] == 1
    assert ComplaintRule.objects.get().measured == measured
    if devsample.load() is not None:
        assert measured["sample"]["n"] > 3000 and measured["sample"]["precision"] > 0.8


@pytest.mark.django_db
def test_rule_api_get_and_patch(users_by_role):
    from django.test import Client

    from sqm.org.services import api_token_create

    key = api_token_create(actor=users_by_role[Role.ADMIN], user=users_by_role[Role.ADMIN], name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    got = client.get("/api/feedback/links/rule").json()
    assert got["version"] == 1 and got["score_threshold"] == 2 and "投诉 3" in got["keywords_zh"]
    patched = client.patch("/api/feedback/links/rule", {"comment_enabled": False}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["comment_enabled"] is False and patched.json()["version"] == 2
    assert patched.json()["score_threshold"] == 2, "omitted fields keep their value"
    for bad, field in (({"score_threshold": 7}, "score_threshold"), ({"comment_threshold": "0"}, "comment_threshold")):
        response = client.patch("/api/feedback/links/rule", bad, content_type="application/json")
        assert response.status_code == 422 and response.json()["detail"][0]["field"].endswith(field)
    wrong = client.patch("/api/feedback/links/rule", {"keywords_zh": "太慢 x"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["detail"][0]["field"] == "keywords_zh"
    nulls = client.patch("/api/feedback/links/rule", {"enabled": None}, content_type="application/json")
    assert nulls.status_code == 422


# --- the automatic complaint ticket -------------------------------------------------------------


def _closed_ticket():
    return ResolvedTicketFactory(status=Status.CLOSED, closed_at=timezone.now(), subject="宽带断网", language="zh")


@pytest.mark.django_db(transaction=True)
def test_low_rating_opens_one_linked_complaint_ticket():
    ticket = _closed_ticket()
    token = services.link_token(ticket_id=ticket.pk, customer_id=ticket.customer_id)
    rating, _ = services.link_rating_submit(token=token, score=1, comment="修了三次还是断网")
    follow_up = RatingFollowUp.objects.get(rating=rating)
    complaint = follow_up.ticket
    assert follow_up.outcome == FollowUpOutcome.TICKET and follow_up.rule == "low_score"
    assert complaint.type == TicketType.COMPLAINT and complaint.customer_id == ticket.customer_id
    assert complaint.channel == "web" and ticket.number in complaint.subject
    assert "修了三次还是断网" in complaint.description and complaint.created_by_id == ticket.customer_id
    assert complaint.messages.count() == 1
    services.link_rating_submit(token=token, score=2, comment="还是不行")  # changed: the rule runs again
    services.complaint_check(rating.pk)
    assert RatingFollowUp.objects.count() == 1
    assert Ticket.objects.filter(type=TicketType.COMPLAINT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_complaint_like_comment_opens_a_ticket_even_with_good_score():
    ticket = _closed_ticket()
    token = services.link_token(ticket_id=ticket.pk, customer_id=ticket.customer_id)
    rating, _ = services.link_rating_submit(token=token, score=4, comment="结果还行，但是客服态度差，太慢了")
    follow_up = RatingFollowUp.objects.get(rating=rating)
    assert follow_up.rule == "comment" and "态度差" in follow_up.reason and follow_up.ticket is not None
    happy = _closed_ticket()
    services.link_rating_submit(
        token=services.link_token(ticket_id=happy.pk, customer_id=happy.customer_id), score=5, comment="非常满意"
    )
    assert RatingFollowUp.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_rule_off_flagged_and_anonymous_ratings(users_by_role):
    manager = users_by_role[Role.QUALITY_MANAGER]
    services.complaint_rule_update(actor=manager, enabled=False)
    ticket = _closed_ticket()
    services.link_rating_submit(token=services.link_token(ticket_id=ticket.pk, customer_id=ticket.customer_id), score=1)
    assert not RatingFollowUp.objects.exists()
    services.complaint_rule_update(actor=manager, enabled=True)
    flagged = RatingFactory(score=1, counted=False)
    assert services.complaint_check(flagged.pk) is None
    code = QrCode.objects.create(
        token="t-anon", label="大厅", team=TeamFactory(), created_by=manager, created_at=timezone.now()
    )
    outcome = services.qr_rating_submit(
        code=code,
        client=services.QrClient("c", "10.1.1.1", "ua"),
        score=1,
        comment="排队一小时",
        stamp=services.form_stamp(code, at=timezone.now() - timezone.timedelta(seconds=30)),
    )
    follow_up = RatingFollowUp.objects.get(rating=outcome.rating)
    assert follow_up.outcome == FollowUpOutcome.ANONYMOUS and follow_up.ticket is None
    assert Ticket.objects.filter(type=TicketType.COMPLAINT).count() == 0


@pytest.mark.django_db
def test_follow_up_list_page_and_api(client_for, users_by_role, django_assert_max_num_queries):
    manager = users_by_role[Role.QUALITY_MANAGER]
    for n in range(12):
        ticket = _closed_ticket()
        rating = RatingFactory(ticket=ticket, score=1, comment=f"太慢 {n}")
        services.complaint_check(rating.pk)
    assert RatingFollowUp.objects.filter(ticket__isnull=False).count() == 12
    client = client_for(users_by_role[Role.AGENT])
    client.cookies["sqm_language"] = "en"
    with django_assert_max_num_queries(8):
        page = client.get(reverse("feedback:links_follow_ups"))
    html = page.content.decode()
    assert page.status_code == 200 and html.count("data-follow-up=") == 12 and "太慢 11" in html
    assert client_for(users_by_role[Role.CUSTOMER]).get(reverse("feedback:links_follow_ups")).status_code == 403
    from django.test import Client

    from sqm.org.services import api_token_create

    key = api_token_create(actor=manager, user=manager, name="t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    with django_assert_max_num_queries(6):
        first = api.get("/api/feedback/links/follow-ups", {"limit": 5}).json()
    assert len(first["items"]) == 5 and first["next_before"] is not None
    item = first["items"][0]
    assert set(item) >= {
        "rating_id",
        "score",
        "comment",
        "rule",
        "outcome",
        "ticket_id",
        "ticket_number",
        "rated_ticket",
    }
    assert item["ticket_number"].startswith("T") and item["score"] == 1
    rest = api.get("/api/feedback/links/follow-ups", {"before": first["next_before"], "limit": 50}).json()
    assert len(rest["items"]) == 7 and rest["next_before"] is None
    assert Rating.objects.count() == 12 and UserFactory  # factories used above
