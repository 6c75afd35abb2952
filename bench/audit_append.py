#!/usr/bin/env python
"""Benchmark of the audit hash chain on the embedded SQLite (not a test).

Measures, on a fresh database in a temporary data directory:

1. appends per second from one process, each append its own transaction (as a service's is);
2. appends per second with N processes appending at once (they queue on SQLite's write lock);
3. the time ``chain_verify`` takes for a chain of M entries.

Run:  .venv/bin/python bench/audit_append.py            (about 15 s)
      .venv/bin/python bench/audit_append.py --appends 5000 --processes 8 --per-process 1000 \
          --verify-size 1000000                          (bigger)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=2000, help="appends from one process (default 2000)")
    parser.add_argument("--processes", type=int, default=4, help="concurrent processes (default 4)")
    parser.add_argument("--per-process", type=int, default=500, help="appends per process (default 500)")
    parser.add_argument(
        "--verify-size",
        type=int,
        default=100_000,
        help="length of the chain to verify (default 100000; filled in bulk)",
    )
    parser.add_argument("--data-dir", help="where to put the database (default: a temporary directory, removed after)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start-line", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def setup_django(data_dir: Path) -> None:
    """Point SQM at an embedded SQLite database in ``data_dir`` and start Django."""
    os.environ["SQM_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'sqm.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqm.settings")
    os.environ.setdefault("SQM_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()


def append_one(i: int, worker: int = 0) -> None:
    from sqm.audit.services import audit_append

    audit_append(
        actor=None,
        action="update",
        object_type="bench.ticket",
        object_id=f"{worker}-{i}",
        object_repr=f"工单 {worker}-{i}",
        changes={"status": {"before": "open", "after": "resolved"}, "note": {"before": "", "after": "已处理"}},
    )


def run_worker(args: argparse.Namespace) -> None:
    """A child: wait at the start line, append, print its own start and end times as JSON."""
    setup_django(Path(os.environ["SQM_DATA_DIR"]))
    start_line = Path(args.start_line)
    Path(f"{start_line}.ready-{args.worker}").touch()
    while not start_line.exists():
        time.sleep(0.002)
    started = time.time()
    for i in range(args.per_process):
        append_one(i, worker=args.worker + 1)
    print(json.dumps({"start": started, "end": time.time()}), flush=True)


def reference_insert(i: int) -> None:
    """The reference: one plain row in its own transaction, no hash and no head lock."""
    from django.db import transaction
    from django.utils import timezone

    from sqm.core.models import WorkerHeartbeat

    with transaction.atomic():
        WorkerHeartbeat.objects.create(name=f"ref-{i}", beat_at=timezone.now(), hostname="工单")


def bench_reference(count: int) -> dict[str, Any]:
    started = time.perf_counter()
    for i in range(count):
        reference_insert(i)
    elapsed = time.perf_counter() - started
    return {"inserts": count, "seconds": elapsed, "per_second": count / elapsed}


def bench_scan() -> float:
    """The reference for verify: read every entry the same way, without hashing."""
    from sqm.audit.models import AuditEntry

    fields = [f.name for f in AuditEntry._meta.concrete_fields if f.name != "id"]
    t0 = time.perf_counter()
    for _ in AuditEntry.objects.order_by("seq").values(*fields).iterator(chunk_size=5000):
        pass
    return time.perf_counter() - t0


def bench_single(count: int) -> dict[str, Any]:
    latencies = []
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        append_one(i)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "appends": count,
        "seconds": elapsed,
        "per_second": count / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def bench_processes(processes: int, per_process: int, data_dir: Path) -> dict[str, Any]:
    start_line = data_dir / "go"
    command = [sys.executable, __file__, "--per-process", str(per_process), "--start-line", str(start_line)]
    children = [
        subprocess.Popen([*command, "--worker", str(w)], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        for w in range(processes)
    ]
    deadline = time.monotonic() + 120
    while len(list(data_dir.glob("go.ready-*"))) < processes:
        if time.monotonic() > deadline or any(c.poll() is not None for c in children):
            for child in children:
                child.kill()
            raise SystemExit("workers did not start")
        time.sleep(0.01)
    start_line.touch()
    spans = []
    for child in children:
        out, _ = child.communicate(timeout=600)
        if child.returncode != 0:
            raise SystemExit(f"a worker failed with status {child.returncode}")
        spans.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = max(s["end"] for s in spans) - min(s["start"] for s in spans)
    total = processes * per_process
    return {"processes": processes, "appends": total, "seconds": elapsed, "per_second": total / elapsed}


def fill_chain(target: int) -> float:
    """Grow the chain to ``target`` entries with real, correctly linked entries, written in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from sqm.audit.hashing import entry_digest
    from sqm.audit.models import AuditEntry, ChainHead

    started = time.perf_counter()
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().get(pk=1)
        seq, prev, batch = head.seq, head.entry_hash, []
        while seq < target:
            seq += 1
            fields = {
                "seq": seq,
                "occurred_at": timezone.now(),
                "actor_id": None,
                "actor_repr": "system",
                "action": "update",
                "object_type": "bench.ticket",
                "object_id": str(seq),
                "object_repr": f"工单 {seq}",
                "changes": {"status": {"before": "open", "after": "resolved"}},
                "prev_hash": prev,
            }
            prev = entry_digest(**fields)
            batch.append(AuditEntry(**fields, entry_hash=prev))
            if len(batch) == 5000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        ChainHead.objects.filter(pk=1).update(seq=seq, entry_hash=prev)
    return time.perf_counter() - started


def bench_verify(size: int) -> dict[str, Any]:
    from sqm.audit.services import chain_verify

    fill_seconds = fill_chain(size)
    timings = []
    for _ in range(2):
        t0 = time.perf_counter()
        report = chain_verify()
        timings.append(time.perf_counter() - t0)
        if not report.ok:
            raise SystemExit(f"the benchmark chain is broken: {report}")
    best = min(timings)
    return {"entries": report.length, "seconds": best, "per_second": report.length / best, "fill_seconds": fill_seconds}


def main() -> None:
    args = parse_args()
    if args.worker is not None:
        run_worker(args)
        return
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="sqm-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        run_benchmarks(args, data_dir)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def run_benchmarks(args: argparse.Namespace, data_dir: Path) -> None:
    setup_django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"command:  {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine:  {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print(f"database: {data_dir / 'sqm.sqlite3'} (WAL, synchronous=NORMAL)")

    reference = bench_reference(args.appends)
    print(
        f"reference:   {reference['inserts']} plain one-row transactions in {reference['seconds']:.2f} s = "
        f"{reference['per_second']:.0f}/s"
    )
    single = bench_single(args.appends)
    print(
        f"1 process:   {single['appends']} appends in {single['seconds']:.2f} s = {single['per_second']:.0f}/s "
        f"(p50 {single['p50_ms']:.2f} ms, p99 {single['p99_ms']:.2f} ms); "
        f"{single['per_second'] / reference['per_second']:.2f}x the reference"
    )
    multi = bench_processes(args.processes, args.per_process, data_dir)
    print(
        f"{multi['processes']} processes: {multi['appends']} appends in {multi['seconds']:.2f} s = "
        f"{multi['per_second']:.0f}/s in total"
    )
    verify = bench_verify(args.verify_size)
    scan = bench_scan()
    size_mb = sum(p.stat().st_size for p in data_dir.glob("sqm.sqlite3*")) / 1e6
    print(
        f"verify:      {verify['entries']} entries in {verify['seconds']:.2f} s = "
        f"{verify['per_second']:.0f} entries/s (chain filled in bulk in {verify['fill_seconds']:.1f} s); "
        f"a plain scan of the same rows takes {scan:.2f} s, so verify costs {verify['seconds'] / scan:.1f}x a scan"
    )
    print(f"data size:   {verify['entries']} entries, database files {size_mb:.1f} MB")


if __name__ == "__main__":
    main()
