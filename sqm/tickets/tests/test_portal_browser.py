"""A real browser (Debian's Chromium driven by Playwright) on a phone-sized screen: a customer
signs up, submits a request with an attachment and finds it under "my tickets"."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sqm.core.roles import Role
from sqm.org.models import User
from sqm.tickets.models import Attachment, Ticket

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def page(tmp_path: Path, settings: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    settings.MEDIA_ROOT = tmp_path / "media"
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
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
        requested: list[str] = []
        pg = context.new_page()
        pg.on("request", lambda request: requested.append(request.url))
        pg.requested = requested  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_customer_signs_up_submits_with_a_file_and_sees_it_listed(live_server: Any, page: Any) -> None:
    base = live_server.url

    page.goto(f"{base}/portal/register/")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    page.fill("#id_username", "chenjing")
    page.fill("#id_display_name", "陈静")
    page.fill("#id_email", "chenjing@example.com")
    page.fill("#id_phone", "13900139000")
    page.fill("#id_password", "Kefu-2026-secret")
    page.fill("#id_password_confirm", "Kefu-2026-secret")
    page.click("form.portal-form button[type=submit]")
    page.wait_for_url(f"{base}/portal/")
    assert User.objects.get(username="chenjing").role == Role.CUSTOMER

    page.click(".page-head a.button.primary")  # new request
    page.wait_for_url(f"{base}/portal/new/")
    page.select_option("#id_type", "fault")
    page.fill("#id_subject", "光猫指示灯红色闪烁")
    page.fill("#id_description", "从今天早上开始无法上网。")
    page.set_input_files("#id_attachments", files=[{"name": "光猫.png", "mimeType": "image/png", "buffer": PNG}])
    page.click("form.portal-form button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/tickets/*/")

    ticket = Ticket.objects.get()
    assert ticket.channel == "web" and ticket.customer.username == "chenjing"
    assert Attachment.objects.get(message__ticket=ticket).name == "光猫.png"
    assert page.locator("h1").inner_text() == "光猫指示灯红色闪烁"
    assert page.locator(".portal-files a").inner_text() == "光猫.png"

    page.click(".portal-nav a[href='/portal/']")
    page.wait_for_url(f"{base}/portal/")
    item = page.locator(f"li[data-ticket='{ticket.number}']")
    assert item.locator(".portal-item-title").inner_text() == "光猫指示灯红色闪烁"
    assert item.locator("[data-status]").is_visible()
    # Nothing wider than the phone: no sideways scrolling on the list.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    outside = [u for u in page.requested if not u.startswith(base)]
    assert outside == [], f"the page fetched from outside SQM: {outside}"
