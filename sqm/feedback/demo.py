"""Demo ratings: a year of what customers said about their closed tickets, written in bulk.

``sqm demo`` runs this after the tickets (:mod:`sqm.tickets.demo`). About 30 % of the closed
tickets get a rating, most within hours of closure (the rating link), some days later or by
phone. Scores are mostly 4 and 5, lower for complaints, and clearly lower when the ticket's SLA
was breached (read from its ``met`` SLA events) or when it had to be reopened; praise is nearly
always 5. About 40 % also answer the 0–10 "would you recommend us" question, in line with their
score; almost half leave a comment from :mod:`sqm.feedback.demo_comments` in the ticket's
language. A few ratings were changed within the window, and a few abusive ones are excluded
from the KPIs by the quality manager.

Bulk, not services (a service call per rating would take minutes): rows are written with the
tickets demo's bulk writer, and the audit chain gets one ``import`` entry that counts them and
holds a SHA-256 over the rated ticket ids.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import random
from typing import Any

from django.db import connection

from sqm.feedback import demo_comments as words

SHARE = 0.30  # of closed tickets rated
RECOMMEND_SHARE = 0.40
COMMENT_SHARE = 0.45
CHANGED_SHARE = 0.04  # changed within the window
FLAGGED_SHARE = 0.08  # of the 1-star ratings: abusive, excluded by the quality manager
SCORES = (1, 2, 3, 4, 5)
WEIGHTS = {  # of 1 … 5 stars
    "consultation": (2, 3, 7, 26, 62),
    "fault": (3, 4, 9, 28, 56),
    "complaint": (9, 11, 18, 30, 32),
    "suggestion": (2, 3, 10, 30, 55),
    "praise": (0, 0, 2, 10, 88),
}
BREACHED = (4.0, 3.5, 1.8, 0.8, 0.5)  # an SLA breach makes low scores likelier
REOPENED = (3.0, 2.5, 1.5, 0.9, 0.6)
RECOMMEND = {1: (0, 4), 2: (1, 5), 3: (4, 7), 4: (7, 9), 5: (8, 10)}  # 0–10 range by score
SOURCES = (("ticket_link", 70), ("portal", 20), ("phone", 10))
COLUMNS = (
    "ticket", "customer", "agent", "team", "source", "score", "recommend", "comment", "counted", "flag_reason",
    "flagged_by", "flagged_at", "created_at", "updated_at",
)  # fmt: skip


def _cum(weights: tuple[float, ...]) -> list[float]:
    out, total = [], 0.0
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _pick(rng: random.Random, options: tuple[Any, ...], cum: list[float]) -> Any:
    return options[bisect.bisect(cum, rng.random() * cum[-1])]


def _comment(rng: random.Random, lang: str, score: int, kind: str, breached: bool) -> str:
    if rng.random() >= COMMENT_SHARE + (0.25 if score <= 2 else 0):  # unhappy customers write more
        return ""
    if breached and score <= 4 and rng.random() < 0.5:
        bank = words.SLOW
    elif kind == "complaint" and score >= 3 and rng.random() < 0.4:
        bank = words.COMPLAINT
    else:
        bank = words.PRAISE if score >= 4 else words.NEUTRAL if score == 3 else words.UNHAPPY
    texts = bank.get(lang) or bank["zh"]
    return texts[int(rng.random() * len(texts))]


def _db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Rate about 30 % of the demo's closed tickets; returns a summary."""
    from sqm.audit.services import audit_append
    from sqm.core.roles import Role
    from sqm.feedback.models import Rating
    from sqm.org.models import User
    from sqm.tickets.demo import END, WINDOW_START, Table
    from sqm.tickets.models import SlaEvent, Status, Ticket

    ours = random.Random(rng.getrandbits(64))  # later loaders see the same rng whatever happens here
    admin = shared["org"].admin
    now = dt.datetime.combine(WINDOW_START, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    now += dt.timedelta(seconds=END)
    manager = User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk").first()
    breached = set(SlaEvent.objects.filter(kind="met", on_time=False).values_list("ticket_id", flat=True))
    already = set(Rating.objects.filter(ticket__isnull=False).values_list("ticket_id", flat=True))
    tickets = (
        Ticket.objects.filter(status=Status.CLOSED, assignee__isnull=False)
        .order_by("pk")
        .values_list("pk", "type", "language", "customer_id", "assignee_id", "team_id", "closed_at", "reopen_count")
    )
    cums = {
        (kind, late, again): _cum(
            tuple(w * (BREACHED[i] if late else 1) * (REOPENED[i] if again else 1) for i, w in enumerate(WEIGHTS[kind]))
        )
        for kind in WEIGHTS
        for late in (False, True)
        for again in (False, True)
    }
    sources = tuple(name for name, _w in SOURCES)
    source_cum = _cum(tuple(float(w) for _n, w in SOURCES))
    rows: list[tuple[Any, ...]] = []
    rated: list[int] = []
    recommended = happy = total = 0
    for pk, kind, lang, customer, agent, team, closed_at, reopens in tickets.iterator(chunk_size=10_000):
        if pk in already or ours.random() >= SHARE:
            continue
        source = _pick(ours, sources, source_cum)
        if source == "ticket_link" and ours.random() < 0.75:
            delay = dt.timedelta(minutes=2 + ours.random() * 180)
        else:
            delay = dt.timedelta(hours=1 + ours.random() * 70)
        created = closed_at + delay
        if created >= now:
            continue  # not rated yet on the demo's day
        late = pk in breached
        score = _pick(ours, SCORES, cums[kind if kind in WEIGHTS else "consultation", late, bool(reopens)])
        recommend = None
        if ours.random() < RECOMMEND_SHARE:
            low, high = RECOMMEND[score]
            recommend = ours.randint(low, high)
            recommended += 1
        comment = _comment(ours, lang or "zh", score, kind, late)
        updated = created
        if ours.random() < CHANGED_SHARE:
            updated = min(created + dt.timedelta(hours=1 + ours.random() * 100), now - dt.timedelta(minutes=1))
        counted, reason, flagged_by, flagged_at = True, "", None, None
        if score == 1 and manager is not None and ours.random() < FLAGGED_SHARE:
            flagged_at = min(updated + dt.timedelta(days=1 + ours.random() * 3), now - dt.timedelta(minutes=1))
            if flagged_at > updated:
                counted, flagged_by = False, manager.pk
                reason = words.FLAG_REASONS[int(ours.random() * len(words.FLAG_REASONS))]
                updated = flagged_at
            else:
                flagged_at = None
        rows.append((
            pk, customer, agent, team, source, score, recommend, comment, counted, reason, flagged_by,
            None if flagged_at is None else _db_time(flagged_at), _db_time(created), _db_time(updated),
        ))  # fmt: skip
        rated.append(pk)
        total += score
        happy += score >= 4
    Table(Rating, COLUMNS).write(rows)
    audit_append(
        actor=admin,
        action="import",
        object_type="feedback.rating",
        object_id="demo",
        object_repr="demo ratings",
        changes={
            "ratings": len(rows),
            "with_recommendation": recommended,
            "excluded": sum(1 for r in rows if not r[8]),
            "ticket_ids_sha256": hashlib.sha256(",".join(map(str, rated)).encode()).hexdigest(),
        },
    )
    n = max(len(rows), 1)
    extra = [_area_demo(name, rng, shared) for name in ("links", "surveys")]
    return "; ".join(
        [
            f"{len(rows):,} ratings (average {total / n:.2f}, {happy / n:.0%} with 4–5 stars, "
            f"{recommended:,} with a 0–10 recommendation)",
            *filter(None, extra),
        ]
    )


def _area_demo(name: str, rng: random.Random, shared: dict[str, Any]) -> str:
    """Run ``sqm/feedback/<name>/demo.py`` (QR codes and links; surveys, visits, mystery shoppers)."""
    import importlib

    try:
        module = importlib.import_module(f"sqm.feedback.{name}.demo")
    except ModuleNotFoundError as exc:
        if exc.name != f"sqm.feedback.{name}.demo":
            raise
        return ""
    return str(module.load(rng=rng, shared=shared))
