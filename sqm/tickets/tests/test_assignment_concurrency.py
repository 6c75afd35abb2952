"""Many tickets arriving at once, several processes assigning: no ticket is assigned twice and
loads stay balanced. Runs on the suite's database (SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings

from sqm.core.roles import Role
from sqm.core.tests.procs import ROOT, child_database_url, child_env
from sqm.org.tests.factories import UserFactory
from sqm.tickets.models import AgentAvailability, EventKind, Status, Ticket, TicketEvent
from sqm.tickets.tests.factories import TicketFactory, on_shift_agent

AGENTS = 6
BACKLOG = 90
ASSIGNERS = 3
CREATORS = 2
PER_CREATOR = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_assigners_and_intake_never_double_assign(tmp_path):
    agents = [on_shift_agent(cap=100) for _ in range(AGENTS)]
    customer = UserFactory(role=Role.CUSTOMER)
    backlog = [TicketFactory(customer=customer, created_by=customer).pk for _ in range(BACKLOG)]
    start = tmp_path / "go"
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR))
    module = "sqm.tickets.tests.concurrency_child"
    children = []
    for n in range(ASSIGNERS):
        order = backlog[:]
        random.Random(n).shuffle(order)
        children.append([sys.executable, "-m", module, "assign", str(start), json.dumps(order)])
    for _ in range(CREATORS):
        children.append([sys.executable, "-m", module, "create", str(start), str(customer.pk), str(PER_CREATOR)])
    procs = [subprocess.Popen(c, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in children]
    start.touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()[-3000:]

    total = BACKLOG + CREATORS * PER_CREATOR
    tickets = Ticket.objects.filter(customer=customer)
    assert tickets.count() == total
    assert not tickets.filter(assignee__isnull=True).exists(), "every ticket found an agent"
    assignments = Counter(TicketEvent.objects.filter(kind=EventKind.ASSIGNED).values_list("ticket_id", flat=True))
    assert set(assignments.values()) == {1}, "no ticket was assigned twice"
    assert tickets.exclude(status=Status.OPEN).count() == 0
    per_agent = Counter(tickets.values_list("assignee_id", flat=True))
    loads = {a.user_id: a.load for a in AgentAvailability.objects.filter(user__in=agents)}
    assert loads == {agent.pk: per_agent[agent.pk] for agent in agents}, "load counters match the tickets held"
    assert max(loads.values()) - min(loads.values()) <= 1, f"loads stay balanced: {loads}"
