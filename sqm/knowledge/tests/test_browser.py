"""In a real browser: the ticket page loads suggestions by htmx, "Insert link" fills the reply box."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from sqm.core.roles import Role
from sqm.knowledge.tests.helpers import article
from sqm.org.tests.factories import PASSWORD, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        context = browser.new_context(locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_insert_a_suggested_article_into_the_reply(live_server, page):
    from sqm.tickets.defaults import install_default_processes
    from sqm.tickets.tests.factories import TicketFactory

    install_default_processes()
    lead = UserFactory(role=Role.TEAM_LEAD)
    UserFactory(username="wangfang", role=Role.AGENT)
    outage = article(lead, "宽带断网自助排查", "先重启光猫。", tags=["宽带", "断网"])
    ticket = TicketFactory(subject="宽带断网", description="家里宽带断网了，光猫灯不亮。")
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "wangfang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/tickets/{ticket.pk}/")
    button = page.locator("#kb-suggestions [data-kb-insert]").first
    button.wait_for(state="visible")
    page.fill("textarea[name=body]", "您好，请参考：")
    button.click()
    value = page.input_value("textarea[name=body]")
    assert value == f"您好，请参考：\n宽带断网自助排查\n{base}/kb/{outage.pk}/\n"
