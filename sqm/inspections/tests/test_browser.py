"""A real browser (Debian's Chromium driven by Playwright): an inspector opens their queue, scores
a ticket with its thread beside the scorecard, picks a message as evidence and submits."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from sqm.core.roles import Role
from sqm.inspections.models import Inspection, InspectionStatus
from sqm.inspections.tests.factories import make_inspection, make_scorecard
from sqm.org.tests.factories import PASSWORD, TeamFactory, UserFactory

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
                "--no-first-run",
                "--disable-background-networking",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        yield pg
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_inspector_scores_a_ticket_beside_its_thread(live_server: Any, page: Any) -> None:
    base = live_server.url
    inspector = UserFactory(role=Role.QA_INSPECTOR, username="zhijian", language="en")
    agent = UserFactory(role=Role.AGENT, team=TeamFactory())
    card = make_scorecard((("60", False, 4), ("35", False, 4), ("5", True, 1)), code="BROWSER")
    inspection = make_inspection(inspector=inspector, agent=agent, scorecard=card)
    reply = inspection.ticket.messages.get(kind="reply")
    items = list(card.items.order_by("position"))

    page.goto(f"{base}/login/")
    page.fill("#id_username", "zhijian")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/inspections/queue/")
    page.click(f"text={inspection.ticket.number}")
    page.wait_for_url(f"{base}/inspections/results/{inspection.pk}/score/")

    thread = page.locator(".qa-thread-pane")
    assert thread.is_visible() and "您好，已为您重启端口。" in thread.inner_text()
    box_thread, box_card = thread.bounding_box(), page.locator(".qa-card-pane").bounding_box()
    assert box_thread["x"] + box_thread["width"] <= box_card["x"] + 1  # side by side

    page.select_option(f"#id_points_{items[0].pk}", "3")
    page.fill(f"#id_comment_{items[0].pk}", "问候语不完整")
    page.locator(f".qa-item[data-item='{items[0].pk}'] details summary").click()
    page.check(f"input[name=evidence_{items[0].pk}][value='{reply.pk}']")
    page.select_option(f"#id_points_{items[1].pk}", "4")
    page.select_option(f"#id_points_{items[2].pk}", "1")
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/inspections/results/{inspection.pk}/")

    assert "85.00" in page.locator(".qa-score").first.inner_text()  # 60×3/4 + 35 + 5
    page.click(f"a[href='#msg-{reply.pk}']")
    assert page.locator(f"#msg-{reply.pk}").is_visible() or page.locator("details.qa-thread-card").count() == 1
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert Inspection.objects.get(pk=inspection.pk).answers.get(item=items[0]).evidence == [reply.pk]
