#!/usr/bin/env python
"""Benchmark of ticket creation over the HTTP API under gunicorn (not a test).

Starts gunicorn the way docs/operations.md runs it (``sqm.wsgi:application``, gthread workers;
by default 2 processes × 4 threads, as ``sqm serve`` does on one machine) on 127.0.0.1 with a fresh
embedded SQLite data directory (or ``--database-url`` for PostgreSQL), creates a customer with an
API token, then, at 1, 16 and 64 concurrent clients (keep-alive connections, each sending a
bounded number of requests one after the other):

- ``POST /api/tickets`` with ``{type, subject, description, channel: "api", priority}``, a Bearer
  token and a fresh ``Idempotency-Key`` per request (every request makes a ticket; 201 expected);
- the reference, on the same server in the same run: ``GET /api/me``, the smallest JSON view the
  app has. It goes through the same gunicorn, middleware, token authentication and API framework
  and reads one row, so the ratio isolates what intake itself costs (validation, the ticket, its
  first message, event, audit entry, process step, queued assignment). ``/healthz`` checks the
  database and queue, and ``/api/openapi.json`` builds the whole schema per request: neither is
  trivial (the latter is measured once for comparison).

Reports throughput and p50/p95/p99 latency per level and the ratios, then checks that every 201
left exactly one ticket behind.

Run:  .venv/bin/python bench/ticket_intake.py
      .venv/bin/python bench/ticket_intake.py --database-url postgres://postgres@127.0.0.1:5432/sqm_bench_intake
          (that database is dropped and created anew)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LEVELS = (1, 16, 64)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=480, help="requests per level, split over the clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (default 2, as sqm serve)")
    parser.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")
    parser.add_argument("--database-url", help="PostgreSQL database to use (dropped and recreated)")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "SQM_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "sqm.settings",
        "SQM_LOG_LEVEL": "WARNING",
        "SQM_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    for name in ("DATABASE_URL", "SQM_TESTING", "PYTEST_VERSION"):
        env.pop(name, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def recreate_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


SETUP = """
from sqm.core.roles import Role
from sqm.org import services
admin = services.admin_bootstrap(username="benchadmin", display_name="Bench admin", password="bench-pass-2026")
customer = services.user_create(actor=admin, username="benchcustomer", display_name="压测客户", role=Role.CUSTOMER,
                                email="bench@example.com")
token, key = services.api_token_create(actor=customer, user=customer, name="bench")
print("KEY=" + key)
"""


def prepare(env: dict[str, str]) -> str:
    """Migrate, then create a customer and their API token; returns the key."""
    run = {"env": env, "cwd": PROJECT_ROOT, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "-m", "sqm", "migrate", "-v", "0"], **run)
    out = subprocess.run([sys.executable, "-m", "sqm", "shell", "-c", SETUP], **run).stdout
    return next(line[4:] for line in out.splitlines() if line.startswith("KEY="))


def start_gunicorn(env: dict[str, str], port: int, args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "sqm.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads),
        "--graceful-timeout", "10",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{log.read_text()}") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


class Client:
    """One keep-alive HTTP/1.1 connection; sends a request and reads the whole response."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        assert self.reader is not None
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def post_ticket(key: str, n: int) -> tuple[str, str, dict[str, str], bytes]:
    body = {
        "type": ("consultation", "fault", "complaint")[n % 3],
        "subject": f"压测工单 {n}：宽带无法上网",
        "description": "家里宽带从昨晚开始就上不了网，光猫上的LOS灯一直闪红灯，重启了也没用。",
        "channel": "api",
        "priority": "normal",
    }
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    return "POST", "/api/tickets", headers, json.dumps(body, ensure_ascii=False).encode()


def get_me(key: str, n: int) -> tuple[str, str, dict[str, str], bytes]:
    return "GET", "/api/me", {"Authorization": f"Bearer {key}"}, b""


async def level(port: int, clients: int, total: int, make: Any, key: str, expect: int) -> dict[str, Any]:
    per_client = math.ceil(total / clients)
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(10**9))

    async def one_client() -> None:
        client = Client(port)
        try:
            for _ in range(per_client):
                method, path, headers, body = make(key, next(counter))
                started = time.perf_counter()
                try:
                    status, payload = await client.request(method, path, headers, body)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    errors.append(type(exc).__name__)
                    await client.close()
                    continue
                latencies.append(time.perf_counter() - started)
                if status != expect:
                    errors.append(f"{status} {payload[:120]!r}")
        finally:
            await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, max(0, math.ceil(p * len(latencies)) - 1))] * 1000

    return {
        "clients": clients,
        "requests": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors,
    }


def print_level(name: str, r: dict[str, Any], ref: dict[str, Any] | None = None) -> None:
    ratio = ""
    if ref:
        ratio = f"   {r['per_second'] / ref['per_second']:.2f}x the reference's throughput, p50 {r['p50'] / ref['p50']:.1f}x"
    errors = f"   ERRORS {len(r['errors'])}: {r['errors'][:3]}" if r["errors"] else ""
    print(
        f"  {name:<18} {r['clients']:>3} clients  {r['requests']:>5} requests in {r['seconds']:6.2f} s = "
        f"{r['per_second']:7.1f}/s   p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  p99 {r['p99']:7.1f} ms{ratio}{errors}",
        flush=True,
    )


def count_tickets(env: dict[str, str], data_dir: Path) -> int:
    if env.get("DATABASE_URL"):
        code = "from sqm.tickets.models import Ticket; print(Ticket.objects.count())"
        out = subprocess.run(
            [sys.executable, "-m", "sqm", "shell", "-c", code],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        return int(out.stdout.strip().splitlines()[-1])
    with sqlite3.connect(data_dir / "sqm.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]


async def run(port: int, key: str, args: argparse.Namespace) -> int:
    # warm up every worker and thread (imports, first connection)
    await level(port, 8, 64, get_me, key, 200)
    await level(port, 8, 16, post_ticket, key, 201)
    created = 16
    for clients in LEVELS:
        ref = await level(port, clients, args.requests, get_me, key, 200)
        res = await level(port, clients, args.requests, post_ticket, key, 201)
        created += res["requests"] - len(res["errors"])
        print_level("GET /api/me (ref)", ref)
        print_level("POST /api/tickets", res, ref)
    schema = await level(port, 1, 10, lambda k, n: ("GET", "/api/openapi.json", {}, b""), key, 200)
    print(f"  (for comparison: GET /api/openapi.json p50 {schema['p50']:.1f} ms, 1 client)")
    return created


def main() -> None:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sqm-intake-bench-"))
    server = None
    try:
        if args.database_url:
            recreate_postgres(args.database_url)
        env = environment(data_dir, args.database_url)
        key = prepare(env)
        port = free_port()
        server = start_gunicorn(env, port, args, data_dir / "gunicorn.log")
        database = (
            "PostgreSQL " + args.database_url.rsplit("@", 1)[-1] if args.database_url else "embedded SQLite (WAL)"
        )
        print(f"command:   {' '.join([sys.executable, *sys.argv])}")
        print(
            f"server:    gunicorn sqm.wsgi:application --workers {args.workers} --worker-class gthread --threads "
            f"{args.threads} on 127.0.0.1:{port}; {database}; no task worker (assignment jobs wait in the queue)"
        )
        print(
            f"machine:   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"load average {os.getloadavg()[0]:.1f}; client: asyncio keep-alive connections in this process"
        )
        print(f"data size: {args.requests} requests per level and endpoint; every POST makes one ticket")
        created = asyncio.run(run(port, key, args))
        stored = count_tickets(env, data_dir)
        verdict = "every acknowledged ticket is stored once" if stored == created else "MISMATCH"
        print(f"check:     {created} tickets acknowledged with 201, {stored} stored: {verdict}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
