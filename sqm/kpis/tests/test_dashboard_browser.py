"""A real browser (Debian's Chromium driven by Playwright) on the dashboard: the charts are drawn
by the Plotly.js bundle SQM serves itself, an htmx swap redraws them, a tile opens the tickets
behind it, and nothing is fetched from anywhere but SQM."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from sqm.kpis.tests.factories import dashboard_world, in_force, retire_starter_library
from sqm.org.tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        requested: list[str] = []
        pg = context.new_page()
        pg.on("request", lambda request: requested.append(request.url))
        pg.requested = requested  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_charts_are_drawn_redrawn_after_a_swap_and_a_tile_opens_its_tickets(live_server: Any, page: Any) -> None:
    retire_starter_library()
    w = dashboard_world(timezone.localdate())
    in_force(kpi="sla_resolution", target="95", yellow="80", orange="75", red="70", min_volume=5)
    w.manager.username = "zhiliang"
    w.manager.save()
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "zhiliang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/kpis/")

    # Both charts are drawn by Plotly: SVG with the traces in it.
    page.wait_for_selector("#chart-trend[data-drawn='1']")
    page.wait_for_selector("#chart-breakdown[data-drawn='1']")
    assert page.evaluate("typeof window.Plotly") == "object"
    assert page.locator("#chart-trend svg.main-svg").count() > 0
    assert page.locator("#chart-trend .scatterlayer .trace path").count() > 0  # the KPI line
    assert page.locator("#chart-breakdown .barlayer .point path").count() == 2  # two teams
    assert page.locator("[data-metric='sla_resolution'][data-light='red'] [data-value]").inner_text() == "70.0"

    # Changing a control swaps the body through htmx (no reload) and the new chart is drawn again.
    page.evaluate("window.__same_page = true")
    page.select_option("#dash-by", "agent")
    page.wait_for_function(
        "document.querySelectorAll('#chart-breakdown[data-drawn=\"1\"] .barlayer .point path').length === 3"
    )
    assert page.evaluate("window.__same_page") is True
    assert "by=agent" in page.url

    # The sections poll by themselves (live every 30 s); a polled swap of the trend redraws its chart.
    assert page.locator("#dash-live[hx-trigger='every 30s']").count() == 1
    page.evaluate("document.querySelector('#chart-trend').setAttribute('data-old', '1')")
    page.evaluate(
        "htmx.ajax('GET', document.querySelector('#dash-trend').getAttribute('hx-get'),"
        " {target: '#dash-trend', swap: 'outerHTML'})"
    )
    page.wait_for_selector("#chart-trend:not([data-old])[data-drawn='1'] .scatterlayer .trace path")
    assert page.evaluate("window.__same_page") is True

    # A tile opens the tickets behind it.
    page.click("[data-metric='sla_resolution']")
    page.wait_for_url(f"{base}/kpis/dashboard/drill/*")
    rows = page.locator("#dash-drill tbody tr[data-ticket]")
    assert rows.count() == 10
    first = rows.first.locator("a").first
    first.click()
    page.wait_for_url(f"{base}/tickets/*/")
    page.wait_for_load_state("networkidle")  # the ticket page's own htmx requests end before the server goes

    outside = [url for url in page.requested if not url.startswith(base)]
    assert outside == [], f"the dashboard fetched from outside SQM: {outside}"
    assert any(url.endswith("/static/plotly/plotly.min.js") for url in page.requested)
