#!/usr/bin/env python
"""Benchmark of ``sqm demo`` (not a test): time and peak memory to build the demo centre.

Runs ``sqm demo --no-serve --size large`` (or ``--size normal``) in a fresh data directory and
reports wall time, CPU time, peak memory, the phases the ticket loader prints, and the size of
what it wrote. The reference, measured in the same run on the same machine, is SQLite writing the
very same database again by itself (``VACUUM INTO`` a new file: every table and index rebuilt,
no Python involved), so the ratio says how far the demo is from SQLite's own write speed.

Run:  .venv/bin/python bench/demo_size.py                  (large: about 1,000,000 tickets)
      .venv/bin/python bench/demo_size.py --size normal    (about 100,000)
      .venv/bin/python bench/demo_size.py --database-url postgres://postgres@127.0.0.1:5432/sqm_bench_demo
          (drops and recreates that database first; the reference is then not measured)
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("normal", "large"), default="large")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="PostgreSQL instead of the embedded SQLite (database recreated)")
    parser.add_argument("--keep", help="build in this directory and keep it (default: a temporary one, removed)")
    return parser.parse_args()


def tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, summed, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        rss[int(entry.name)] = int(match.group(1)) if match else 0
    total, wanted = 0, {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += rss.get(pid, 0)
    return total


class Sampler(threading.Thread):
    """Samples the summed RSS of a process tree every 0.2 s; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self.stop.wait(0.2)


def recreate_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_demo(data_dir: Path, args: argparse.Namespace) -> dict[str, object]:
    env = {
        **os.environ,
        "SQM_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "sqm.settings",
        "SQM_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    # migrate first, so that the timed part is the demo itself
    subprocess.run([sys.executable, "-m", "sqm", "migrate", "-v", "0"], env=env, cwd=PROJECT_ROOT, check=True)
    command = [sys.executable, "-m", "sqm", "demo", "--no-serve", "--size", args.size, "--seed", str(args.seed)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    sampler = Sampler(child.pid)
    sampler.start()
    out, _ = child.communicate()
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        raise SystemExit(f"sqm demo failed with status {child.returncode}:\n{out}")
    return {
        "command": shlex.join(command),
        "output": out,
        "seconds": elapsed,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "max_rss_mb": after.ru_maxrss / 1024,  # the largest single process (Linux: kB)
        "tree_rss_mb": sampler.peak_kb / 1024,
        "load": (load_before, os.getloadavg()),
    }


def reference(db: Path) -> float:
    """SQLite rewriting the same database by itself: the floor for writing it."""
    target = db.with_name("reference.sqlite3")
    started = time.perf_counter()
    with sqlite3.connect(db) as conn:
        conn.execute("VACUUM INTO ?", (str(target),))
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("tickets_ticket", "tickets_ticketmessage", "tickets_ticketevent", "audit_auditentry")
        }


def main() -> None:
    args = parse_args()
    data_dir = Path(args.keep or tempfile.mkdtemp(prefix="sqm-demo-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        if args.database_url:
            recreate_postgres(args.database_url)
        result = run_demo(data_dir, args)
        print(f"command:   {result['command']}   (in {data_dir}, a fresh data directory)")
        print(
            f"machine:   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}; load average {result['load'][0][0]:.1f} before, "
            f"{result['load'][1][0]:.1f} after"
        )
        for line in str(result["output"]).splitlines():
            if line.startswith("  ") and "(" in line and " s)" in line:
                print(f"loader:   {line.strip()}")
        print(
            f"demo:      {result['seconds']:.1f} s wall, {result['cpu']:.1f} s CPU (all processes); peak memory "
            f"{result['max_rss_mb']:.0f} MB in the largest process, {result['tree_rss_mb']:.0f} MB summed over "
            "the process tree (sampled)"
        )
        if not args.database_url:
            db = data_dir / "sqm.sqlite3"
            size_mb = sum(p.stat().st_size for p in data_dir.glob("sqm.sqlite3*")) / 1e6
            rows = counts(db)
            print(
                f"data size: {rows['tickets_ticket']:,} tickets, {rows['tickets_ticketmessage']:,} messages, "
                f"{rows['tickets_ticketevent']:,} events, {rows['audit_auditentry']:,} audit entries; "
                f"database files {size_mb:,.0f} MB"
            )
            ref = reference(db)
            print(
                f"reference: SQLite rewrites the same database (VACUUM INTO) in {ref:.1f} s; "
                f"the demo takes {result['seconds'] / ref:.1f}x that"
            )
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
