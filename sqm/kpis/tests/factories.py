"""Factories for KPI tests: facts and rollup cells written directly, without the engine.

:func:`add_fact` writes one fact and adds it to every rollup cell it belongs to (day, week and
month × the centre and each dimension the fact is counted under), as the incremental refresh
does, so figures, trends, breakdowns and drill-down agree. :func:`in_force` writes a standard
with an effective version holding one indicator.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.db.models import F

from sqm.kpis.models import Dimension, FactSource, Grain, KpiFact, KpiRollup
from sqm.kpis.periods import period_start
from sqm.standards.models import Indicator, Standard, VersionStatus
from sqm.standards.tests.factories import IndicatorFactory, StandardFactory, VersionFactory


class KpiFactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiFact

    source = FactSource.TICKET
    source_id = factory.Sequence(lambda n: n + 1)
    metric = "volume"
    day = factory.LazyFunction(dt.date.today)
    num = 1
    den = 0


class KpiRollupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiRollup

    grain = Grain.MONTH
    period_start = factory.LazyFunction(lambda: dt.date.today().replace(day=1))
    dimension = Dimension.CENTRE
    key = ""
    metric = "volume"
    num = 0
    den = 0


def cells_of(fact: KpiFact) -> list[tuple[str, str]]:
    """The (dimension, key) slices a fact is counted under: the centre and each set dimension."""
    slices = [(Dimension.CENTRE.value, "")]
    for dimension, value in (
        (Dimension.TEAM, fact.team_id),
        (Dimension.AGENT, fact.agent_id),
        (Dimension.CHANNEL, fact.channel),
        (Dimension.TYPE, fact.ticket_type),
        (Dimension.CATEGORY, fact.category_id),
    ):
        if value not in (None, ""):
            slices.append((dimension.value, str(value)))
    return slices


def add_fact(
    *,
    metric: str,
    day: dt.date,
    num: int,
    den: int = 0,
    ticket: Any = None,
    source: str = FactSource.TICKET,
    **dimensions: Any,
) -> KpiFact:
    """One fact plus its share of every rollup cell. With ``ticket`` its id, team, assignee,
    channel, type and category are the fact's unless given in ``dimensions``."""
    values: dict[str, Any] = {}
    if ticket is not None:
        values = {
            "ticket_id": ticket.pk,
            "team_id": ticket.team_id,
            "agent_id": ticket.assignee_id,
            "channel": ticket.channel,
            "ticket_type": ticket.type,
            "category_id": ticket.category_id,
        }
    values.update(dimensions)
    fact = KpiFactFactory(
        source=source,
        source_id=ticket.pk if ticket is not None else values.get("ticket_id") or 0,
        metric=metric,
        day=day,
        num=num,
        den=den,
        **values,
    )
    for grain in Grain:
        start = period_start(day, grain)
        for dimension, key in cells_of(fact):
            cell, _created = KpiRollup.objects.get_or_create(
                grain=grain, period_start=start, dimension=dimension, key=key, metric=metric
            )
            KpiRollup.objects.filter(pk=cell.pk).update(num=F("num") + num, den=F("den") + den)
    return fact


def retire_starter_library() -> None:
    """Take the shipped standards out of force, so a test judges against its own indicators only."""
    Standard.objects.update(is_retired=True)


def in_force(
    *,
    kpi: str,
    target: str,
    yellow: str,
    orange: str,
    red: str,
    direction: str = "higher",
    scope: str = "centre",
    scope_key: str = "",
    min_volume: int = 0,
    since: dt.date = dt.date(2020, 1, 1),
    code: str = "",
    standard_code: str = "",
) -> Indicator:
    """A standard with a version effective since ``since`` holding one indicator of ``kpi``."""
    standard = StandardFactory(**({"code": standard_code} if standard_code else {}))
    version = VersionFactory(standard=standard, number=1, status=VersionStatus.EFFECTIVE, effective_from=since)
    return IndicatorFactory(
        version=version,
        code=code or f"{kpi}-{scope}-{scope_key or 'all'}",
        kpi=kpi,
        direction=direction,
        target=Decimal(target),
        yellow=Decimal(yellow),
        orange=Decimal(orange),
        red=Decimal(red),
        scope=scope,
        scope_key=scope_key,
        min_volume=min_volume,
    )


def clock(ticket: Any, risk: str) -> Any:
    """An SLA clock at ``risk`` for ``ticket`` (written directly, under the default policy)."""
    from django.utils import timezone

    from sqm.tickets.models import SlaPolicy, TicketClock, WorkCalendar

    now = timezone.now()
    if not SlaPolicy.objects.exists() or not WorkCalendar.objects.exists():  # flushed by a transactional test
        from sqm.tickets.sla.defaults import install_sla_defaults

        install_sla_defaults()
    policy = SlaPolicy.objects.order_by("id").first()
    calendar = WorkCalendar.objects.order_by("-is_default", "id").first()
    assert policy is not None and calendar is not None
    return TicketClock.objects.create(
        ticket=ticket,
        policy=policy,
        calendar=calendar,
        response_minutes=60,
        resolution_minutes=600,
        started_at=now,
        base_at=now,
        spent_before=dt.timedelta(0),
        paused_business=dt.timedelta(0),
        risk=risk,
        updated_at=now,
    )


def dashboard_world(today: dt.date) -> Any:
    """Two teams (A with agents a1, a2 and lead; B with agent b1), a quality manager, tickets and
    facts for this month and the month before:

    - volume this month: a1 3 tickets, a2 2, b1 5 (centre 10); last month: a1 1, b1 1 (centre 2);
    - SLA resolution this month: a1 2 of 3 on time, a2 2 of 2, b1 3 of 5 (centre 7 of 10 = 70.0 %);
      last month: 1 of 2 (50.0 %);
    - active tickets now: 4 (one breached, one warning, one unassigned without a clock); closed
      tickets with breached clocks do not count.
    """
    from types import SimpleNamespace

    from sqm.core.roles import Role
    from sqm.kpis.periods import previous_period
    from sqm.org.tests.factories import TeamFactory, UserFactory
    from sqm.tickets.models import Status
    from sqm.tickets.tests.factories import CategoryFactory, TicketFactory

    lead = UserFactory(role=Role.TEAM_LEAD, display_name="组长甲")
    team_a = TeamFactory(name="一组", code="A01", lead=lead)
    team_b = TeamFactory(name="二组", code="B02")
    lead.team = team_a
    lead.save()
    a1 = UserFactory(role=Role.AGENT, team=team_a, display_name="坐席一")
    a2 = UserFactory(role=Role.AGENT, team=team_a, display_name="坐席二")
    b1 = UserFactory(role=Role.AGENT, team=team_b, display_name="坐席三")
    manager = UserFactory(role=Role.QUALITY_MANAGER)
    category = CategoryFactory(name_zh="宽带", name_en="Broadband")
    last_month = previous_period(today.replace(day=1), "month")
    tickets: dict[str, list[Any]] = {"a1": [], "a2": [], "b1": []}
    plan = [(a1, "a1", team_a, 3, 2, "web"), (a2, "a2", team_a, 2, 2, "phone"), (b1, "b1", team_b, 5, 3, "phone")]
    for agent, name, team, count, on_time, channel in plan:
        for i in range(count):
            ticket = TicketFactory(team=team, assignee=agent, channel=channel, category=category, status=Status.CLOSED)
            tickets[name].append(ticket)
            add_fact(metric="volume", day=today, num=1, ticket=ticket)
            add_fact(metric="sla_resolution", day=today, num=1 if i < on_time else 0, den=1, ticket=ticket)
    for agent, team, on_time in ((a1, team_a, 1), (b1, team_b, 0)):
        old = TicketFactory(team=team, assignee=agent, status=Status.CLOSED)
        add_fact(metric="volume", day=last_month, num=1, ticket=old)
        add_fact(metric="sla_resolution", day=last_month, num=on_time, den=1, ticket=old)
        clock(old, "breached")  # closed: never counted as live risk
    active = [
        TicketFactory(team=team_a, assignee=a1, status=Status.OPEN),
        TicketFactory(team=team_a, assignee=a2, status=Status.OPEN),
        TicketFactory(team=team_b, assignee=b1, status=Status.PENDING),
        TicketFactory(team=team_b, assignee=None, status=Status.NEW),
    ]
    clock(active[0], "breached")
    clock(active[1], "warning")
    clock(active[2], "on_track")
    return SimpleNamespace(
        lead=lead,
        team_a=team_a,
        team_b=team_b,
        a1=a1,
        a2=a2,
        b1=b1,
        manager=manager,
        category=category,
        tickets=tickets,
        active=active,
        last_month=last_month,
    )
