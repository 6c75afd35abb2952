"""Every ticket acknowledged over HTTP survives a SIGKILL of the web server (DESIGN.md §4, reliability).

The real server (gunicorn, gthread workers) runs on 127.0.0.1 against the test database (SQLite by
default, PostgreSQL when the suite runs with DATABASE_URL). Several clients create tickets with
API tokens and Idempotency-Keys, retrying a key until it is acknowledged; mid-run the whole
gunicorn process group (master and workers) is killed with SIGKILL and started again. Afterwards
every acknowledged ticket exists, by id and by key, and no key made two tickets.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sqm.core.roles import Role
from sqm.core.tests.procs import ROOT, child_database_url, child_env, free_port, get_json, wait_for
from sqm.org.models import User
from sqm.org.services import api_token_create
from sqm.org.tests.factories import UserFactory
from sqm.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 4
TICKETS_PER_CLIENT = 20
KEY_DEADLINE = 120.0  # seconds one key may take, restarts included
TRANSIENT = (urllib.error.URLError, ConnectionError, http.client.HTTPException, TimeoutError, OSError)


@dataclass
class Run:
    """What the clients saw: acknowledgements, connection failures, and anything unexpected."""

    acks: list[tuple[int, str, int, int]] = field(default_factory=list)  # user id, key, ticket id, status
    transient: int = 0
    failures: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """gunicorn as `sqm serve` runs it, in its own process group so one killpg takes master and workers."""
    args = [sys.executable, "-m", "gunicorn", "sqm.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    args += ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--graceful-timeout", "5"]
    args += ["--no-control-socket"]  # the default socket in $HOME would be shared with other servers
    with log.open("ab") as handle:
        return subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # any worker the master left behind


def _post(base: str, token: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{base}/api/tickets",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"{}")
        except ValueError:  # e.g. an HTML error page
            return exc.code, {"raw": raw[:500].decode(errors="replace")}


def _key(user: User, n: int) -> str:
    return f"durability-{user.pk}-{n}"


def _body(user: User, n: int) -> dict[str, Any]:
    return {"type": "fault", "subject": f"宽带断网 {user.pk}-{n}", "description": "路由器指示灯全灭。"}


def _client(base: str, user: User, token: str, run: Run) -> None:
    try:
        _create_all(base, user, token, run)
    except Exception as exc:  # reported by the test
        with run.lock:
            run.failures.append((user.pk, repr(exc)))


def _create_all(base: str, user: User, token: str, run: Run) -> None:
    """Create this client's tickets one by one, retrying each key until the server acknowledges it."""
    for n in range(TICKETS_PER_CLIENT):
        key, body = _key(user, n), _body(user, n)
        deadline = time.monotonic() + KEY_DEADLINE
        while True:
            if time.monotonic() > deadline:
                with run.lock:
                    run.failures.append((key, "never acknowledged"))
                return
            try:
                status, answer = _post(base, token, key, body)
            except TRANSIENT:
                with run.lock:
                    run.transient += 1
                time.sleep(0.1)
                continue
            if status in (200, 201):
                with run.lock:
                    run.acks.append((user.pk, key, int(answer["id"]), status))
                break
            if status >= 500:
                time.sleep(0.1)
                continue
            with run.lock:
                run.failures.append((key, status, answer))
            return


def test_acknowledged_tickets_survive_sigkill_of_the_web_server(tmp_path: Path) -> None:
    customers = [UserFactory(role=Role.CUSTOMER, username=f"durable-{i}") for i in range(CLIENTS)]
    tokens = [api_token_create(actor=c, user=c, name="durability")[1] for c in customers]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(tmp_path / "data"))
    log = tmp_path / "gunicorn.log"
    server = _server(port, env, log)
    run = Run()
    threads: list[threading.Thread] = []
    try:
        assert wait_for(lambda: get_json(f"{base}/healthz"), timeout=60)[0] == 200
        threads = [
            threading.Thread(target=_client, args=(base, user, token, run), daemon=True)
            for user, token in zip(customers, tokens, strict=True)
        ]
        for thread in threads:
            thread.start()
        total = CLIENTS * TICKETS_PER_CLIENT
        wait_for(lambda: len(run.acks) >= total // 3, timeout=90, interval=0.02)
        _kill_group(server)
        acked_before_kill = len(run.acks)
        time.sleep(0.5)  # clients meet a dead server meanwhile
        server = _server(port, env, log)
        wait_for(lambda: get_json(f"{base}/healthz"), timeout=60)
        for thread in threads:
            thread.join(timeout=KEY_DEADLINE + 30)
        assert not any(thread.is_alive() for thread in threads), "clients did not finish"
        replay = _post(base, tokens[0], _key(customers[0], 0), _body(customers[0], 0))
    finally:
        _stop_group(server)
    tail = log.read_text(errors="replace")[-3000:]
    assert not run.failures, (run.failures[:5], tail)
    assert acked_before_kill < total, "the server was killed mid-run"
    assert run.transient > 0, "some requests met the killed server"
    assert len(run.acks) == total
    by_user = {c.pk: c for c in customers}
    for user_id, key, ticket_id, _status in run.acks:
        ticket = Ticket.objects.get(pk=ticket_id)  # by id
        assert (ticket.created_by_id, ticket.idempotency_key) == (user_id, key)
        assert Ticket.objects.get(created_by=by_user[user_id], idempotency_key=key).pk == ticket_id  # by key
        assert ticket.messages.count() == 1, "never half-written"
    assert Ticket.objects.count() == total, "no key made two tickets"
    first = next(ticket_id for user_id, key, ticket_id, _ in run.acks if key == _key(customers[0], 0))
    assert replay == (200, replay[1]) and replay[1]["id"] == first, "the key still means the same ticket"
