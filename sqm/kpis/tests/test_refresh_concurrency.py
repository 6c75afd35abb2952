"""Several processes refreshing overlapping sets of tickets at once (while another resolves some of
them) count every ticket once: the rollups equal a rebuild from scratch. Runs on the suite's
database (SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from sqm.core.roles import Role
from sqm.core.tests.procs import ROOT, child_database_url, child_env
from sqm.kpis.models import KpiFact, KpiRollup
from sqm.kpis.services.rollups import rollups_rebuild, source_refresh
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import Ticket, TicketEvent, TicketMessage

SH = ZoneInfo("Asia/Shanghai")
TICKETS = 60


def cells() -> dict[tuple, tuple[int, int]]:
    return {
        (g, p, d, k, m): (n, e)
        for g, p, d, k, m, n, e in KpiRollup.objects.values_list(
            "grain", "period_start", "dimension", "key", "metric", "num", "den"
        )
        if n or e
    }


def make_tickets() -> list[int]:
    teams = [TeamFactory(), TeamFactory()]
    agents = [UserFactory(role=Role.AGENT, team=team) for team in teams for _ in range(2)]
    customer = UserFactory(role=Role.CUSTOMER)
    rng = random.Random(5)
    ids = []
    for n in range(TICKETS):
        created = dt.datetime(2026, 6, 1, 9, tzinfo=SH) + dt.timedelta(hours=7 * n)
        agent = rng.choice(agents)
        ticket = Ticket.objects.create(
            type=rng.choice(["consultation", "complaint", "fault"]), channel=rng.choice(["web", "phone"]),
            subject="并发", customer=customer, created_by=customer, created_at=created, updated_at=created,
            team_id=agent.team_id, assignee=agent, status="open", first_response_at=created + dt.timedelta(minutes=20),
        )  # fmt: skip
        TicketMessage.objects.create(ticket=ticket, kind="customer", body="问", created_at=created)
        TicketMessage.objects.create(
            ticket=ticket, kind="reply", author=agent, body="答", created_at=created + dt.timedelta(minutes=20)
        )
        TicketEvent.objects.create(ticket=ticket, kind="assigned", at=created, data={"assignee": agent.pk})
        ids.append(ticket.pk)
    return ids


def run_children(tmp_path, children: list[list[str]]) -> None:
    start = tmp_path / f"go-{len(list(tmp_path.iterdir()))}"
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR))
    module = "sqm.kpis.tests.refresh_child"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", module, mode, str(start), *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for mode, *args in children
    ]
    start.touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-3000:]


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_count_each_ticket_once(tmp_path):
    ids = make_tickets()
    first, second = ids[: TICKETS * 2 // 3], ids[TICKETS // 3 :]  # the middle third is in both
    random.Random(1).shuffle(second)
    # Three refreshers at once, overlapping, nothing stored yet: each ticket must be counted once.
    run_children(tmp_path, [["refresh", json.dumps(first), "2"], ["refresh", json.dumps(second), "2"],
                            ["refresh", json.dumps(list(reversed(ids))), "1"]])  # fmt: skip
    concurrent = cells()
    facts = KpiFact.objects.count()
    assert concurrent[("month", dt.date(2026, 6, 1), "centre", "", "volume")] == (TICKETS, 0)
    rollups_rebuild()
    assert KpiFact.objects.count() == facts
    assert cells() == concurrent

    # Now half the tickets get resolved while two refreshers work on overlapping sets.
    resolving = ids[::2]
    run_children(tmp_path, [["mutate", json.dumps(resolving)], ["refresh", json.dumps(ids), "3"],
                            ["refresh", json.dumps(list(reversed(ids))), "3"]])  # fmt: skip
    source_refresh(source="ticket", source_ids=ids)  # whatever a refresher read before a change
    incremental = cells()
    assert incremental[("month", dt.date(2026, 6, 1), "centre", "", "resolution_rate")] == (len(resolving), TICKETS)
    rollups_rebuild()
    assert cells() == incremental
