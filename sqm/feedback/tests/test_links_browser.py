"""A real browser (Debian's Chromium through Playwright) on a phone-sized screen scans a QR code:
the page fits the screen, the stars are big enough to tap, English is one tap away, and the
rating arrives as a counted QR rating. Nothing is fetched from outside the server."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from sqm.core.roles import Role
from sqm.feedback.links.models import QrCode
from sqm.feedback.models import Rating
from sqm.org.tests.factories import TeamFactory, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def phone() -> Iterator[Any]:
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
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.requested = requested  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_rating_from_a_phone(live_server: Any, phone: Any) -> None:
    team = TeamFactory(name="营业厅一组")
    code = QrCode.objects.create(
        token="phone-test",
        label="3 号窗口",
        team=team,
        agent=UserFactory(role=Role.AGENT, team=team, display_name="李娜"),
        created_by=UserFactory(role=Role.QUALITY_MANAGER),
        created_at=timezone.now(),
    )
    url = f"{live_server.url}/feedback/q/{code.token}/"
    phone.goto(url)
    assert phone.locator("h1").inner_text()  # Chinese by default
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    stars = phone.locator("label.rate-star")
    assert stars.count() == 5
    for n in range(5):
        box = stars.nth(n).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, box  # comfortable touch targets
    trap = phone.locator(".rate-trap input").bounding_box()
    assert trap is None or trap["x"] + trap["width"] <= 0, "the trap field is off screen"
    phone.locator("button[data-lang='en']").click()
    phone.wait_for_url(url)
    assert phone.locator("h1").inner_text() == "How was our service?"
    phone.wait_for_timeout(2100)  # a person takes a moment: the form stamp checks it
    phone.locator("label.rate-star").nth(1).tap()  # ★★★★☆
    phone.locator("textarea[name='comment']").fill("Quick and friendly")
    phone.locator("button.rate-submit").tap()
    phone.wait_for_selector("text=Thank you!")
    rating = Rating.objects.get()
    assert (rating.source, rating.score, rating.comment, rating.counted) == ("qr", 4, "Quick and friendly", True)
    assert rating.agent_id == code.agent_id and rating.created_at > timezone.now() - dt.timedelta(minutes=5)
    outside = [u for u in phone.requested if not u.startswith(live_server.url)]
    assert not outside, outside
