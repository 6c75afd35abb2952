"""The demo's ratings: about 30 % of the closed tickets, mostly 4–5 stars, worse for complaints and
breached SLAs, some with a 0–10 recommendation, comments in the ticket's language, written in
bulk with one audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import statistics
from itertools import chain

import pytest

from sqm.feedback import demo, demo_comments

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated():
    from sqm.org import demo as org_demo
    from sqm.tickets import demo as tickets_demo
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults()
    rng = random.Random(11)
    shared: dict = {"tickets": 4000}
    org_demo.load(rng=rng, shared=shared)
    tickets_demo.load(rng=rng, shared=shared)
    return demo.load(rng=rng, shared=shared)


def test_demo_ratings_are_believable(rated):
    from sqm.audit.models import AuditEntry
    from sqm.audit.services import chain_verify
    from sqm.feedback.models import Rating
    from sqm.tickets.models import SlaEvent, Ticket

    ratings = list(Rating.objects.filter(ticket__isnull=False).select_related("ticket").order_by("ticket_id"))
    closed = Ticket.objects.filter(status="closed").count()
    assert 0.25 < len(ratings) / closed < 0.35, (len(ratings), closed)
    assert f"{len(ratings):,} ratings" in rated
    scores = [r.score for r in ratings]
    assert sum(s >= 4 for s in scores) / len(scores) > 0.7, "mostly 4 and 5"
    assert set(scores) == {1, 2, 3, 4, 5}
    late = set(SlaEvent.objects.filter(kind="met", on_time=False).values_list("ticket_id", flat=True))

    def mean(rows):
        return statistics.mean(r.score for r in rows)

    complaints = [r for r in ratings if r.ticket.type == "complaint"]
    others = [r for r in ratings if r.ticket.type != "complaint"]
    assert mean(complaints) < mean(others) - 0.3
    breached = [r for r in ratings if r.ticket_id in late]
    on_time = [r for r in ratings if r.ticket_id not in late]
    assert breached and mean(breached) < mean(on_time) - 0.3
    with_recommend = [r for r in ratings if r.recommend is not None]
    assert 0.33 < len(with_recommend) / len(ratings) < 0.47
    for r in with_recommend:
        low, high = demo.RECOMMEND[r.score]
        assert low <= r.recommend <= high
    texts = set(
        chain.from_iterable(
            bank[lang]
            for bank in (
                demo_comments.PRAISE,
                demo_comments.NEUTRAL,
                demo_comments.UNHAPPY,
                demo_comments.SLOW,
                demo_comments.COMPLAINT,
            )
            for lang in bank
        )
    )
    commented = [r for r in ratings if r.comment]
    assert 0.35 < len(commented) / len(ratings) < 0.65
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for r in ratings:
        ticket = r.ticket
        assert (r.customer_id, r.agent_id, r.team_id) == (ticket.customer_id, ticket.assignee_id, ticket.team_id)
        assert ticket.status == "closed" and ticket.closed_at < r.created_at <= r.updated_at < now
        if r.comment:
            assert r.comment in texts
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in r.comment)
            assert chinese == (ticket.language == "zh"), (r.comment, ticket.language)
    excluded = [r for r in ratings if not r.counted]
    assert all(r.score == 1 and r.flag_reason and r.flagged_by_id for r in excluded)
    entry = AuditEntry.objects.get(object_type="feedback.rating", action="import")
    ids = ",".join(str(r.ticket_id) for r in ratings)
    assert entry.changes["ratings"] == len(ratings)
    assert entry.changes["ticket_ids_sha256"] == hashlib.sha256(ids.encode()).hexdigest()
    assert chain_verify().ok
