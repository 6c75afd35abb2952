"""Fixtures of the inspection tests: a small centre with two teams, their agents and leads, three
QA inspectors and a quality manager."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sqm.core.roles import Role
from sqm.inspections.tests.factories import TeamFactory, UserFactory, make_scorecard


@pytest.fixture
def centre(db: None) -> SimpleNamespace:
    lead_a = UserFactory(role=Role.TEAM_LEAD, username="lead-a")
    lead_b = UserFactory(role=Role.TEAM_LEAD, username="lead-b")
    team_a = TeamFactory(code="A", lead=lead_a)
    team_b = TeamFactory(code="B", lead=lead_b)
    lead_a.team = team_a
    lead_a.save()
    agents_a = [UserFactory(role=Role.AGENT, team=team_a, username=f"a{n}") for n in range(3)]
    agents_b = [UserFactory(role=Role.AGENT, team=team_b, username=f"b{n}") for n in range(2)]
    inspectors = [UserFactory(role=Role.QA_INSPECTOR, username=f"qa{n}") for n in range(3)]
    return SimpleNamespace(
        team_a=team_a,
        team_b=team_b,
        lead_a=lead_a,
        lead_b=lead_b,
        agents_a=agents_a,
        agents_b=agents_b,
        agents=agents_a + agents_b,
        inspectors=inspectors,
        qm=UserFactory(role=Role.QUALITY_MANAGER, username="qm"),
        auditor=UserFactory(role=Role.AUDITOR, username="auditor"),
        card=make_scorecard(code="CARD"),
    )
