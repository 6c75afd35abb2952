"""Factories and helpers for inspection tests: they write rows directly (no audit entries), so a
test sets up exactly the world it needs and then exercises the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sqm.core.roles import Role
from sqm.inspections.models import (
    Inspection,
    InspectionStatus,
    SampleReason,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
    ScorecardStatus,
)
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import MessageKind, Status, TicketMessage, TicketType
from sqm.tickets.tests.factories import TicketFactory

PERIOD = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))

# (weight, critical, max_points)
DEFAULT_ITEMS: tuple[tuple[str, bool, int], ...] = (
    ("40", False, 4),
    ("30", False, 4),
    ("25", False, 2),
    ("5", True, 1),
)

_codes = iter(range(1, 1_000_000))


def make_scorecard(
    items: Sequence[tuple[str, bool, int]] = DEFAULT_ITEMS,
    *,
    status: str = ScorecardStatus.EFFECTIVE,
    code: str | None = None,
    effective_from: dt.date | None = dt.date(2020, 1, 1),
    sections: int = 2,
) -> Scorecard:
    """A scorecard with ``sections`` sections sharing ``items`` round-robin."""
    card = Scorecard.objects.create(
        code=code or f"T-{next(_codes)}",
        version=1,
        name_zh="测试评分表",
        name_en="Test scorecard",
        status=status,
        effective_from=effective_from if status != ScorecardStatus.DRAFT else None,
        created_at=timezone.now(),
    )
    made = [
        ScorecardSection.objects.create(scorecard=card, position=n, name_zh=f"部分{n}", name_en=f"Part {n}")
        for n in range(1, sections + 1)
    ]
    for n, (weight, critical, max_points) in enumerate(items, start=1):
        ScorecardItem.objects.create(
            scorecard=card,
            section=made[(n - 1) % len(made)],
            position=n,
            text_zh=f"项目{n}",
            text_en=f"Item {n}",
            weight=Decimal(weight),
            critical=critical,
            max_points=max_points,
        )
    return card


def local(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def handled_ticket(
    agent: Any, *, ticket_type: str = TicketType.CONSULTATION, day: dt.date = dt.date(2024, 3, 10), team: Any = None
) -> Any:
    """A ticket ``agent`` resolved on ``day``, with a customer message and the agent's reply."""
    at = local(day)
    ticket = TicketFactory(
        type=ticket_type,
        assignee=agent,
        team=team if team is not None else agent.team,
        status=Status.CLOSED,
        created_at=at - dt.timedelta(hours=3),
        updated_at=at,
        resolved_at=at,
        closed_at=at,
    )
    TicketMessage.objects.create(
        ticket=ticket, kind=MessageKind.CUSTOMER, body="宽带断了，怎么办？", created_at=at - dt.timedelta(hours=3)
    )
    TicketMessage.objects.create(
        ticket=ticket,
        kind=MessageKind.REPLY,
        author=agent,
        body="您好，已为您重启端口。",
        created_at=at - dt.timedelta(hours=1),
    )
    return ticket


def make_inspection(
    *,
    inspector: Any,
    agent: Any | None = None,
    scorecard: Scorecard | None = None,
    status: str = InspectionStatus.ASSIGNED,
    ticket: Any = None,
    **extra: Any,
) -> Inspection:
    agent = agent or UserFactory(role=Role.AGENT, team=TeamFactory())
    ticket = ticket or handled_ticket(agent)
    now = timezone.now()
    return Inspection.objects.create(
        ticket=ticket,
        agent=agent,
        team=agent.team,
        inspector=inspector,
        scorecard=scorecard or make_scorecard(),
        reason=SampleReason.RANDOM,
        status=status,
        assigned_at=now,
        updated_at=now,
        **extra,
    )


def full_answers(card: Scorecard, points: dict[int, int | None] | None = None, **overrides: Any) -> dict[int, Any]:
    """Answers giving every item full points (or ``points[position]``), as the services take them."""
    from sqm.inspections.services import AnswerIn

    answers = {}
    for item in card.items.order_by("position"):
        value = (points or {}).get(item.position, item.max_points)
        comment = "关键项不合格：泄露了客户号码" if item.critical and value == 0 else ""
        answers[item.pk] = AnswerIn(points=value, not_applicable=value is None and not item.critical, comment=comment)
    return answers


__all__ = [
    "PERIOD",
    "TeamFactory",
    "UserFactory",
    "full_answers",
    "handled_ticket",
    "local",
    "make_inspection",
    "make_scorecard",
]
