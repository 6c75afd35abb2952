"""Several OS processes append to the same database at once: the chain neither forks nor skips.

The children connect to this test's own database (SQLite file or PostgreSQL test database) and
wait at a start line so that their appends really overlap. The test's data is committed
(``transactional_db``) so the children see it and the test sees theirs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from sqm.audit.models import AuditEntry
from sqm.audit.services import ChainReport, chain_head, chain_verify

PROCESSES = 4
APPENDS = 25
JOIN_TIMEOUT = 120  # seconds, for all children together

CHILD = r"""
import os, sys, time
from pathlib import Path

import django

django.setup()
from sqm.audit.services import audit_append

worker, count, start_line = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
Path(f"{start_line}.ready-{worker}").touch()
deadline = time.monotonic() + 60
while not start_line.exists():
    if time.monotonic() > deadline:
        sys.exit("never started")
    time.sleep(0.005)
for i in range(count):
    audit_append(
        actor=None, action="concurrent", object_type="test.worker", object_id=f"{worker}-{i}",
        object_repr=f"worker {worker} append {i}", changes={"n": {"before": i, "after": i + 1}},
    )
print("done", worker, flush=True)
"""


def child_database_url() -> str:
    """The URL of the database this test runs on (the test database, not the configured one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    assert connection.vendor == "postgresql", connection.vendor
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def start_children(tmp_path: Path, processes: int, appends: int) -> tuple[list[subprocess.Popen[str]], Path]:
    """Start the children and wait until each is ready at the start line (not yet appending)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sqm.settings",
        "DATABASE_URL": child_database_url(),
        "SQM_DATA_DIR": str(settings.DATA_DIR),
    }
    start_line = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(worker), str(appends), str(start_line)],
            env=env,
            cwd=settings.PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(processes)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.ready-*"))) < processes:
        failed = [c for c in children if c.poll() is not None]
        if failed or time.monotonic() > deadline:
            stop(children)
            pytest.fail(f"children did not get ready: {[c.communicate() for c in failed]}")
        time.sleep(0.02)
    return children, start_line


def join(children: list[subprocess.Popen[str]]) -> None:
    """Wait for every child (bounded); fail with their output if one failed or hung."""
    deadline = time.monotonic() + JOIN_TIMEOUT
    try:
        for child in children:
            out, err = child.communicate(timeout=max(1.0, deadline - time.monotonic()))
            assert child.returncode == 0, f"child failed ({child.returncode}):\n{out}\n{err}"
    except subprocess.TimeoutExpired:
        stop(children)
        pytest.fail(f"children did not finish within {JOIN_TIMEOUT} s")


def stop(children: list[subprocess.Popen[str]]) -> None:
    for child in children:
        if child.poll() is None:
            child.kill()
            child.communicate()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_several_processes_keep_one_chain(tmp_path: Path) -> None:
    base = chain_head()["seq"]
    children, start_line = start_children(tmp_path, PROCESSES, APPENDS)
    start_line.touch()

    # Verify over and over while the children append: a live chain must never look broken.
    reports: list[ChainReport] = []
    while any(child.poll() is None for child in children) and len(reports) < 500:
        reports.append(chain_verify())
    join(children)

    total = PROCESSES * APPENDS
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == base + total
    assert seqs == list(range(1, base + total + 1)), "sequence numbers have gaps or repeats"
    prev_hashes = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == len(prev_hashes), "two entries link to the same predecessor: a fork"
    ids = Counter(AuditEntry.objects.filter(action="concurrent").values_list("object_id", flat=True))
    assert ids == Counter(f"{w}-{i}" for w in range(PROCESSES) for i in range(APPENDS))

    report = chain_verify()
    assert report.ok, report
    assert report.length == base + total
    assert chain_head()["seq"] == base + total
    broken = [r for r in reports if not r.ok]
    assert not broken, f"verify saw a false break while others appended: {broken[0]}"
    assert reports, "verify never ran during the appends"
