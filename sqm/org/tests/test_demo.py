"""`sqm demo`: a believable centre, the same for the same seed, and harmless to run twice."""

from __future__ import annotations

import json

import pytest

from sqm.core.tests.procs import child_env, sqm

DUMP = """
import json
from sqm.org.models import User, Team
from sqm.audit.services import chain_verify
people = [
    [u.username, u.display_name, u.role, u.team.code if u.team else None,
     str(u.profile.hire_date) if hasattr(u, "profile") else None,
     sorted([s.skill.kind + ":" + s.skill.code, s.level] for s in u.skills.all())]
    for u in User.objects.select_related("team", "profile").prefetch_related("skills__skill").order_by("username")
]
teams = [[t.code, t.name, t.lead.username] for t in Team.objects.select_related("lead").order_by("code")]
report = chain_verify()
print(json.dumps({"people": people, "teams": teams, "chain_ok": report.ok, "chain_length": report.length}))
"""


def _build(tmp_path, name: str, *extra: str) -> dict:
    env = child_env(SQM_DATA_DIR=str(tmp_path / name))
    out = sqm("demo", "--no-serve", "--size", "small", *extra, env=env, timeout=300)
    dump = sqm("shell", "-c", DUMP, env=env, timeout=120)
    return {"out": out.stdout, **json.loads(dump.stdout.strip().splitlines()[-1])}


@pytest.fixture(scope="module")
def demo_a(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("demo"), "a", "--seed", "7")


def test_demo_builds_a_believable_centre(demo_a):
    people = demo_a["people"]
    roles = [p[2] for p in people]
    assert len(demo_a["teams"]) == 5
    assert roles.count("agent") == 50
    assert roles.count("team_lead") == 5 and roles.count("qa_inspector") == 6  # 3 + 3 hired by the QA demo
    assert roles.count("quality_manager") == 1 and roles.count("trainer") == 1
    assert roles.count("customer") == 200
    agents = [p for p in people if p[2] == "agent"]
    assert all(p[3] for p in agents), "every agent belongs to a team"
    assert all(any(s[0] == "language:zh" for s in p[5]) for p in agents)
    assert sum(any(s[0] == "language:en" for s in p[5]) for p in agents) >= 3
    names = [p[1] for p in agents]
    assert len(set(names)) == len(names) and all("\u4e00" <= n[0] <= "\u9fff" for n in names)
    assert demo_a["chain_ok"] and demo_a["chain_length"] > 500, "the demo is written through audited services"
    for role_user in ("admin", "agent01", "lead1", "qa1", "quality", "trainer", "auditor", "shopper1", "c0001"):
        assert role_user in demo_a["out"], f"login for {role_user} is printed"


def test_same_seed_same_centre_other_seed_other_centre(tmp_path, demo_a):
    again = _build(tmp_path, "b", "--seed", "7")
    assert again["people"] == demo_a["people"] and again["teams"] == demo_a["teams"]
    other = _build(tmp_path, "c", "--seed", "8")
    assert other["people"] != demo_a["people"]


def test_running_demo_twice_keeps_the_data(tmp_path):
    first = _build(tmp_path, "d")
    second = _build(tmp_path, "d")
    assert "keeping it" in second["out"]
    assert second["people"] == first["people"] and second["chain_length"] == first["chain_length"]
