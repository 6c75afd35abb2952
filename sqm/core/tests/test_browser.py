"""A real browser (Debian's Chromium driven by Playwright): sign in, switch language, stay switched."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from sqm.core.roles import Role
from sqm.org.tests.factories import PASSWORD, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def page(tmp_path) -> Iterator[object]:
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
        context = browser.new_context(locale="zh-CN")
        requested: list[str] = []
        pg = context.new_page()
        pg.on("request", lambda request: requested.append(request.url))
        pg.requested = requested  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")


@pytest.mark.django_db(transaction=True)
def test_sign_in_switch_language_and_keep_it(live_server, page):
    UserFactory(username="liwei", display_name="李伟", role=Role.ADMIN)
    base = live_server.url

    page.goto(f"{base}/login/")
    assert page.locator("h1").inner_text() == "登录"
    assert page.evaluate("document.documentElement.lang") == "zh-hans"

    _sign_in(page, base, "liwei")
    page.wait_for_url(f"{base}/")
    assert "欢迎" in page.locator("h1").inner_text()
    assert page.locator("nav.sidebar").get_by_text("人员").first.is_visible()
    assert page.evaluate("typeof window.htmx") == "object"  # htmx served by SQM itself

    page.click("button[data-lang=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Welcome, 李伟"
    assert page.locator("nav.sidebar").get_by_text("People").first.is_visible()

    # The choice belongs to the user: a fresh browser session that signs in gets English.
    page.context.clear_cookies()
    _sign_in(page, base, "liwei")
    page.wait_for_url(f"{base}/")
    assert page.locator("h1").inner_text() == "Welcome, 李伟"

    outside = [u for u in page.requested if not u.startswith(base)]
    assert outside == [], f"the page fetched from outside SQM: {outside}"
