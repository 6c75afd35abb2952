"""A real browser (Debian's Chromium driven by Playwright) on a phone-sized screen: a customer
opens a SERVQUAL link, scores the 22 items twice, spreads 100 importance points (the page adds
them up as they type), is told when the points do not add up, and submits."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from sqm.core.roles import Role
from sqm.feedback.surveys.models import SurveyResponse

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
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
        requested: list[str] = []
        pg = context.new_page()
        pg.on("request", lambda request: requested.append(request.url))
        pg.requested = requested  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_customer_answers_servqual_on_a_phone(live_server: Any, page: Any, make_user: Any) -> None:
    from sqm.feedback.tests.surveys_factories import invite, servqual_survey

    survey = servqual_survey(make_user(Role.QUALITY_MANAGER))
    customer = make_user(Role.CUSTOMER)
    token = invite(survey, customer)
    items = list(survey.questions.filter(kind="gap").order_by("position"))
    weights = survey.questions.get(kind="weights")
    base = live_server.url

    page.goto(f"{base}/feedback/s/{token}/")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "服务质量调查（SERVQUAL）"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    assert not SurveyResponse.objects.exists(), "opening the link stores nothing"

    for n, question in enumerate(items):
        expectation, perception = 7 if n % 2 else 6, 4 if question.dimension == "responsiveness" else 5
        page.click(f"#question-{question.pk} input[name=q{question.pk}_e][value='{expectation}'] + span")
        page.click(f"#question-{question.pk} input[name=q{question.pk}_p][value='{perception}'] + span")
    points = {"tangibles": "10", "reliability": "35", "responsiveness": "30", "assurance": "15", "empathy": "20"}
    for code, value in points.items():
        page.fill(f"input[name=q{weights.pk}_{code}]", value)
    assert page.locator(f"#question-{weights.pk} .sq-sum").inner_text() == "110"
    page.click("button.sq-submit")
    page.wait_for_selector(".sq-alert")
    message = page.locator(f"#question-{weights.pk} .errorlist").inner_text()
    assert "100" in message and "110" in message, message
    assert page.locator(f"#question-{weights.pk}.sq-invalid").count() == 1
    assert page.is_checked(f"input[name=q{items[0].pk}_e][value='6']"), "the answers are kept"
    assert not SurveyResponse.objects.exists()

    page.fill(f"input[name=q{weights.pk}_empathy]", "10")
    assert page.locator(f"#question-{weights.pk} .sq-sum").inner_text() == "100"
    page.click("button.sq-submit")
    page.wait_for_selector(".sq-thanks")
    response = SurveyResponse.objects.get()
    assert response.customer_id == customer.pk and response.answers.count() == 23
    answer = response.answers.get(question=items[10])  # item 11, responsiveness
    assert (answer.expectation, answer.perception) == (6, 4)
    assert response.answers.get(question=weights).points == {
        "tangibles": 10,
        "reliability": 35,
        "responsiveness": 30,
        "assurance": 15,
        "empathy": 10,
    }
    assert all(url.startswith(base) for url in page.requested), "nothing is fetched from elsewhere"
