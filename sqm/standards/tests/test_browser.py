"""In a real browser: the quality manager edits a draft inline (htmx), sends it for review,
approves it, and reads the diff against the version before."""

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
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        context = browser.new_context(locale="en-GB")
        yield context.new_page()
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_edit_a_draft_inline_approve_it_and_read_the_diff(live_server, page):
    from sqm.standards.models import Indicator, Standard, VersionStatus

    UserFactory(username="zhaomin", role=Role.QUALITY_MANAGER, language="en")
    standard = Standard.objects.get(code="QS-SAT")
    base = live_server.url
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))

    page.goto(f"{base}/login/")
    page.fill("#id_username", "zhaomin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/standards/{standard.pk}/")
    page.click("#new-draft")
    page.wait_for_selector("#add-indicator")
    draft_url = page.url

    # edit the CSAT indicator inline: a threshold out of order is refused next to its field
    page.click("#indicators [data-edit=csat]")
    form = page.locator("#indicators form[data-form=indicators]")
    form.wait_for()
    form.locator("[name=target]").fill("92")
    form.locator("[name=yellow]").fill("93")
    form.locator("button[type=submit]").click()
    page.locator("#indicators [data-field=yellow] .errorlist").wait_for()
    assert "must not be above the target" in page.inner_text("#indicators [data-field=yellow]")
    assert page.url == draft_url  # htmx swapped the section, no page load
    form = page.locator("#indicators form[data-form=indicators]")
    form.locator("[name=yellow]").fill("90")
    form.locator("button[type=submit]").click()
    page.locator("#indicators tr[data-indicator=csat] [data-value=target]").filter(has_text="92").wait_for()
    assert page.inner_text("#weight-total").startswith("Weights add up to 100 %")

    # add a clause inline, then remove another one (with confirmation)
    page.click("#add-clause")
    clause_form = page.locator("#clauses form[data-form=clauses]")
    clause_form.wait_for()
    clause_form.locator("[name=number]").fill("4")
    clause_form.locator("[name=title_zh]").fill("满意度公示")
    clause_form.locator("[name=title_en]").fill("Publishing satisfaction")
    clause_form.locator("[name=body_zh]").fill("每月 5 日前在服务大厅公示上月满意度。")
    clause_form.locator("button[type=submit]").click()
    page.locator("#clauses li[data-clause='4']").wait_for()
    page.locator("#clauses li[data-clause='1'] button.danger").click()
    page.locator("#clauses li[data-clause='1']").wait_for(state="detached")
    assert dialogs and "Remove this clause" in dialogs[0]

    # send for review, approve from today
    page.click("#submit-version")
    page.wait_for_selector("#approve-version")
    page.click("#approve-version")
    page.wait_for_selector(".messages")
    assert "in force from today" in page.inner_text(".messages")
    draft = standard.versions.get(number=2)
    assert draft.status == VersionStatus.EFFECTIVE
    assert Indicator.objects.get(version=draft, code="csat").target == 92

    # the diff page: pick the two versions, read what changed
    page.goto(f"{base}/standards/{standard.pk}/diff/")
    v1 = standard.versions.get(number=1)
    page.select_option("#id_a", str(v1.pk))
    page.select_option("#id_b", str(draft.pk))
    page.click("#diff-pick button[type=submit]")
    page.wait_for_selector("#diff-counts")
    assert "1 added, 1 removed, 1 changed." in page.inner_text("#diff-counts")
    row = page.locator("#diff-indicators [data-key=csat] tr[data-field=target]")
    assert row.locator("del").inner_text() == "90" and row.locator("ins").inner_text() == "92"
    assert "Publishing satisfaction" in page.inner_text("#diff-clauses [data-status=added]")
