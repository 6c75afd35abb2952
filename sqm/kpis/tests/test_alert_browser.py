"""A real browser on the alert pages: a team lead acknowledges an alert and submits the plan, the
quality manager verifies and closes it, all through the forms (no JavaScript needed)."""

from __future__ import annotations

import os

import pytest

from sqm.core.roles import Role
from sqm.core.tests.test_browser import CHROMIUM, _sign_in, page  # noqa: F401  (the fixture)
from sqm.kpis.models import Alert, AlertLevel, AlertRule, AlertStatus
from sqm.kpis.services import alerts as services
from sqm.kpis.tests.alert_factories import AlertFactory
from sqm.org.tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.django_db(transaction=True)
def test_lead_plans_and_manager_closes_in_the_browser(live_server, page, tmp_path):  # noqa: F811
    services.install_alert_defaults()
    UserFactory(username="lead-zhao", role=Role.TEAM_LEAD, language="en")
    UserFactory(username="qm-qian", role=Role.QUALITY_MANAGER, language="en")
    alert = AlertFactory(
        rule=AlertRule.objects.get(code="complaint_growth"),
        level=AlertLevel.YELLOW,
        evidence={
            "kind": "complaint_growth",
            "this_week": 13,
            "last_week": 10,
            "growth": "0.3000",
            "period": "2026-11-16",
        },
    )
    base = live_server.url
    _sign_in(page, base, "lead-zhao")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/kpis/alerts/")
    page.click(f"a[href='/kpis/alerts/{alert.pk}/']")
    page.click("text=Acknowledge and take ownership")
    page.fill("textarea[name=plan]", "原因：周末排班不足。措施：增加两名备班坐席，每日复盘，月底前完成。")
    page.click("text=Submit plan")
    page.wait_for_load_state()
    assert "The rectification plan was submitted for verification." in page.content()
    page.screenshot(path=str(tmp_path / "alert-lead.png"), full_page=True)

    page.context.clear_cookies()
    _sign_in(page, base, "qm-qian")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/kpis/alerts/{alert.pk}/")
    page.fill("textarea[name=verify-note]", "已核实排班表")
    page.click("button:has-text('Verified')")
    page.wait_for_load_state()
    page.click("button:has-text('Close')")
    page.wait_for_load_state()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.CLOSED
    page.screenshot(path=str(tmp_path / "alert-closed.png"), full_page=True)
    assert all(url.startswith(base) for url in page.requested), "nothing fetched from elsewhere"
