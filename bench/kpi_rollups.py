#!/usr/bin/env python
"""Benchmark of the KPI engine (not a test): rebuild time and incremental refresh throughput.

Builds the demo centre's organisation, its year of tickets (with their SLA clocks) and their
ratings for N tickets in a fresh database (not measured), then measures:

* **reference**: a plain ``SELECT team_id, type, channel, COUNT(*) FROM tickets GROUP BY …`` over
  the whole tickets table, in the same database and run (median of three) — the least a
  dashboard that aggregated tickets instead of reading rollups would cost for *one* tile;
* **rebuild**: ``rollups_rebuild()`` from empty KPI tables (every fact and every rollup cell), and
  again over full tables (the ``sqm kpis rebuild`` an administrator runs later);
* **refresh, unchanged**: ``source_refresh`` of S random tickets whose facts did not change;
* **refresh, changed**: S random tickets corrected (type and category: every fact moves) and picked
  up by ``refresh_changed()`` from the change stream, the every-minute task's path;
* **check**: the rollups after the incremental refreshes equal a rebuild from scratch.

Run:  .venv/bin/python bench/kpi_rollups.py                         (100,000 tickets, SQLite)
      .venv/bin/python bench/kpi_rollups.py --tickets 1000000
      .venv/bin/python bench/kpi_rollups.py --database-url postgres://postgres@127.0.0.1:5432/sqm_bench_kpis
      (the database must exist; its public schema is dropped and recreated)
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # bench/queues.py must not shadow anything

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="tickets refreshed incrementally")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--data-dir", default="", help="keep the data directory here (default: temporary)")
    parser.add_argument("--one-rebuild", action="store_true", help="skip the second rebuild (over full tables)")
    return parser.parse_args()


def setup(data_dir: str, database_url: str) -> None:
    os.environ["SQM_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "sqm.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if database_url:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def build(tickets: int) -> str:
    """The demo's organisation, tickets (with SLA clocks) and ratings for ``tickets`` tickets."""
    from django.db import transaction

    from sqm.feedback import demo as feedback_demo
    from sqm.org import demo as org_demo
    from sqm.tickets import demo as ticket_demo

    rng = random.Random(2026)
    shared: dict[str, Any] = {"size": "normal", "tickets": tickets}
    with transaction.atomic():
        org_demo.load(rng=rng, shared=shared)
    made = ticket_demo.load(rng=rng, shared=shared)
    with transaction.atomic():
        rated = feedback_demo.load(rng=rng, shared=shared)
    return f"{made}; {rated}"


def timed(fn: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def reference() -> float:
    from django.db import connection

    runs = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT team_id, type, channel, COUNT(*) FROM tickets_ticket GROUP BY team_id, type, channel"
            )
            cursor.fetchall()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def checksum() -> tuple[int, int, int]:
    from django.db.models import Count, Sum

    from sqm.kpis.models import KpiRollup

    found = KpiRollup.objects.exclude(num=0, den=0).aggregate(n=Count("pk"), a=Sum("num"), b=Sum("den"))
    return int(found["n"] or 0), int(found["a"] or 0), int(found["b"] or 0)


def database_size(data_dir: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return str(cursor.fetchone()[0])
    size = sum(p.stat().st_size for p in Path(data_dir).glob("sqm.sqlite3*"))
    return f"{size / 1e6:,.0f} MB"


def main() -> None:
    args = parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="sqm-bench-kpis-")
    setup(data_dir, args.database_url)
    from django.db import connection
    from django.utils import timezone

    from sqm.kpis.models import KpiFact
    from sqm.kpis.services.rollups import refresh_changed, rollups_rebuild, source_refresh
    from sqm.tickets.models import Category, Ticket

    started = time.perf_counter()
    summary = build(args.tickets)
    print(f"data: {summary} ({time.perf_counter() - started:.0f} s, not measured)", flush=True)

    rows: list[tuple[str, str, str]] = []
    ref = reference()
    rows.append(("reference: GROUP BY over the tickets table (1 query)", f"{ref * 1000:,.0f} ms", "1.0"))

    wall, cpu, first = timed(rollups_rebuild)
    facts = KpiFact.objects.count()
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in first.seconds.items() if k != "total")
    rows.append((f"rebuild from empty ({phases})", f"{wall:,.1f} s (CPU {cpu:,.1f} s)", f"{wall / ref:,.0f}×"))
    if not args.one_rebuild:
        wall2, cpu2, _again = timed(rollups_rebuild)
        rows.append(("rebuild over full tables", f"{wall2:,.1f} s (CPU {cpu2:,.1f} s)", f"{wall2 / ref:,.0f}×"))

    ids = list(Ticket.objects.values_list("pk", flat=True))
    rng = random.Random(7)
    sample = rng.sample(ids, min(args.sample, len(ids)))
    wall3, _cpu3, unchanged = timed(lambda: source_refresh(source="ticket", source_ids=sample))
    rows.append(
        (
            f"refresh {len(sample):,} unchanged tickets (source_refresh)",
            f"{len(sample) / wall3:,.0f} tickets/s",
            f"{unchanged.changed} changed",
        )
    )
    refresh_changed(limit=len(ids) + 1)  # the cursor catches up with the demo's own stream first
    categories = list(Category.objects.values_list("pk", flat=True))
    for start in range(0, len(sample), 500):
        for pk in sample[start : start + 500]:
            Ticket.objects.filter(pk=pk).update(
                type=rng.choice(["complaint", "fault", "consultation"]),
                category_id=rng.choice(categories),
                updated_at=timezone.now(),
            )
    wall4, _cpu4, stream = timed(lambda: refresh_changed(limit=len(sample) + 10))
    tickets = stream["tickets"]
    rows.append(
        (
            f"refresh {tickets['refreshed']:,} changed tickets (refresh_changed)",
            f"{tickets['refreshed'] / wall4:,.0f} tickets/s",
            f"{tickets['changed']:,} changed",
        )
    )
    incremental = checksum()
    rollups_rebuild()
    equal = checksum() == incremental
    rows.append(("incremental rollups equal a rebuild", "yes" if equal else "NO", f"{incremental[0]:,} cells"))

    print()
    print(
        f"{args.tickets:,} tickets, {facts:,} facts, {first.cells:,} rollup cells, database {database_size(data_dir)}; "
        f"{connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print("| measurement | result | ratio / note |")
    print("|---|---|---|")
    for name, result, note in rows:
        print(f"| {name} | {result} | {note} |")
    print(json.dumps({"tickets": args.tickets, "facts": facts, "cells": first.cells, "rows": rows}, ensure_ascii=False))
    if not equal:
        sys.exit(1)


if __name__ == "__main__":
    main()
