"""``/api/kpis/dashboard``: the same figures and the same role scoping as the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from sqm.kpis.tests.factories import dashboard_world, in_force, retire_starter_library
from sqm.org.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    retire_starter_library()
    return dashboard_world(timezone.localdate())


def api(user) -> Client:
    key = api_token_create(actor=user, user=user, name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_values_of_the_centre_with_target_and_light(w):
    in_force(kpi="sla_resolution", target="95", yellow="80", orange="75", red="70", min_volume=5)
    body = api(w.manager).get("/api/kpis/dashboard/values").json()
    assert body["scope"] == {"dimension": "centre", "key": "", "label": body["scope"]["label"]}
    kpis = {k["metric"]: k for k in body["kpis"]}
    sla = kpis["sla_resolution"]
    assert (sla["value"], sla["num"], sla["den"], sla["volume"]) == ("70.0", 7, 10, 10)
    assert (sla["previous"], sla["delta"], sla["light"]) == ("50.0", "20.0", "red")
    assert sla["indicator"]["target"] == "95.0000" and sla["indicator"]["min_volume"] == 5
    assert kpis["csat"]["value"] is None and kpis["csat"]["light"] == "none"


def test_agent_gets_own_values_and_403_for_anyone_else(w):
    client = api(w.a1)
    body = client.get("/api/kpis/dashboard/values").json()
    assert body["scope"]["dimension"] == "agent" and body["scope"]["key"] == str(w.a1.pk)
    assert {k["metric"]: k["value"] for k in body["kpis"]}["volume"] == "3"
    for params in (
        {"dimension": "centre"},
        {"dimension": "agent", "key": str(w.a2.pk)},
        {"dimension": "team", "key": str(w.team_a.pk)},
        {"dimension": "channel", "key": "web"},
    ):
        for path in ("values", "series", "drill", "live"):
            response = client.get(f"/api/kpis/dashboard/{path}", params)
            assert response.status_code == 403, (path, params)
            assert response.json()["detail"][0]["code"] == "permission_denied"
    assert client.get("/api/kpis/dashboard/breakdown").status_code == 403
    own = client.get("/api/kpis/dashboard/drill", {"metric": "volume", "dimension": "agent", "key": str(w.a1.pk)})
    assert sorted(own.json()["ticket_ids"]) == sorted(t.pk for t in w.tickets["a1"])


def test_series_breakdown_drill_and_live(w):
    client = api(w.manager)
    series = client.get("/api/kpis/dashboard/series", {"metric": "volume", "periods": 2}).json()
    assert [p["value"] for p in series["points"]] == ["2", "10"]
    team = client.get(
        "/api/kpis/dashboard/series",
        {"metric": "sla_resolution", "periods": 1, "dimension": "team", "key": str(w.team_a.pk)},
    ).json()
    assert team["points"][0]["value"] == "80.0" and team["scope"]["label"] == "一组"
    breakdown = client.get("/api/kpis/dashboard/breakdown", {"by": "agent", "metric": "sla_resolution"}).json()
    values = {row["label"]: row["kpis"][0]["value"] for row in breakdown["rows"]}
    assert values == {"坐席一": "66.7", "坐席二": "100.0", "坐席三": "60.0"}
    drill = client.get("/api/kpis/dashboard/drill", {"metric": "volume", "page_size": 4, "page": 3}).json()
    assert (drill["count"], drill["pages"], drill["page"], len(drill["ticket_ids"])) == (10, 3, 3, 2)
    live = client.get("/api/kpis/dashboard/live").json()
    assert (live["total"], live["breached"], live["warning"], live["on_track"], live["unassigned"]) == (4, 1, 1, 2, 1)


def test_the_team_lead_default_is_the_led_team(w):
    body = api(w.lead).get("/api/kpis/dashboard/values").json()
    assert body["scope"]["dimension"] == "team" and body["scope"]["key"] == str(w.team_a.pk)


def test_bad_input_is_a_clear_error(w):
    client = api(w.manager)
    assert client.get("/api/kpis/dashboard/values", {"grain": "year"}).status_code == 422
    bad = client.get("/api/kpis/dashboard/values", {"dimension": "team", "key": "abc"})
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "key"
    assert client.get("/api/kpis/dashboard/series", {"periods": 0}).status_code == 422
    early = client.get("/api/kpis/dashboard/values", {"start": "0001-01-01"})
    assert early.status_code == 400 and early.json()["detail"][0]["field"] == "start"


def test_the_api_costs_few_queries(w, django_assert_max_num_queries):
    client = api(w.manager)
    with django_assert_max_num_queries(8):  # token, user, targets, rollups ×2, …
        assert client.get("/api/kpis/dashboard/values").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/api/kpis/dashboard/breakdown", {"by": "agent"}).status_code == 200
