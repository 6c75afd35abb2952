"""The dashboard pages: figures against targets, role scoping, htmx partials, drill-down, exports
and a constant number of queries whatever the data size."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from sqm.core.roles import Role
from sqm.kpis.tests.factories import add_fact, dashboard_world, in_force, retire_starter_library
from sqm.standards.catalogue import CATALOGUE, KpiCode
from sqm.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def w(today):
    retire_starter_library()
    return dashboard_world(today)


def _en(client):
    client.cookies["sqm_language"] = "en"
    return client


def _tile(html: str, metric: str) -> str:
    match = re.search(rf'<a class="dash-tile[^"]*"[^>]*data-metric="{metric}".*?</a>', html, re.S)
    assert match, f"no tile for {metric}"
    return match.group(0)


def _value(tile_html: str) -> str:
    return re.search(r"<span data-value>([^<]*)</span>", tile_html).group(1)


def _light(tile_html: str) -> str:
    return re.search(r'data-light="([a-z]+)"', tile_html).group(1)


# --- figures --------------------------------------------------------------------------------------


def test_manager_sees_the_centre_tiles_with_value_volume_target_light_and_change(w, client_for):
    in_force(kpi="sla_resolution", target="95", yellow="80", orange="75", red="70", min_volume=5)
    html = _en(client_for(w.manager)).get("/kpis/").content.decode()
    assert 'data-scope="centre"' in html
    tile = _tile(html, "sla_resolution")
    assert _value(tile) == "70.0"  # 7 of 10 on time
    assert "volume 10" in tile and "target 95" in tile
    assert _light(tile) == "red"  # 70 reaches the red line
    assert re.search(r'class="dash-delta better" data-delta>\+20\.0<', tile)  # 50.0 % last month
    volume = _tile(html, "volume")
    assert _value(volume) == "10" and _light(volume) == "none"  # no indicator: no target


def test_too_few_cases_are_grey(w, client_for):
    in_force(kpi="sla_resolution", target="95", yellow="80", orange="75", red="70", min_volume=30)
    html = client_for(w.manager).get("/kpis/").content.decode()
    assert _light(_tile(html, "sla_resolution")) == "grey"


def test_a_past_period_by_week_and_day(w, client_for, today):
    client = client_for(w.manager)
    html = client.get("/kpis/", {"grain": "month", "start": w.last_month.isoformat()}).content.decode()
    assert _value(_tile(html, "sla_resolution")) == "50.0"
    assert 'data-nav="next"' in html  # a later period exists
    html = client.get("/kpis/", {"grain": "day", "start": today.isoformat()}).content.decode()
    assert _value(_tile(html, "volume")) == "10"
    html = client.get("/kpis/", {"grain": "week"}).content.decode()
    assert _value(_tile(html, "volume")) == "10" and 'data-nav="next"' not in html  # the running week


def test_trend_chart_and_breakdown_chart_carry_the_figures(w, client_for):
    html = client_for(w.manager).get("/kpis/", {"metric": "sla_resolution", "span": "3"}).content.decode()
    trend = json.loads(
        re.search(r'<script id="chart-trend-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    line = next(trace for trace in trend["data"] if trace["type"] == "scatter")
    assert line["y"][-2:] == [50.0, 70.0] and len(line["y"]) == 3
    bars = json.loads(
        re.search(r'<script id="chart-breakdown-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )["data"][0]
    assert dict(zip(bars["y"], bars["x"], strict=True)) == {"一组": 80.0, "二组": 60.0}


def test_breakdown_by_agent_within_a_team_and_links(w, client_for):
    client = client_for(w.manager)
    html = client.get("/kpis/", {"scope": f"team:{w.team_a.pk}", "by": "agent"}).content.decode()
    assert "坐席一" in html and "坐席二" in html and "坐席三" not in html  # only team A's agents
    assert f"scope=agent%3A{w.a1.pk}" in html  # a row opens that agent's dashboard
    assert "/kpis/dashboard/drill/?" in html


def test_live_queue_counts_active_tickets_by_risk(w, client_for):
    html = client_for(w.manager).get("/kpis/dashboard/live/").content.decode()

    def stat(key):
        block = re.search(rf'data-live="{key}">\s*<span class="dash-stat-value">(?:<a [^>]*>)?([^<]*)<', html).group(1)
        return block.strip()

    assert (stat("total"), stat("breached"), stat("warning"), stat("on_track")) == ("4", "1", "1", "2")
    assert stat("unassigned") == "1" and stat("pending") == "1"
    assert 'hx-trigger="every 30s"' in html
    team_b = client_for(w.manager).get("/kpis/dashboard/live/", {"scope": f"team:{w.team_b.pk}"}).content.decode()
    assert re.search(r'data-live="total">\s*<span class="dash-stat-value">(?:<a [^>]*>)?2<', team_b)


# --- roles ----------------------------------------------------------------------------------------


def test_an_agent_sees_own_figures_by_default(w, client_for):
    html = client_for(w.a1).get("/kpis/").content.decode()
    assert f'data-scope="agent:{w.a1.pk}"' in html
    assert _value(_tile(html, "volume")) == "3"
    assert _value(_tile(html, "sla_resolution")) == "66.7"
    assert "chart-breakdown-data" not in html and 'name="scope" class="input"' not in html


@pytest.mark.parametrize(
    "scope",
    ["centre", "team:{team}", "agent:{other}", "channel:phone", "type:complaint", "category:{category}"],
)
def test_an_agent_may_not_see_anything_else(w, client_for, scope):
    scope = scope.format(team=w.team_a.pk, other=w.a2.pk, category=w.category.pk)
    client = client_for(w.a1)
    for url in ("/kpis/", "/kpis/dashboard/live/", "/kpis/dashboard/tiles/", "/kpis/dashboard/trend/"):
        assert client.get(url, {"scope": scope}).status_code == 403, url
    assert client.get("/kpis/dashboard/drill/", {"scope": scope, "metric": "volume"}).status_code == 403
    assert client.get("/kpis/dashboard/export/", {"scope": scope, "table": "tiles"}).status_code == 403


def test_an_agent_drills_into_own_figures_but_not_others(w, client_for):
    client = client_for(w.a1)
    own = client.get("/kpis/dashboard/drill/", {"scope": f"agent:{w.a1.pk}", "metric": "volume"})
    assert own.status_code == 200
    shown = {int(t) for t in re.findall(r'data-ticket="(\d+)"', own.content.decode())}
    assert shown == {t.pk for t in w.tickets["a1"]}
    other = client.get("/kpis/dashboard/drill/", {"scope": f"agent:{w.a2.pk}", "metric": "volume"})
    assert other.status_code == 403
    assert client.get("/kpis/dashboard/breakdown/").status_code == 403
    assert client.get("/kpis/dashboard/export/", {"table": "breakdown"}).status_code == 403


def test_a_team_lead_starts_on_the_team_and_may_switch_to_the_centre(w, client_for):
    client = client_for(w.lead)
    html = client.get("/kpis/").content.decode()
    assert f'data-scope="team:{w.team_a.pk}"' in html
    assert _value(_tile(html, "volume")) == "5"
    assert "坐席一" in html  # breakdown by agent of the team
    centre = client.get("/kpis/", {"scope": "centre"}).content.decode()
    assert _value(_tile(centre, "volume")) == "10"
    other = client.get("/kpis/", {"scope": f"team:{w.team_b.pk}"}).content.decode()
    assert _value(_tile(other, "volume")) == "5"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.QUALITY_MANAGER, True),
        (Role.ADMIN, True),
        (Role.QA_INSPECTOR, True),
        (Role.AUDITOR, True),
        (Role.TRAINER, True),
        (Role.AGENT, False),
        (Role.CUSTOMER, None),
        (Role.MYSTERY_SHOPPER, None),
    ],
)
def test_every_role_default_and_reach(w, client_for, make_user, role, allowed):
    user = make_user(role)
    client = client_for(user)
    response = client.get("/kpis/")
    if allowed is None:
        assert response.status_code == 403
        return
    html = response.content.decode()
    expected = "centre" if allowed else f"agent:{user.pk}"
    assert f'data-scope="{expected}"' in html
    assert client.get("/kpis/", {"scope": f"agent:{w.b1.pk}"}).status_code == (200 if allowed else 403)


def test_the_menu_offers_the_dashboard_to_staff(w, client_for):
    html = _en(client_for(w.a1)).get("/").content.decode()
    assert 'href="/kpis/"' in html


# --- htmx -----------------------------------------------------------------------------------------


def test_htmx_requests_get_fragments(w, client_for):
    client = client_for(w.manager)
    body = client.get("/kpis/", {"grain": "week"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and 'id="dash-tiles"' in body and 'id="dash-live"' in body
    assert 'id="dash-controls"' in body and 'value="week" selected' in body
    tiles = client.get("/kpis/dashboard/tiles/", HTTP_HX_REQUEST="true").content.decode()
    assert tiles.lstrip().startswith("<section") and 'hx-trigger="every 60s"' in tiles and "<html" not in tiles
    trend = client.get("/kpis/dashboard/trend/", {"metric": "volume"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="chart-trend-data"' in trend and "<html" not in trend
    breakdown = client.get("/kpis/dashboard/breakdown/", {"by": "channel"}).content.decode()
    assert 'id="chart-breakdown-data"' in breakdown
    drill = client.get(
        "/kpis/dashboard/drill/", {"metric": "volume", "scope": "centre"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert drill.lstrip().startswith("<section") and "<html" not in drill
    full = client.get("/kpis/").content.decode()
    assert "<html" in full and "/static/plotly/plotly.min.js" in full and "/static/kpis/dashboard.js" in full
    assert "cdn" not in full.lower()


def test_bad_parameters_are_400_naming_the_field(w, client_for):
    client = _en(client_for(w.manager))
    for params, field in (
        ({"grain": "year"}, "grain"),
        ({"start": "2026-13-40"}, "start"),
        ({"scope": "planet:3"}, "scope"),
        ({"scope": "team:abc"}, "scope"),
        ({"metric": "bogus"}, "metric"),
        ({"span": "1000"}, "span"),
        ({"page": "x"}, "page"),
        ({"start": "0001-01-01"}, "start"),
        ({"start": "2999-01-01"}, "start"),
    ):
        response = client.get("/kpis/", params)
        assert response.status_code == 400, params
        assert f'data-field="{field}"' in response.content.decode()


# --- drill-down -----------------------------------------------------------------------------------


def test_drill_down_lists_the_tickets_behind_a_cell_and_pages(w, client_for, today):
    client = client_for(w.manager)
    html = client.get(
        "/kpis/dashboard/drill/", {"metric": "sla_resolution", "scope": f"team:{w.team_b.pk}"}
    ).content.decode()
    rows = re.findall(r'<tr data-ticket="(\d+)">', html)
    assert {int(r) for r in rows} == {t.pk for t in w.tickets["b1"]}
    assert f'href="/tickets/{w.tickets["b1"][0].pk}/"' in html
    for _i in range(55):
        add_fact(metric="complaints", day=today, num=1, ticket=TicketFactory(type="complaint"))
    page1 = client.get("/kpis/dashboard/drill/", {"metric": "complaints"}).content.decode()
    page2 = client.get("/kpis/dashboard/drill/", {"metric": "complaints", "page": "2"}).content.decode()
    first, second = re.findall(r'data-ticket="(\d+)"', page1), re.findall(r'data-ticket="(\d+)"', page2)
    assert len(first) == 50 and len(second) == 5 and not set(first) & set(second)
    assert 'data-page="next"' in page1 and 'data-page="previous"' in page2


def test_backlog_drill_down_lists_the_tickets_still_open_at_the_end(w, client_for, today):
    still, done = TicketFactory(), TicketFactory()
    add_fact(metric="backlog", day=w.last_month, num=1, ticket=still)
    add_fact(metric="backlog", day=w.last_month, num=1, ticket=done)
    add_fact(metric="backlog", day=today, num=-1, ticket=done)
    client = client_for(w.manager)
    html = client.get("/kpis/").content.decode()
    assert _value(_tile(html, "backlog")) == "1"
    drill = client.get("/kpis/dashboard/drill/", {"metric": "backlog"}).content.decode()
    assert re.findall(r'data-ticket="(\d+)"', drill) == [str(still.pk)]
    before = client.get("/kpis/dashboard/drill/", {"metric": "backlog", "start": w.last_month.isoformat()})
    assert sorted(re.findall(r'data-ticket="(\d+)"', before.content.decode())) == sorted([str(still.pk), str(done.pk)])


# --- exports --------------------------------------------------------------------------------------


def test_breakdown_exports_to_csv_with_bom_and_numbers(w, client_for, today):
    response = client_for(w.manager).get("/kpis/dashboard/export/", {"table": "breakdown", "by": "agent"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="sqm-kpi-breakdown-agent-centre-month-{today:%Y-%m}.csv"'
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    by_name = {r[0]: r for r in rows[1:]}
    with translation.override("zh-hans"):
        column = header.index(f"{KpiCode.SLA_RESOLUTION.label} ({CATALOGUE[KpiCode.SLA_RESOLUTION].unit})")
    assert by_name["坐席一"][column] == "66.7" and by_name["坐席二"][column] == "100.0"
    assert by_name["坐席三"][column] == "60.0" and by_name["坐席三"][column + 1] == "5"


def test_breakdown_exports_to_excel_with_numbers_as_numbers(w, client_for, today):
    response = _en(client_for(w.manager)).get(
        "/kpis/dashboard/export/", {"table": "breakdown", "by": "team", "format": "xlsx"}
    )
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"sqm-kpi-breakdown-team-centre-month-{today:%Y-%m}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    column = header.index("SLA compliance (resolution) (%)")
    by_team = {r[0]: r for r in rows[1:]}
    assert by_team["一组"][column] == pytest.approx(80.0) and isinstance(by_team["一组"][column], int | float)
    assert by_team["二组"][column + 1] == 5 and isinstance(by_team["二组"][column + 1], int)
    assert by_team["二组"][1] == str(w.team_b.pk)  # the key as text


def test_tiles_trend_and_drill_export_too(w, client_for, today):
    client = _en(client_for(w.a1))
    tiles = load_workbook(
        io.BytesIO(client.get("/kpis/dashboard/export/", {"table": "tiles", "format": "xlsx"}).content)
    ).active
    rows = {r[1]: r for r in tiles.iter_rows(values_only=True)}
    assert rows["volume"][3] == 3 and rows["sla_resolution"][3] == pytest.approx(66.7)
    assert isinstance(rows["sla_resolution"][3], float) and isinstance(rows["sla_resolution"][4], int)
    trend = client.get("/kpis/dashboard/export/", {"table": "trend", "metric": "volume", "span": "2"})
    lines = list(csv.reader(io.StringIO(trend.content.decode("utf-8-sig"))))
    assert [line[2] for line in lines[1:]] == ["1", "3"]
    assert f"sqm-kpi-trend-volume-agent-{w.a1.pk}-month-{today:%Y-%m}.csv" in trend["Content-Disposition"]
    drill = client.get("/kpis/dashboard/export/", {"table": "drill", "metric": "volume", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(drill.content)).active
    numbers = sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True))
    assert numbers == sorted(t.number for t in w.tickets["a1"])
    assert isinstance(next(sheet.iter_rows(min_row=2, values_only=True))[7], dt.datetime)  # the day, a date


# --- queries --------------------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_few_queries_whatever_the_data(w, client_for, today, make_user):
    client = client_for(w.manager)
    views = [
        ("/kpis/", {}),
        ("/kpis/", {"scope": f"team:{w.team_a.pk}", "by": "agent"}),
        ("/kpis/", {"scope": f"agent:{w.b1.pk}", "by": "category", "metric": "backlog"}),
        ("/kpis/dashboard/live/", {}),
        ("/kpis/dashboard/tiles/", {}),
        ("/kpis/dashboard/drill/", {"metric": "volume"}),
    ]
    small = [_queries(client, url, params) for url, params in views]
    assert small[0] <= 14, small  # session, user, teams, live ×2, targets, tiles ×2, trend, breakdown ×2 …
    # Ten times the people, tickets and facts, over more days and months:
    from sqm.org.tests.factories import TeamFactory

    for n in range(10):
        team = TeamFactory()
        agent = make_user(Role.AGENT, team=team)
        for day in (today, today - dt.timedelta(days=40), today - dt.timedelta(days=200)):
            for _i in range(3):
                ticket = TicketFactory(team=team, assignee=agent, channel="email", category=w.category)
                add_fact(metric="volume", day=day, num=1, ticket=ticket)
                add_fact(metric="backlog", day=day, num=1, ticket=ticket)
                add_fact(metric="sla_resolution", day=day, num=n % 2, den=1, ticket=ticket)
    large = [_queries(client, url, params) for url, params in views]
    assert large == small


def test_an_agent_page_costs_few_queries(w, client_for, django_assert_max_num_queries):
    client = client_for(w.a1)
    with django_assert_max_num_queries(11):
        assert client.get("/kpis/").status_code == 200


def test_delta_is_exact_decimal_arithmetic(w):
    from sqm.kpis.selectors.dashboard import Scope, ScopeInfo, Targets, tiles

    found = {
        t.metric: t
        for t in tiles(grain="month", start=timezone.localdate(), info=ScopeInfo(Scope(), "c"), targets=Targets([]))
    }
    assert found["sla_resolution"].delta == Decimal("20.0")
    assert found["volume"].delta == Decimal("8")
