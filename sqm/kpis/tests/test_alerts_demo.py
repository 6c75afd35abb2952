"""The demo alerts: one of each state the brief asks for, and two drills."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from sqm.core.roles import Role
from sqm.kpis import alerts_demo
from sqm.kpis.models import Alert, AlertLevel, AlertStatus, ContingencyDrill
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_demo_alerts_cover_the_lifecycle():
    teams = []
    for _n in range(2):
        lead = UserFactory(role=Role.TEAM_LEAD)
        teams.append(TeamFactory(lead=lead))
    quality = UserFactory(role=Role.QUALITY_MANAGER)
    parent = CategoryFactory()
    CategoryFactory(parent=parent, name_zh="宽带故障")
    summary = alerts_demo.load(rng=random.Random(1), shared={"org": SimpleNamespace(teams=teams)})
    assert "2 contingency drills" in summary
    closed = Alert.objects.get(level=AlertLevel.YELLOW)
    assert closed.status == AlertStatus.CLOSED and closed.verified_by == quality
    assert closed.plan_submitted_by == teams[0].lead
    orange = Alert.objects.get(level=AlertLevel.ORANGE)
    assert orange.status == AlertStatus.ACKNOWLEDGED and orange.owner == teams[1].lead
    red = Alert.objects.get(level=AlertLevel.RED)
    assert red.status == AlertStatus.OPEN and red.contingency_plan.code == "mass-complaints"
    assert set(red.task_force.all()) == {teams[0].lead, teams[1].lead, quality}
    assert "宽带故障" in red.title
    assert ContingencyDrill.objects.count() == 2
