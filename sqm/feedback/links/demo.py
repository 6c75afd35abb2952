"""Demo QR codes, a year of QR ratings, rating invitations and complaints opened from ratings.

Run by :mod:`sqm.feedback.demo` after the ticket ratings. One QR code per team's service desk and
one for a few agents' badges (through the service, audited); a year of QR ratings written in
bulk (mostly 4–5 stars, some with a comment from :mod:`sqm.feedback.demo_comments`), plus a few
bot-like bursts — a dozen ratings from one device within a minute — stored as flagged and not
counted, as the live page would. Tickets closed in the demo's last three days got their rating
invitation. Finally the complaint rule runs, through the real service, on the five most recent
low ticket ratings, so the follow-up list shows real complaint tickets linked to them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from sqm.feedback import demo_comments as words

QR_RATINGS = 3000
BURSTS = 6
WEIGHTS = (3, 4, 10, 28, 55)  # of 1 … 5 stars
COMMENT_SHARE = 0.3
AGENT_CODES = 6
FOLLOW_UPS = 5


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    from sqm.audit.services import audit_append
    from sqm.core.roles import Role
    from sqm.feedback.links import services
    from sqm.feedback.links.models import InvitationStatus, QrRating, RatingInvitation
    from sqm.feedback.models import Rating, RatingSource
    from sqm.org.models import Team, User
    from sqm.tickets.demo import END, WINDOW_START
    from sqm.tickets.models import Status, Ticket

    ours = random.Random(rng.getrandbits(64))
    org = shared["org"]
    manager = User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk").first() or org.admin
    start = dt.datetime.combine(WINDOW_START, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    now = start + dt.timedelta(seconds=END)
    span = (now - start).total_seconds()

    codes = [
        services.qr_code_create(actor=manager, label=f"{team.name} 服务台", team=team)
        for team in Team.objects.filter(is_active=True).order_by("code")
    ]
    agents = list(User.objects.filter(role=Role.AGENT, is_active=True, team__isnull=False).order_by("pk"))
    for agent in ours.sample(agents, min(AGENT_CODES, len(agents))):
        codes.append(services.qr_code_create(actor=manager, label=f"{agent.display_name} 工牌", agent=agent))

    def device() -> str:
        return hashlib.sha256(ours.getrandbits(128).to_bytes(16, "big")).hexdigest()

    def comment(score: int) -> str:
        if ours.random() >= COMMENT_SHARE + (0.3 if score <= 2 else 0):
            return ""
        bank = words.PRAISE if score >= 4 else words.NEUTRAL if score == 3 else words.UNHAPPY
        lang = "en" if ours.random() < 0.08 else "zh"
        texts = bank.get(lang) or bank["zh"]
        return texts[int(ours.random() * len(texts))]

    planned: list[tuple[Any, str, int, str, dt.datetime, bool, str]] = []
    for _n in range(QR_RATINGS):
        code = codes[int(ours.random() * len(codes))]
        score = ours.choices((1, 2, 3, 4, 5), weights=WEIGHTS)[0]
        at = start + dt.timedelta(seconds=ours.random() * span)
        at = at.replace(hour=9 + int(ours.random() * 9))  # opening hours
        planned.append((code, device(), score, comment(score), min(at, now - dt.timedelta(minutes=5)), True, ""))
    reason = f"more than {services.BURST_DEVICE} ratings from one device in a minute"
    for _n in range(BURSTS):
        code, bot = codes[int(ours.random() * len(codes))], device()
        at = start + dt.timedelta(seconds=ours.random() * span)
        score = ours.choice((1, 5))  # a grudge or ballot stuffing
        for k in range(8 + int(ours.random() * 8)):
            counted = k < services.BURST_DEVICE
            planned.append((code, bot, score, "", at + dt.timedelta(seconds=3 * k), counted, "" if counted else reason))
    ratings = Rating.objects.bulk_create(
        [
            Rating(
                source=RatingSource.QR,
                agent_id=code.agent_id,
                team_id=code.team_id,
                score=score,
                comment=text,
                counted=counted,
                flag_reason=why,
                flagged_at=None if counted else at,
                created_at=at,
                updated_at=at,
            )
            for code, _d, score, text, at, counted, why in planned
        ],
        batch_size=1000,
    )
    QrRating.objects.bulk_create(
        [
            QrRating(rating_id=rating.pk, code=row[0], device=row[1], first_at=row[4], last_at=row[4])
            for rating, row in zip(ratings, planned, strict=True)
        ],
        batch_size=1000,
    )
    flagged = sum(1 for row in planned if not row[5])

    closed = list(
        Ticket.objects.filter(
            status=Status.CLOSED,
            closed_at__gte=now - services.INVITE_MAX_AGE,
            customer__role=Role.CUSTOMER,
            rating_invitation__isnull=True,
        )
        .select_related("customer")
        .order_by("pk")
    )
    RatingInvitation.objects.bulk_create(
        [
            RatingInvitation(
                ticket=t,
                customer=t.customer,
                status=InvitationStatus.SENT if t.customer.email else InvitationStatus.NO_ADDRESS,
                language=services._language_of(t),
                created_at=t.closed_at + dt.timedelta(minutes=3),
                sent_at=t.closed_at + dt.timedelta(minutes=3) if t.customer.email else None,
                attempts=1 if t.customer.email else 0,
            )
            for t in closed
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    audit_append(
        actor=org.admin,
        action="import",
        object_type="feedback.qrrating",
        object_id="demo",
        object_repr="demo QR ratings",
        changes={
            "qr_ratings": len(ratings),
            "flagged": flagged,
            "rating_ids_sha256": hashlib.sha256(",".join(str(r.pk) for r in ratings).encode()).hexdigest(),
        },
    )

    opened = 0
    low = (
        Rating.objects.filter(ticket__isnull=False, counted=True, score__lte=2, customer__is_active=True)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:FOLLOW_UPS]
    )
    for rating_id in list(low):
        follow_up = services.complaint_check(rating_id)
        opened += follow_up is not None and follow_up.ticket_id is not None
    return (
        f"{len(codes)} QR codes, {len(ratings):,} QR ratings ({flagged} flagged in {BURSTS} bursts), "
        f"{len(closed)} rating invitations, {opened} complaints opened from low ratings"
    )
