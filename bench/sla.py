#!/usr/bin/env python
"""Benchmark of the SLA clocks (not a test).

(a) Business-time arithmetic: ``BusinessCalendar.add`` (a due time) and ``.elapsed`` (time spent)
    per second, on China's calendar (Mon–Fri 09:00–18:00 with the statutory holidays and make-up
    days of the years ``chinese_calendar`` knows) and on a 24×7 calendar, against a **reference**
    of plain ``datetime + timedelta`` / ``b - a`` in the same run. Starts are random moments of
    2025–2026; targets random between 15 minutes and 3 working days.

(b) The SLA sweep (``sqm.tickets.sla.sweep.sweep``) with N open tickets of which M fall due
    (their response warning is due), each size in a fresh database: the sweep claims only the
    clocks whose ``next_check_at`` has passed, so its time should follow M, not N. **Reference**
    in the same database: one count over every open clock (what a sweep that looked at all open
    tickets would at least have to read).

The open tickets are copies of two real complaints opened through the services, written by
``INSERT … SELECT`` in batches of 100,000 (a million in about a minute). Each sweep is measured
five times (the fired warnings re-armed in between) and the median reported.

Run:  .venv/bin/python bench/sla.py                       (defaults: 10,000/100 and 100,000/100)
      .venv/bin/python bench/sla.py --sizes 10000:1000,1000000:1000
      .venv/bin/python bench/sla.py --database-url postgres://postgres@127.0.0.1:5432/sqm_bench_sla
      (the database must exist; its public schema is dropped and recreated for every size)
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is named like the standard library's ``queue``: keep this folder off the path.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=20_000, help="computations per arithmetic measurement")
    parser.add_argument("--sizes", default="10000:100,100000:100", help="open:due pairs for the sweep")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--skip-arithmetic", action="store_true")
    parser.add_argument("--one", default="", help=argparse.SUPPRESS)  # internal: one sweep size
    parser.add_argument("--data-dir", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- (a) arithmetic ---------------------------------------------------------------------------------


def china_calendar() -> Any:
    from sqm.tickets.sla import china
    from sqm.tickets.sla.calendar import BusinessCalendar

    years = list(china.known_years())
    holidays, makeup = china.schedule(years)
    nine_to_six = ((dt.time(9), dt.time(18)),)
    weekly = {d: nine_to_six for d in range(5)}
    return BusinessCalendar(tz=SHANGHAI, weekly=weekly, holidays=frozenset(holidays), makeup_days=frozenset(makeup))


def rate(fn: Any, pairs: list[tuple[dt.datetime, Any]]) -> float:
    started = time.perf_counter()
    for a, b in pairs:
        fn(a, b)
    return len(pairs) / (time.perf_counter() - started)


def arithmetic(ops: int) -> list[tuple[str, float]]:
    from sqm.tickets.sla.calendar import BusinessCalendar, BusinessIndex

    rng = random.Random(4)
    start = dt.datetime(2025, 1, 1, tzinfo=SHANGHAI)
    starts = [start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400)) for _ in range(ops)]
    targets = [dt.timedelta(minutes=rng.randrange(15, 3 * 9 * 60)) for _ in range(ops)]
    ends = [s + dt.timedelta(seconds=rng.randrange(1, 10 * 86400)) for s in starts]
    adds = list(zip(starts, targets, strict=True))
    spans = list(zip(starts, ends, strict=True))
    rows = [
        ("reference: datetime + timedelta", rate(lambda a, b: a + b, adds)),
        ("reference: datetime - datetime", rate(lambda a, b: b - a, spans)),
    ]
    for name, calendar in (
        ("China 9–18 + holidays", china_calendar()),
        ("24×7", BusinessCalendar.always_open(SHANGHAI)),
    ):
        rows.append((f"{name}: add (due time)", rate(calendar.add, adds)))
        rows.append((f"{name}: elapsed (time spent)", rate(calendar.elapsed, spans)))
    # The precomputed view the demo uses for its year of tickets (same answers, in whole seconds).
    index = BusinessIndex(china_calendar(), start, dt.timedelta(days=2 * 365 + 30))
    seconds = [(int((s - start).total_seconds()), int(t.total_seconds())) for s, t in adds]
    ranges = [(int((a - start).total_seconds()), int((b - start).total_seconds())) for a, b in spans]
    rows.append(("China 9–18 + holidays, BusinessIndex: add", rate(index.add, seconds)))
    rows.append(("China 9–18 + holidays, BusinessIndex: elapsed", rate(index.elapsed, ranges)))
    return rows


# --- (b) sweep ----------------------------------------------------------------------------------------


def setup_django(data_dir: str, database_url: str) -> None:
    os.environ["SQM_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "sqm.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    if database_url:
        from django.db import connection

        with connection.cursor() as cursor:  # a clean schema for every size
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def template_clock(at: dt.datetime, agent: Any) -> tuple[Any, Any]:
    """A real complaint opened at ``at`` (through the services), to copy."""
    from django.utils import timezone

    from sqm.core.roles import Role
    from sqm.org.models import User
    from sqm.tickets import services
    from sqm.tickets.models import TicketClock

    real_now = timezone.now
    timezone.now = lambda: at  # type: ignore[assignment]
    try:
        customer = User.objects.create(username=f"bench-c-{at:%H%M}", role=Role.CUSTOMER)
        ticket, _ = services.ticket_create(
            actor=customer, customer=customer, type="complaint", subject="宽带断网", channel="web"
        )
    finally:
        timezone.now = real_now  # type: ignore[assignment]
    return ticket, TicketClock.objects.get(ticket=ticket)


def _series(count: int) -> str:
    """SQL giving ``n`` = 0 … count-1 (a row source for ``INSERT … SELECT``)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"SELECT generate_series(0, {count - 1}) AS n"
    return f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {count - 1}) SELECT n FROM s"


def _copy_rows(template_ticket: int, template_clock: int, count: int, agent_id: int, label: str) -> None:
    """``count`` copies of a ticket and its clock, in two ``INSERT … SELECT`` statements (bulk, bounded:
    a million rows in about a minute instead of minutes through the ORM)."""
    from django.db import connection

    from sqm.tickets.models import Ticket, TicketClock

    quote = connection.ops.quote_name
    ticket_columns = [f.column for f in Ticket._meta.concrete_fields if not f.primary_key]
    picks = []
    for column in ticket_columns:
        if column == "subject":
            picks.append(f"t.{quote(column)} || ' {label}' || CAST(s.n AS TEXT)")
        elif column == "assignee_id":
            picks.append(str(int(agent_id)))
        else:
            picks.append(f"t.{quote(column)}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM tickets_ticket")
        before = cursor.fetchone()[0] or 0
        series = _series(count)
        sql = (
            f"INSERT INTO tickets_ticket ({', '.join(map(quote, ticket_columns))}) "
            f"SELECT {', '.join(picks)} FROM ({series}) s, tickets_ticket t WHERE t.id = %s"
        )
        cursor.execute(sql, [template_ticket])
        clock_columns = [f.column for f in TicketClock._meta.concrete_fields if not f.primary_key]
        clock_picks = ["n.id" if c == "ticket_id" else f"c.{quote(c)}" for c in clock_columns]
        cursor.execute(
            f"INSERT INTO tickets_ticketclock ({', '.join(map(quote, clock_columns))}) "
            f"SELECT {', '.join(clock_picks)} FROM tickets_ticket n, tickets_ticketclock c "
            f"WHERE c.id = %s AND n.id > %s",
            [template_clock, before],
        )


def fill(open_count: int, due_count: int, now: dt.datetime) -> None:
    """``open_count`` open complaints with clocks; the warning of ``due_count`` of them is due at ``now``.

    Two real complaints are opened through the services (one 50 minutes ago: its response warning,
    at 45 minutes, is due; one 5 minutes ago: not yet); the rest are copies of them made in bulk
    by SQL, in batches of 100,000, one transaction each.
    """
    from django.db import transaction

    from sqm.core.roles import Role
    from sqm.org.models import User
    from sqm.tickets.models import Ticket

    agent = User.objects.create(username="bench-agent", role=Role.AGENT)
    due_ticket, due_clock = template_clock(now - dt.timedelta(minutes=50), agent)  # warn at 45 min
    later_ticket, later_clock = template_clock(now - dt.timedelta(minutes=5), agent)
    Ticket.objects.filter(pk__in=[due_ticket.pk, later_ticket.pk]).update(assignee=agent)
    batch = 100_000
    for template, clock, count, label in (
        (due_ticket, due_clock, due_count - 1, "d"),
        (later_ticket, later_clock, open_count - due_count - 1, "l"),
    ):
        made = 0
        while made < count:
            size = min(batch, count - made)
            with transaction.atomic():
                _copy_rows(template.pk, clock.pk, size, agent.pk, f"{label}{made}-")
            made += size


def _rearm(now: dt.datetime) -> None:
    """Undo a sweep: the fired warnings are due again and their events and notices are gone."""
    from django.db import transaction
    from django.db.models import F

    from sqm.tickets.models import Notification, SlaEvent, TicketClock

    with transaction.atomic():
        Notification.objects.all().delete()
        SlaEvent.objects.exclude(kind="started").delete()
        TicketClock.objects.filter(response_warned=True).update(
            response_warned=False, risk="on_track", next_check_at=F("warn_response_at")
        )


def _plan(now: dt.datetime) -> str:
    """The database's plan for the sweep's claim query (``sweep.due_clocks`` without the row locks,
    which EXPLAIN on SQLite cannot show), to see that it reads the due rows only."""
    from django.db import connection

    from sqm.tickets.models import TicketClock

    queryset = (
        TicketClock.objects.select_related("ticket__team__lead", "ticket__assignee", "calendar", "policy")
        .filter(next_check_at__lte=now)
        .order_by("next_check_at", "pk")[:200]
    )
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    steps = [str(row[-1]).strip().lstrip("-> ").split("  (cost")[0] for row in rows]
    return " / ".join(step for step in steps if "Scan" in step or "SCAN" in step or "SEARCH" in step)


def one_sweep(open_count: int, due_count: int, data_dir: str, database_url: str, repeat: int = 5) -> dict[str, Any]:
    setup_django(data_dir, database_url)
    from django.db import connection

    from sqm.tickets.models import Notification, SlaEvent, TicketClock
    from sqm.tickets.sla.sweep import sweep

    now = dt.datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI)  # a Monday, inside working hours
    started = time.perf_counter()
    fill(open_count, due_count, now)
    fill_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    started = time.perf_counter()
    open_clocks = TicketClock.objects.filter(resolution_met_at__isnull=True).count()
    scan_seconds = time.perf_counter() - started
    times, empties = [], []
    result = empty = None
    for _ in range(repeat):  # the first round also warms the process (imports, translations)
        events_before = SlaEvent.objects.count()
        started = time.perf_counter()
        result = sweep(now=now)
        times.append(time.perf_counter() - started)
        events = SlaEvent.objects.count() - events_before
        notifications = Notification.objects.count()
        started = time.perf_counter()
        empty = sweep(now=now)  # nothing left: the cost of a sweep with no due tickets
        empties.append(time.perf_counter() - started)
        _rearm(now)
    return {
        "open": open_clocks,
        "due": due_count,
        "fill_seconds": fill_seconds,
        "scan_seconds": scan_seconds,
        "sweep_seconds": sorted(times)[len(times) // 2],
        "sweep_runs": times,
        "empty_sweep_seconds": sorted(empties)[len(empties) // 2],
        "clocks_fired": result.clocks,
        "events": events,
        "notifications": notifications,
        "second_sweep_clocks": empty.clocks,
        "plan": _plan(now),
        "vendor": connection.vendor,
    }


def sweeps(sizes: str, database_url: str) -> list[dict[str, Any]]:
    rows = []
    for pair in sizes.split(","):
        with tempfile.TemporaryDirectory(prefix="sqm-bench-sla-") as data_dir:
            command = [sys.executable, __file__, "--one", pair, "--data-dir", data_dir]
            if database_url:
                command += ["--database-url", database_url]
            out = subprocess.run(command, cwd=PROJECT_ROOT, check=True, capture_output=True, text=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  {pair}: {rows[-1]}", file=sys.stderr)
    return rows


def main() -> None:
    args = parse_args()
    if args.one:
        open_count, due_count = (int(x) for x in args.one.split(":"))
        print(json.dumps(one_sweep(open_count, due_count, args.data_dir, args.database_url)))
        return
    print(
        f"# {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {dt.date.today()}"
    )
    if not args.skip_arithmetic:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqm.settings")
        print(f"\n## Business-time arithmetic ({args.ops:,} computations each)\n")
        print("| computation | per second | ratio to reference |\n|---|---|---|")
        rows = arithmetic(args.ops)
        refs = {"add": rows[0][1], "elapsed": rows[1][1]}
        for name, per_second in rows:
            ref = refs["elapsed"] if ("elapsed" in name or "datetime - " in name) else refs["add"]
            print(f"| {name} | {per_second:,.0f} | {per_second / ref:.4f} |")
    print("\n## Sweep\n")
    print(
        "| open tickets | falling due | fill | sweep (median of 5) | per due ticket | empty sweep "
        "| reference: count open clocks | events | notifications |\n|---|---|---|---|---|---|---|---|---|"
    )
    rows = sweeps(args.sizes, args.database_url)
    for r in rows:
        print(
            f"| {r['open']:,} | {r['due']:,} ({r['clocks_fired']:,} fired) | {r['fill_seconds']:,.0f} s "
            f"| {r['sweep_seconds'] * 1000:,.0f} ms "
            f"| {r['sweep_seconds'] / max(r['due'], 1) * 1000:.2f} ms | {r['empty_sweep_seconds'] * 1000:.1f} ms "
            f"| {r['scan_seconds'] * 1000:,.0f} ms | {r['events']:,} | {r['notifications']:,} |"
        )
    print("\nPlans of the claim query:\n")
    for r in rows:
        print(f"- {r['open']:,} open: {r['plan']}")


if __name__ == "__main__":
    main()
