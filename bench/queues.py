#!/usr/bin/env python
"""Benchmark of the agent queues and text search on a large demo (not a test).

Runs :func:`sqm.tickets.selectors.queue` (what the queue pages and ``GET /api/tickets`` call) on
the demo's 1,000,000 tickets:

- team queue (active tickets, by priority): first page, for a random team each time;
- my queue (one agent's active tickets);
- a team's closed tickets by priority: first page and a deep page (the cursor after 200 pages);
- text search: in the active queue, in the closed tickets, and over all tickets, with a mix of
  terms (common and rare Chinese words of two and four characters, English, a ticket number,
  a word that occurs nowhere).

Reference, measured in the same run: opening one ticket by its primary key with the same joined
rows (``select_related``) the queue loads. Each figure is p50/p95 over ``--repeat`` runs.

Run:  .venv/bin/python bench/queues.py --data-dir /tmp/sqm-large
          (uses the demo in that data directory; builds it with ``sqm demo --size large`` if empty)
      .venv/bin/python bench/queues.py --data-dir /tmp/sqm-large-pg \
          --database-url postgres://postgres@127.0.0.1:5432/sqm_bench_queue
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TERMS = (
    ("宽带", "common, 2 characters"),
    ("退订", "common, 2 characters"),
    ("漫游", "less common, 2 characters"),
    ("携号转网", "rare, 4 characters"),
    ("扣费不明", "common, 4 characters"),
    ("光纤入户", "nowhere, 4 characters"),
    ("无此", "nowhere, 2 characters"),
    ("roaming", "English"),
    ("invoice", "English"),
    ("T00012345", "a ticket number"),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="data directory holding (or to receive) a large demo")
    parser.add_argument("--database-url", help="PostgreSQL database holding (or to receive) the demo")
    parser.add_argument("--repeat", type=int, default=30, help="runs per measurement (default 30)")
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
    from sqm.tickets.models import Ticket

    try:
        count = Ticket.objects.count()
    except Exception:
        count = 0
    if count < 900_000:
        print(f"building the large demo in {data_dir} (this takes a few minutes)…", flush=True)
        command = [sys.executable, "-m", "sqm", "demo", "--no-serve", "--size", "large", "--reset"]
        if args.database_url:
            command.remove("--reset")
        subprocess.run(command, env=os.environ.copy(), cwd=PROJECT_ROOT, check=True)


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """p50 and p95 in milliseconds (after one warm-up run), and the last result."""
    result = fn()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)], result


def deep_cursor(filters: Any, sort: str, pages: int) -> str:
    from sqm.tickets import selectors

    after = ""
    for _ in range(pages):
        page = selectors.queue(filters, sort=sort, after=after)
        if not page.next_cursor:
            break
        after = page.next_cursor
    return after


def main() -> None:
    args = parse_args()
    setup(args)
    from django.db import connection

    from sqm.org.models import Team
    from sqm.tickets import selectors
    from sqm.tickets.models import ACTIVE_STATUSES, Status, Ticket

    rng = random.Random(1)
    total = Ticket.objects.count()
    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    teams = list(Team.objects.values_list("pk", flat=True))
    busy_agent = (
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, assignee__isnull=False)
        .values_list("assignee", flat=True)
        .order_by("assignee")
        .first()
    )
    q = selectors.QueueFilters
    everything = list(Status.values)
    repeat = args.repeat
    print(f"command:   {' '.join([sys.executable, *sys.argv])}")
    print(
        f"machine:   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"data size: {total:,} tickets ({Ticket.objects.filter(status__in=ACTIVE_STATUSES).count():,} active, "
        f"{Ticket.objects.filter(status=Status.CLOSED).count():,} closed), {len(teams)} teams"
    )

    ref50, ref95, _ = measure(lambda: selectors._base().filter(pk=rng.randrange(1, top + 1)).first(), repeat)
    print(f"reference: one ticket by primary key with its joined rows: p50 {ref50:.2f} ms, p95 {ref95:.2f} ms\n")
    print(f"{'measurement':<66} {'p50 ms':>8} {'p95 ms':>8} {'× ref':>7} rows")

    def report(label: str, fn: Callable[[], Any]) -> None:
        p50, p95, page = measure(fn, repeat)
        print(f"{label:<66} {p50:8.1f} {p95:8.1f} {p50 / ref50:7.0f} {len(page.items)}", flush=True)

    report("team queue, active, by priority: first page", lambda: selectors.queue(q(team_id=rng.choice(teams))))
    report("my queue (one agent), active, by priority", lambda: selectors.queue(q(assignee_id=busy_agent)))
    closed_team = q(status=[Status.CLOSED], team_id=teams[0])
    report("team's closed tickets by priority: first page", lambda: selectors.queue(closed_team))
    cursor = deep_cursor(closed_team, "priority", 200)
    report(
        "team's closed tickets by priority: page 201 (via cursor)",
        lambda: selectors.queue(closed_team, after=cursor),
    )
    cursor_age = deep_cursor(q(status=everything), "-age", 5)
    report(
        "all tickets (every status), newest first: page 6 (via cursor)",
        lambda: selectors.queue(q(status=everything), sort="-age", after=cursor_age),
    )
    for scope, statuses in (("active queue", []), ("closed tickets", [Status.CLOSED]), ("all tickets", everything)):
        print(f"\ntext search in the {scope}, by priority, first page:")
        all_p95 = []
        for term, what in TERMS:
            p50, p95, page = measure(lambda t=term, s=statuses: selectors.queue(q(text=t, status=s)), repeat)
            all_p95.append(p95)
            print(
                f"  {term + ' (' + what + ')':<64} {p50:8.1f} {p95:8.1f} {p50 / ref50:7.0f} {len(page.items)}",
                flush=True,
            )
        print(f"  {'worst p95 over the terms':<64} {'':>8} {max(all_p95):8.1f}")


if __name__ == "__main__":
    main()
