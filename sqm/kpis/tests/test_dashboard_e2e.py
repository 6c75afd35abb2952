"""End to end: tickets worked through the real ticket services, the every-minute KPI refresh
(:func:`sqm.kpis.services.rollups.refresh_changed`), and the numbers on the dashboard — for the
centre, for the agent who worked them, and behind the tile."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from sqm.core.roles import Role
from sqm.kpis.services.rollups import refresh_changed
from sqm.kpis.tests.factories import retire_starter_library
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets import services
from sqm.tickets.models import ProcessStep, Status
from sqm.tickets.tests.factories import on_shift_agent
from sqm.tickets.tests.sla_fixtures import install_defaults

pytestmark = pytest.mark.django_db


def _tile_value(html: str, metric: str) -> str:
    tile = re.search(rf'data-metric="{metric}".*?<span data-value>([^<]*)</span>', html, re.S)
    assert tile, metric
    return tile.group(1)


def test_tickets_worked_and_refreshed_appear_on_the_dashboard(client_for):
    install_defaults()
    retire_starter_library()
    ProcessStep.objects.update(is_active=False)  # this test is about KPIs, not process steps
    team = TeamFactory(name="热线一组")
    agent = on_shift_agent(team=team, skills=(("channel", "phone"),))
    colleague = on_shift_agent(team=team, skills=(("channel", "phone"),))
    manager = UserFactory(role=Role.QUALITY_MANAGER)
    customer = UserFactory(role=Role.CUSTOMER)

    def log(by):
        ticket, _created = services.ticket_create(
            actor=by, customer=customer, type="consultation", subject="来电咨询", channel="phone"
        )
        return ticket

    mine = [log(agent) for _i in range(3)]
    theirs = log(colleague)
    for ticket in mine[:2]:
        services.ticket_reply(actor=agent, ticket=ticket, body="您好，已为您处理。")
        services.ticket_transition(actor=agent, ticket=ticket, status=Status.RESOLVED)

    refresh_changed()

    centre = client_for(manager).get("/kpis/").content.decode()
    assert _tile_value(centre, "volume") == "4"
    assert _tile_value(centre, "backlog") == "2"  # one of mine and the colleague's still open
    own = client_for(agent).get("/kpis/").content.decode()
    assert _tile_value(own, "volume") == "3"
    assert _tile_value(own, "resolution_rate") == "66.7"  # 2 of the 3 created today are resolved

    drill = client_for(agent).get("/kpis/dashboard/drill/", {"metric": "volume", "scope": f"agent:{agent.pk}"})
    assert {int(t) for t in re.findall(r'data-ticket="(\d+)"', drill.content.decode())} == {t.pk for t in mine}
    denied = client_for(agent).get("/kpis/dashboard/drill/", {"metric": "volume", "scope": f"agent:{colleague.pk}"})
    assert denied.status_code == 403

    # A later change reaches the dashboard on the next refresh, with no page code involved.
    services.ticket_reply(actor=colleague, ticket=theirs, body="已处理。")
    services.ticket_transition(actor=colleague, ticket=theirs, status=Status.RESOLVED)
    refresh_changed()
    tiles = client_for(manager).get("/kpis/dashboard/tiles/", HTTP_HX_REQUEST="true").content.decode()
    assert _tile_value(tiles, "backlog") == "1"
    assert _tile_value(tiles, "resolution_rate") == "75.0"
    assert timezone.localdate().strftime("%Y") in tiles
