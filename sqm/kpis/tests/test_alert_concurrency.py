"""Several evaluators at once (separate processes, the suite's database — PostgreSQL when
DATABASE_URL is set): every condition gets exactly one alert, every level is raised once, and
nobody is notified twice. The partial unique constraint on open conditions settles the races."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings

from sqm.core.tests.procs import ROOT, child_database_url, child_env
from sqm.kpis.models import Alert, AlertEvent, AlertLevel, AlertRule, Dimension
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import NOW, WEEK, indicator, only_rules, retire_other_standards, rollup, staff
from sqm.org.tests.factories import TeamFactory
from sqm.tickets.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)

TEAMS = 12
MODULE = "sqm.kpis.tests.alert_eval_child"


def _child(start, rounds: int) -> subprocess.Popen[bytes]:
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR))
    args = [sys.executable, "-m", MODULE, str(start), NOW.isoformat(), str(rounds)]
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(tmp_path, name: str, processes: int = 3, rounds: int = 2) -> Counter[str]:
    """Run the evaluators together; returns what they say they did, summed."""
    start = tmp_path / name
    procs = [_child(start, rounds) for _ in range(processes)]
    start.touch()
    totals: Counter[str] = Counter()
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()[-3000:]
        for part in out.decode().split():
            key, value = part.split("=")
            totals[key] += int(value)
    print(name, dict(totals))
    return totals


def test_evaluators_racing_raise_each_alert_and_each_level_once(tmp_path):
    services.install_alert_defaults()
    retire_other_standards()
    people = staff()
    only_rules(AlertRule.objects.get(code="threshold"))
    indicator(scope="team", min_volume=30)
    teams = [TeamFactory() for _ in range(TEAMS)]
    for team in teams:
        rollup("csat", WEEK, 82, 100, dimension=Dimension.TEAM, key=team.pk)  # yellow everywhere

    assert _run(tmp_path, "go-raise")["raised"] == TEAMS, "each alert was raised by exactly one evaluator"
    assert Alert.objects.count() == TEAMS
    assert set(Alert.objects.values_list("level", flat=True)) == {AlertLevel.YELLOW}
    raised = Counter(AlertEvent.objects.filter(kind="raised").values_list("alert_id", flat=True))
    assert len(raised) == TEAMS and set(raised.values()) == {1}
    per_user = Counter(Notification.objects.filter(kind="alert_raised").values_list("user_id", "link"))
    assert set(per_user.values()) == {1}, "nobody notified twice of the same alert"
    assert Notification.objects.filter(user=people["qm"], kind="alert_raised").count() == TEAMS

    for team in teams:
        rollup("csat", WEEK, 70, 100, dimension=Dimension.TEAM, key=team.pk)  # red everywhere
    assert _run(tmp_path, "go-level")["level_raised"] == TEAMS
    assert Alert.objects.count() == TEAMS, "still one alert per condition"
    assert set(Alert.objects.values_list("level", flat=True)) == {AlertLevel.RED}
    levels = Counter(AlertEvent.objects.filter(kind="level_raised").values_list("alert_id", flat=True))
    assert len(levels) == TEAMS and set(levels.values()) == {1}
    assert Notification.objects.filter(user=people["qm"], kind="alert_level_raised").count() == TEAMS
