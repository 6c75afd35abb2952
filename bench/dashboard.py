#!/usr/bin/env python
"""Benchmark of the KPI dashboard over a year of 1,000,000 tickets (not a test).

Builds (once per data directory / database) a year of data at a centre's real cardinality:

- 1,000,000 ticket rows over the 365 days up to today (``--tickets``), ``--active`` of them
  still active with SLA clocks (80 % on track, 15 % warning, 5 % breached), the rest closed;
- 10 teams, 50 agents, 7 channels, 5 ticket types, 40 categories;
- KPI rollups as the engine keeps them: day, ISO week and month × centre, each team, agent,
  channel, type and category × all 17 KPIs (about 830,000 rows), written in bulk;
- the facts behind the benchmark month for two KPIs (volume, SLA resolution compliance), so the
  drill-down pages page through a real month (about 170,000 facts).

Then measures, through Django's test client (the whole stack: middleware, session, views,
templates), p50/p95 over ``--repeat`` warm runs of the dashboard pages, with the number of SQL
queries each issues. **Reference** in the same run: the home page (session, user, menu, base
template; no KPI reads).

Run:  .venv/bin/python bench/dashboard.py --data-dir /tmp/sqm-dash
      .venv/bin/python bench/dashboard.py --data-dir /tmp/sqm-dash-pg \
          --database-url postgres://postgres@127.0.0.1:5432/h_dash
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MARK = "bench-dashboard"  # the customer user that marks a built data set


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="data directory (SQLite database, or empty with PostgreSQL)")
    parser.add_argument("--database-url", help="PostgreSQL database to use instead of SQLite")
    parser.add_argument("--repeat", type=int, default=30, help="runs per measurement (default 30)")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets in the year (default 1,000,000)")
    parser.add_argument("--active", type=int, default=2_000, help="of which still active (default 2,000)")
    return parser.parse_args()


def setup(args: argparse.Namespace) -> None:
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SQM_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqm.settings")
    os.environ.setdefault("SQM_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- building the year ---------------------------------------------------------------------------


def _shares(rng: random.Random, n: int) -> list[float]:
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    total = sum(weights)
    return [w / total for w in weights]


def _metric_cell(metric: str, v: int, rng: random.Random) -> tuple[int, int]:
    """A plausible (num, den) of ``metric`` for ``v`` tickets on one day in one slice."""
    if v <= 0:
        return 0, 0
    rated = int(v * rng.uniform(0.25, 0.35))
    resolved = int(v * rng.uniform(0.85, 0.97))
    responded = int(v * rng.uniform(0.9, 1.0))
    complaints = int(v * rng.uniform(0.02, 0.05))
    cells = {
        "volume": (v, 0),
        "complaints": (complaints, 0),
        "complaint_rate": (complaints, v),
        "csat": (int(rated * rng.uniform(0.8, 0.95)), rated),
        "avg_rating": (int(rated * rng.uniform(4.1, 4.7)), rated),
        "nps": (int(rated * rng.uniform(0.2, 0.5)), rated),
        "first_response_business": (responded * rng.randint(600, 2400), responded),
        "first_response_calendar": (responded * rng.randint(900, 4000), responded),
        "avg_response": (responded * 2 * rng.randint(600, 2400), responded * 2),
        "resolution_time_business": (resolved * rng.randint(20_000, 90_000), resolved),
        "resolution_time_calendar": (resolved * rng.randint(40_000, 180_000), resolved),
        "resolution_rate": (resolved, v),
        "fcr": (int(resolved * rng.uniform(0.6, 0.8)), resolved),
        "sla_response": (int(responded * rng.uniform(0.88, 0.99)), responded),
        "sla_resolution": (int(resolved * rng.uniform(0.85, 0.98)), resolved),
        "reopen_rate": (int(resolved * rng.uniform(0.01, 0.05)), resolved),
        "backlog": (v - resolved if rng.random() < 0.5 else -(v - resolved) // 2, 0),
    }
    return cells[metric]


def build(args: argparse.Namespace) -> None:
    from django.db import transaction
    from django.utils import timezone

    from sqm.core.roles import Role
    from sqm.kpis.models import KpiFact, KpiRollup
    from sqm.kpis.periods import period_start
    from sqm.org.models import Team, User
    from sqm.standards.catalogue import CATALOGUE
    from sqm.tickets.models import Category, Channel, SlaPolicy, Ticket, TicketClock, TicketType, WorkCalendar
    from sqm.tickets.sla.defaults import install_sla_defaults

    if User.objects.filter(username=MARK).exists():
        return
    started = time.perf_counter()
    print("building a year of data (one-off; a few minutes)…", flush=True)
    rng = random.Random(7)
    install_sla_defaults()
    customer = User.objects.create(username=MARK, display_name="基准客户", role=Role.CUSTOMER)
    User.objects.create(username="bench-qm", display_name="质量经理", role=Role.QUALITY_MANAGER)
    teams = [Team.objects.create(name=f"基准{i + 1:02d}组", code=f"BD{i + 1:02d}") for i in range(10)]
    agents = [
        User.objects.create(
            username=f"bench-agent-{i + 1:02d}", display_name=f"坐席{i + 1:02d}", role=Role.AGENT, team=teams[i // 5]
        )
        for i in range(50)
    ]
    lead = User.objects.create(username="bench-lead", display_name="组长", role=Role.TEAM_LEAD, team=teams[0])
    Team.objects.filter(pk=teams[0].pk).update(lead=lead)
    categories = [
        Category.objects.create(code=f"bd-cat-{i + 1:02d}", name_zh=f"类别{i + 1:02d}", name_en=f"Category {i + 1:02d}")
        for i in range(40)
    ]
    channels, types = list(Channel.values), list(TicketType.values)
    today = timezone.localdate()
    days = [today - dt.timedelta(days=i) for i in range(364, -1, -1)]
    per_day = args.tickets // len(days)

    # Tickets: one row each, spread over the year; the last ``active`` still being worked.
    tz = timezone.get_current_timezone()
    made = 0
    batch: list[Ticket] = []
    for index, day in enumerate(days):
        count = per_day + (args.tickets - per_day * len(days) if index == len(days) - 1 else 0)
        for _i in range(count):
            agent = rng.choice(agents)
            created = dt.datetime.combine(day, dt.time(8, 0), tz) + dt.timedelta(seconds=rng.randrange(0, 50_000))
            is_active = made >= args.tickets - args.active
            status = rng.choice(["new", "open", "open", "pending"]) if is_active else "closed"
            batch.append(
                Ticket(
                    type=rng.choice(types),
                    status=status,
                    channel=rng.choice(channels),
                    category=rng.choice(categories),
                    subject="宽带",
                    customer=customer,
                    created_by=customer,
                    team_id=agent.team_id,
                    assignee=None if (is_active and rng.random() < 0.1) else agent,
                    created_at=created,
                    updated_at=created,
                    closed_at=None if is_active else created + dt.timedelta(hours=5),
                )
            )
            made += 1
            if len(batch) >= 10_000:
                Ticket.objects.bulk_create(batch, batch_size=2_000)
                batch = []
    if batch:
        Ticket.objects.bulk_create(batch, batch_size=2_000)
    print(f"  {made:,} tickets ({time.perf_counter() - started:.0f} s)", flush=True)
    policy = SlaPolicy.objects.order_by("id").first()
    calendar = WorkCalendar.objects.order_by("-is_default", "id").first()
    now = timezone.now()
    clocks = [
        TicketClock(
            ticket_id=pk,
            policy=policy,
            calendar=calendar,
            response_minutes=60,
            resolution_minutes=1440,
            started_at=now,
            base_at=now,
            spent_before=dt.timedelta(0),
            paused_business=dt.timedelta(0),
            risk=rng.choices(["on_track", "warning", "breached"], [80, 15, 5])[0],
            updated_at=now,
        )
        for pk in Ticket.objects.exclude(status="closed").values_list("pk", flat=True)
    ]
    TicketClock.objects.bulk_create(clocks, batch_size=2_000)

    # Rollups: each day's tickets shared out over the keys of each dimension.
    slices: dict[str, list[str]] = {
        "team": [str(t.pk) for t in teams],
        "agent": [str(a.pk) for a in agents],
        "channel": channels,
        "type": types,
        "category": [str(c.pk) for c in categories],
    }
    shares = {dim: _shares(rng, len(keys)) for dim, keys in slices.items()}
    metrics = [code.value for code in CATALOGUE]
    sums: dict[tuple[str, dt.date, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    day_rows: list[KpiRollup] = []
    for day in days:
        volume = per_day + rng.randint(-300, 300)
        cells = [("centre", "", volume)] + [
            (dim, key, max(0, round(volume * share * rng.uniform(0.8, 1.2))))
            for dim, keys in slices.items()
            for key, share in zip(keys, shares[dim], strict=True)
        ]
        for dim, key, v in cells:
            for metric in metrics:
                num, den = _metric_cell(metric, v, rng)
                day_rows.append(
                    KpiRollup(grain="day", period_start=day, dimension=dim, key=key, metric=metric, num=num, den=den)
                )
                for grain in ("week", "month"):
                    cell = sums[(grain, period_start(day, grain), dim, key, metric)]
                    cell[0] += num
                    cell[1] += den
    rows = day_rows + [
        KpiRollup(grain=g, period_start=p, dimension=d, key=k, metric=m, num=n, den=e)
        for (g, p, d, k, m), (n, e) in sums.items()
    ]
    with transaction.atomic():
        for i in range(0, len(rows), 20_000):
            KpiRollup.objects.bulk_create(rows[i : i + 20_000], batch_size=2_000)
    print(f"  {len(rows):,} rollup rows ({time.perf_counter() - started:.0f} s)", flush=True)

    # Facts behind this month for volume and SLA resolution (what the drill-down pages through).
    month = today.replace(day=1)
    facts: list[KpiFact] = []
    month_tickets = Ticket.objects.filter(created_at__date__gte=month).values_list(
        "pk", "team_id", "assignee_id", "channel", "type", "category_id", "created_at"
    )
    for pk, team_id, agent_id, channel, kind, category_id, created in month_tickets.iterator(chunk_size=5_000):
        day = timezone.localtime(created).date()
        common = {
            "source": "ticket",
            "source_id": pk,
            "day": day,
            "ticket_id": pk,
            "team_id": team_id,
            "agent_id": agent_id,
            "channel": channel,
            "ticket_type": kind,
            "category_id": category_id,
        }
        facts.append(KpiFact(metric="volume", num=1, den=0, **common))
        facts.append(KpiFact(metric="sla_resolution", num=int(rng.random() < 0.93), den=1, **common))
        if len(facts) >= 20_000:
            KpiFact.objects.bulk_create(facts, batch_size=2_000)
            facts = []
    if facts:
        KpiFact.objects.bulk_create(facts, batch_size=2_000)
    print(f"  {KpiFact.objects.count():,} facts; built in {time.perf_counter() - started:.0f} s\n", flush=True)


# --- measuring -----------------------------------------------------------------------------------


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """p50 and p95 in milliseconds after three warm-up runs, and the last result."""
    for _ in range(3):
        result = fn()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)], result


def main() -> None:
    args = parse_args()
    setup(args)
    build(args)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sqm.kpis.models import KpiFact, KpiRollup
    from sqm.org.models import Team, User
    from sqm.tickets.models import ACTIVE_STATUSES, Ticket

    def client(username: str) -> Client:
        c = Client(HTTP_HOST="localhost")
        c.force_login(User.objects.get(username=username))
        return c

    manager, lead, agent = client("bench-qm"), client("bench-lead"), client("bench-agent-01")
    team = Team.objects.get(code="BD01")
    today = timezone.localdate()
    month = today.replace(day=1)
    vendor = connection.vendor
    version = connection.Database.sqlite_version if vendor == "sqlite" else connection.pg_version
    print(f"command:   {' '.join([sys.executable, *sys.argv])}")
    print(
        f"machine:   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{vendor} {version}; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"data size: {Ticket.objects.count():,} tickets ({Ticket.objects.filter(status__in=ACTIVE_STATUSES).count():,} "
        f"active), {KpiRollup.objects.count():,} rollup rows, {KpiFact.objects.count():,} facts; month {month:%Y-%m}"
    )

    def get(c: Client, url: str, **params: str) -> Callable[[], Any]:
        def run() -> Any:
            response = c.get(url, params)
            assert response.status_code == 200, (url, params, response.status_code)
            return response

        return run

    def queries(fn: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    ref50, ref95, _ = measure(get(manager, "/"), args.repeat)
    print(f"reference: home page (signed in): p50 {ref50:.1f} ms, p95 {ref95:.1f} ms\n")
    print(f"{'measurement':<62} {'p50 ms':>8} {'p95 ms':>8} {'× ref':>6} {'queries':>8}")
    cases = [
        ("dashboard, month, whole centre (manager) — the 200 ms goal", get(manager, "/kpis/")),
        ("dashboard, month, own team, breakdown by agent (lead)", get(lead, "/kpis/")),
        ("dashboard, month, own figures (agent)", get(agent, "/kpis/")),
        ("dashboard, week, whole centre", get(manager, "/kpis/", grain="week")),
        ("dashboard, day, whole centre, 30-day trend", get(manager, "/kpis/", grain="day")),
        ("dashboard, month, by category, backlog trend (running total)", get(manager, "/kpis/", by="category", metric="backlog")),
        ("dashboard, month, one agent chosen by the manager", get(manager, "/kpis/", scope=f"agent:{User.objects.get(username='bench-agent-07').pk}")),
        ("htmx: tiles (polled every 60 s)", get(manager, "/kpis/dashboard/tiles/", HTTP_HX_REQUEST="true")),
        ("htmx: live queue (polled every 30 s)", get(manager, "/kpis/dashboard/live/")),
        ("htmx: live queue of one team", get(manager, "/kpis/dashboard/live/", scope=f"team:{team.pk}")),
        ("htmx: breakdown by agent", get(manager, "/kpis/dashboard/breakdown/", by="agent")),
        ("drill-down: month's volume, centre, page 1", get(manager, "/kpis/dashboard/drill/", metric="volume")),
        ("drill-down: month's volume, centre, page 500", get(manager, "/kpis/dashboard/drill/", metric="volume", page="500")),
        ("drill-down: month's SLA resolution, one team, page 1", get(manager, "/kpis/dashboard/drill/", metric="sla_resolution", scope=f"team:{team.pk}")),
        ("export: breakdown by agent, Excel", get(manager, "/kpis/dashboard/export/", table="breakdown", by="agent", format="xlsx")),
        ("API: /api/kpis/dashboard/values (centre, month)", get(manager, "/api/kpis/dashboard/values")),
    ]  # fmt: skip
    for label, fn in cases:
        p50, p95, _ = measure(fn, args.repeat)
        print(f"{label:<62} {p50:8.1f} {p95:8.1f} {p50 / ref50:6.1f} {queries(fn):8d}", flush=True)


if __name__ == "__main__":
    main()
