"""The setups of docs/operations.md, run for real on 127.0.0.1.

* embedded: ``sqm serve`` (gunicorn + embedded worker) on SQLite;
* production: migrate, gunicorn and separate ``sqm worker`` processes on PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqm.core.tests.procs import child_env, free_port, get_json, sqm, start, stop, wait_for

PG_ADMIN_URL = os.environ.get("SQM_TEST_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SQM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _enqueue_heartbeat(env: dict[str, str]) -> None:
    sqm("shell", "-c", "from sqm.schedule import heartbeat; heartbeat()", env=env, timeout=60)


def test_embedded_serve_runs_web_and_worker_together(tmp_path):
    """`sqm serve` on a fresh data directory: migrates, serves /healthz, and its worker consumes tasks."""
    port = free_port()
    env = child_env(SQM_DATA_DIR=str(tmp_path / "data"))
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    server = start([sys.executable, "-m", "sqm", "serve", "--port", str(port)], env, tmp_path / "serve.log")
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        status, body = wait_for(lambda: get_json(url), timeout=90)
        assert status == 200
        assert body["database"]["vendor"] == "sqlite"
        assert body["task_queue"]["backend"] == "sqlite"
        _enqueue_heartbeat(env)
        beat = wait_for(lambda: (get_json(url) or (0, {}))[1].get("task_queue", {}).get("heartbeat"), timeout=60)
        assert beat["fresh"] is True
        login = wait_for(lambda: _get_text(f"http://127.0.0.1:{port}/login/"), timeout=10)
        assert "htmx.min.js" in login and "//cdn" not in login
    finally:
        code = stop(server)
    assert code == 0, (tmp_path / "serve.log").read_text()[-3000:]
    assert not _listening(port)


def _get_text(url: str) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


@pytest.fixture
def production_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one run of the production recipe, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    if not _listening(5432) or not _listening(6379):
        pytest.skip("the production recipe needs PostgreSQL and Redis on 127.0.0.1")
    name = f"sqm_recipe_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.services
def test_production_recipe_postgres_redis_gunicorn_workers(production_database: str, tmp_path: Path):
    port = free_port()
    env = child_env(
        DATABASE_URL=production_database,
        REDIS_URL=REDIS_URL,
        SECRET_KEY="recipe-" + uuid.uuid4().hex,
        SQM_QUEUE_NAME=f"sqm-recipe-{uuid.uuid4().hex[:8]}",
        SQM_DATA_DIR=str(tmp_path / "data"),
        SQM_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    sqm("migrate", "--noinput", env=env, timeout=300)
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sqm.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--no-control-socket",
        ],
        env,
        tmp_path / "gunicorn.log",
    )
    workers = [
        start([sys.executable, "-m", "sqm", "worker", "--workers", "2"], env, tmp_path / "worker-1.log"),
        start(
            [sys.executable, "-m", "sqm", "worker", "--workers", "2", "--no-periodic"], env, tmp_path / "worker-2.log"
        ),
    ]
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        status, body = wait_for(lambda: get_json(url), timeout=60)
        assert status == 200
        assert body["database"] == {"ok": True, "vendor": "postgresql"}
        assert body["task_queue"]["backend"] == "redis" and body["task_queue"]["ok"] is True
        _enqueue_heartbeat(env)
        beat = wait_for(lambda: (get_json(url) or (0, {}))[1]["task_queue"]["heartbeat"], timeout=60)
        assert beat["fresh"] is True
        sqm(
            "createsuperuser",
            "--noinput",
            "--username",
            "ops",
            "--email",
            "ops@example.com",
            env={**env, "DJANGO_SUPERUSER_PASSWORD": "Recipe-pass-2026"},
            timeout=60,
        )
        verify = sqm("audit", "verify", env=env, timeout=60, check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        for proc in [web, *workers]:
            stop(proc)
        sqm("shell", "-c", "from huey.contrib.djhuey import HUEY; HUEY.flush()", env=env, timeout=60, check=False)
