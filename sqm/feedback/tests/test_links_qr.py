"""QR-code instant rating: the phone page, what a submission stores, de-duplication, flagging of
bot-like submissions, rate limits (a 1,000-rating burst from one device leaves the KPIs alone),
and the quality manager's codes: list, create, deactivate, PNG, SVG and the printable sheet."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.roles import Role
from sqm.feedback import selectors as feedback_selectors
from sqm.feedback.links import services
from sqm.feedback.links.models import QrCode, QrRating
from sqm.feedback.models import Rating
from sqm.org.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


@pytest.fixture
def code():
    team = TeamFactory(name="营业厅一组")
    agent = UserFactory(role=Role.AGENT, team=team, display_name="李娜")
    return QrCode.objects.create(
        token="tok-counter-3",
        label="3 号窗口",
        team=team,
        agent=agent,
        created_by=UserFactory(role=Role.QUALITY_MANAGER),
        created_at=timezone.now(),
    )


def _phone(lang: str = "en") -> Client:
    client = Client(HTTP_USER_AGENT=UA)
    client.cookies["sqm_language"] = lang
    return client


def _stamp(code, seconds_ago: int = 20) -> str:
    return services.form_stamp(code, at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def _url(code) -> str:
    return reverse("feedback:links_qr", args=[code.token])


def test_phone_page_renders_mobile_first_in_both_languages(code):
    client = _phone()
    page = client.get(_url(code))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "3 号窗口" in html and "李娜" in html and "How was our service?" in html
    assert html.count('type="radio" name="score"') == 5 and "rate-star" in html and "rate-submit" in html
    assert 'name="stamp"' in html and 'class="rate-trap"' in html
    assert 'data-lang="en"' in html and 'data-lang="zh-hans"' in html  # the language switch
    assert page.cookies["sqm_qr_device"]["httponly"] and "no-store" in page["Cache-Control"]
    assert not Rating.objects.exists(), "opening the page records nothing"
    chinese = _phone("zh-hans").get(_url(code)).content.decode()
    assert 'lang="zh-hans"' in chinese


def test_submission_stores_a_qr_rating_for_the_code_without_the_address(code):
    client = _phone()
    client.get(_url(code))
    done = client.post(_url(code), {"score": "2", "comment": "排队太久", "stamp": _stamp(code)})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.source, rating.score, rating.comment, rating.counted) == ("qr", 2, "排队太久", True)
    assert (rating.agent_id, rating.team_id, rating.ticket_id, rating.customer_id) == (
        code.agent_id,
        code.team_id,
        None,
        None,
    )
    qr = QrRating.objects.get()
    assert qr.code_id == code.pk and len(qr.device) == 64 and "127.0.0.1" not in qr.device
    entry = AuditEntry.objects.filter(object_type="feedback.rating").last()
    assert entry.action == "create" and entry.changes["qr_code"] == code.pk


def test_same_device_and_code_within_ten_minutes_updates_instead_of_adding(code):
    client = services.QrClient(cookie="c1", address="10.0.0.5", user_agent=UA)
    now = timezone.now()
    first = services.qr_rating_submit(code=code, client=client, score=2, stamp=_stamp(code), now=now)
    again = services.qr_rating_submit(
        code=code, client=client, score=4, comment="其实还行", stamp=_stamp(code), now=now + dt.timedelta(minutes=9)
    )
    assert first.created and not again.created and again.rating.pk == first.rating.pk
    assert Rating.objects.count() == 1 and Rating.objects.get().score == 4
    assert QrRating.objects.get().submissions == 2
    other_phone = services.QrClient(cookie="c2", address="10.0.0.5", user_agent=UA)
    services.qr_rating_submit(
        code=code, client=other_phone, score=5, stamp=_stamp(code), now=now + dt.timedelta(minutes=9)
    )
    later = services.qr_rating_submit(
        code=code, client=client, score=5, stamp=_stamp(code, 60 * 30), now=now + dt.timedelta(minutes=30)
    )
    assert later.created and Rating.objects.count() == 3


@pytest.mark.parametrize(
    ("stamp", "trap", "reason"),
    [
        ("fresh", "", "less than 2 seconds"),
        ("", "", "no valid form stamp"),
        ("forged", "", "no valid form stamp"),
        ("other", "", "another code"),
        ("ok", "http://spam.example", "hidden from people"),
    ],
)
def test_bot_like_submissions_are_stored_but_not_counted(code, stamp, trap, reason):
    other = QrCode.objects.create(
        token="tok-other", label="x", team=code.team, created_by=code.created_by, created_at=timezone.now()
    )
    stamps = {
        "fresh": services.form_stamp(code),
        "": "",
        "forged": _stamp(code)[:-4] + "abcd",
        "other": _stamp(other),
        "ok": _stamp(code),
    }
    with mock.patch("django.utils.translation.get_language", return_value="en"):
        outcome = services.qr_rating_submit(
            code=code, client=services.QrClient("c", "10.0.0.9", UA), score=1, stamp=stamps[stamp], trap=trap
        )
    assert not outcome.counted and reason in outcome.flag_reason
    rating = Rating.objects.get()
    assert not rating.counted and rating.flagged_at is not None and rating.flagged_by is None
    assert feedback_selectors.score_summary()["count"] == 0


def test_burst_of_1000_from_one_device_in_a_minute_is_limited_and_flagged(code):
    """One phone (same cookie, address and browser) sends 1,000 ratings within one minute: a few
    are accepted, then flagged, then refused with 429; nothing of it counts in the KPIs."""
    client = _phone()
    client.get(_url(code))
    moment = timezone.now().replace(second=5, microsecond=0)  # all inside one rate-limit window
    stamp = services.form_stamp(code, at=moment - dt.timedelta(seconds=30))
    statuses = []
    with mock.patch("sqm.feedback.links.services.timezone.now", return_value=moment):
        for n in range(1000):
            statuses.append(client.post(_url(code), {"score": str(1 + n % 5), "stamp": stamp}).status_code)
        refused = client.post(_url(code), {"score": "5", "stamp": stamp})
    assert statuses.count(200) == services.HARD_DEVICE
    assert statuses.count(429) == 1000 - services.HARD_DEVICE
    assert Rating.objects.count() == 1, "de-duplicated: one device, one code"
    rating = Rating.objects.get()
    assert not rating.counted and "from one device in a minute" in rating.flag_reason
    assert QrRating.objects.get().submissions == services.HARD_DEVICE
    assert Rating.objects.filter(counted=True).count() == 0
    assert feedback_selectors.score_summary()["count"] == 0
    assert refused.status_code == 429 and refused["Retry-After"] == "60"


def test_burst_without_cookies_across_codes_is_caught_by_address_and_browser(code):
    """A script that makes up a new device cookie each time and spreads over several codes: de-duplication
    cannot see it, the per-client limits do; at most the burst allowance counts."""
    codes = [code] + [
        QrCode.objects.create(
            token=f"tok-{n}", label=f"{n} 号窗口", team=code.team, created_by=code.created_by, created_at=timezone.now()
        )
        for n in range(4)
    ]
    moment = timezone.now().replace(second=5, microsecond=0)
    statuses = []
    with mock.patch("sqm.feedback.links.services.timezone.now", return_value=moment):
        for n in range(200):
            client = Client(HTTP_USER_AGENT=UA)
            client.cookies["sqm_qr_device"] = f"fresh-{n}"  # a new made-up device id every time
            target = codes[n % len(codes)]
            stamp = services.form_stamp(target, at=moment - dt.timedelta(seconds=30))
            statuses.append(client.post(_url(target), {"score": "5", "stamp": stamp}).status_code)
    assert statuses.count(200) == services.HARD_CLIENT and statuses.count(429) == 200 - services.HARD_CLIENT
    assert Rating.objects.filter(counted=True).count() == services.BURST_CLIENT
    assert Rating.objects.filter(counted=False).count() == services.HARD_CLIENT - services.BURST_CLIENT


def test_invalid_input_names_the_field_and_stores_nothing(code):
    client = _phone()
    response = client.post(_url(code), {"score": "9", "stamp": _stamp(code)})
    assert response.status_code == 400 and 'class="errorlist"' in response.content.decode()
    too_long = client.post(_url(code), {"score": "3", "comment": "长" * 501, "stamp": _stamp(code)})
    assert too_long.status_code == 400
    assert not Rating.objects.exists()


def test_unknown_and_retired_codes(code):
    client = _phone()
    assert client.get(reverse("feedback:links_qr", args=["nope"])).status_code == 404
    code.is_active = False
    code.save()
    retired = client.get(_url(code))
    assert retired.status_code == 410 and "no longer in use" in retired.content.decode()
    assert client.post(_url(code), {"score": "5", "stamp": _stamp(code)}).status_code == 410
    assert not Rating.objects.exists()


# --- staff pages --------------------------------------------------------------------------------


def _staff(client_for, user):
    client = client_for(user)
    client.cookies["sqm_language"] = "en"
    return client


def test_manager_creates_lists_and_deactivates_codes(client_for, users_by_role, django_assert_max_num_queries):
    manager = users_by_role[Role.QUALITY_MANAGER]
    team = TeamFactory(name="热线二组")
    client = _staff(client_for, manager)
    created = client.post(reverse("feedback:links_qr_create"), {"label": "大厅 A", "team": team.pk})
    assert created.status_code == 302
    made = QrCode.objects.get(label="大厅 A")
    assert made.team_id == team.pk and made.is_active and len(made.token) == 16
    assert AuditEntry.objects.filter(object_type="feedback.qrcode", action="create").exists()
    for n in range(15):
        services.qr_code_create(actor=manager, label=f"窗口 {n}", team=team)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("feedback:links_qr_list"))
    html = page.content.decode()
    assert page.status_code == 200 and "大厅 A" in html and f"/feedback/q/{made.token}/" in html
    assert client.post(reverse("feedback:links_qr_deactivate", args=[made.pk])).status_code == 302
    made.refresh_from_db()
    assert not made.is_active and made.deactivated_at is not None
    bad = client.post(reverse("feedback:links_qr_create"), {"label": "无归属"})
    assert bad.status_code == 400 and "Choose the service point" in bad.content.decode()


def test_codes_are_for_quality_managers_and_admins_only(client_for, users_by_role, code):
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.QA_INSPECTOR, Role.CUSTOMER, Role.AUDITOR):
        client = client_for(users_by_role[role])
        assert client.get(reverse("feedback:links_qr_list")).status_code == 403, role
        assert client.get(reverse("feedback:links_qr_png", args=[code.pk])).status_code == 403, role
    for role in (Role.QUALITY_MANAGER, Role.ADMIN):
        assert client_for(users_by_role[role]).get(reverse("feedback:links_qr_list")).status_code == 200


def test_png_svg_and_printable_sheet(client_for, users_by_role, code, settings):
    settings.SQM_PUBLIC_URL = "https://sqm.example.com"
    client = _staff(client_for, users_by_role[Role.QUALITY_MANAGER])
    png = client.get(reverse("feedback:links_qr_png", args=[code.pk]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n")
    svg = client.get(reverse("feedback:links_qr_svg", args=[code.pk]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert b"3 \xe5\x8f\xb7" in svg.content  # the label as the SVG title
    second = QrCode.objects.create(
        token="tok-second", label="4 号窗口", team=code.team, created_by=code.created_by, created_at=timezone.now()
    )
    QrCode.objects.create(
        token="tok-retired",
        label="旧窗口",
        team=code.team,
        created_by=code.created_by,
        created_at=timezone.now(),
        is_active=False,
    )
    sheet = client.get(reverse("feedback:links_qr_sheet")).content.decode()
    assert sheet.count('<figure class="qr-card">') == 2 and "3 号窗口" in sheet and "4 号窗口" in sheet
    assert "旧窗口" not in sheet and "qr-sheet" in sheet and "扫码评价" in sheet
    one = client.get(reverse("feedback:links_qr_sheet"), {"id": second.pk}).content.decode()
    assert one.count('<figure class="qr-card">') == 1 and "4 号窗口" in one


def test_qr_png_decodes_to_the_public_page(code, settings):
    """The printed code must point at the public page: decode what segno drew (its own matrix)."""
    import segno

    from sqm.feedback.links import qr

    settings.SQM_PUBLIC_URL = "https://sqm.example.com/"
    assert qr.code_url(code) == "https://sqm.example.com/feedback/q/tok-counter-3/"
    assert segno.make(qr.code_url(code), error="m").matrix == qr._make(code).matrix


# --- API ----------------------------------------------------------------------------------------


def _api(user) -> Client:
    from sqm.org.services import api_token_create

    key = api_token_create(actor=user, user=user, name="t")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def test_api_codes_list_create_deactivate(users_by_role, code, django_assert_max_num_queries):
    client = _api(users_by_role[Role.QUALITY_MANAGER])
    made = client.post(
        "/api/feedback/links/qr-codes", {"label": "柜台 9", "agent_id": code.agent_id}, content_type="application/json"
    )
    assert made.status_code == 201
    body = made.json()
    assert body["team_id"] == code.team_id and body["agent_id"] == code.agent_id and body["is_active"]
    assert re.fullmatch(r".*/feedback/q/[\w-]{16}/", body["url"]) and body["png"].endswith("qr.png")
    with django_assert_max_num_queries(6):
        listed = client.get("/api/feedback/links/qr-codes")
    assert {c["label"] for c in listed.json()} == {"3 号窗口", "柜台 9"}
    off = client.post(f"/api/feedback/links/qr-codes/{body['id']}/deactivate")
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert [c["label"] for c in client.get("/api/feedback/links/qr-codes", {"active": "true"}).json()] == ["3 号窗口"]
    missing = client.post("/api/feedback/links/qr-codes", {"team_id": code.team_id}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"].endswith("label")
    neither = client.post("/api/feedback/links/qr-codes", {"label": "x"}, content_type="application/json")
    assert neither.status_code == 400 and neither.json()["detail"][0]["field"] == "team"
    ghost = client.post(
        "/api/feedback/links/qr-codes", {"label": "x", "team_id": 999999}, content_type="application/json"
    )
    assert ghost.status_code == 400 and ghost.json()["detail"][0]["field"] == "team_id"
    assert client.post("/api/feedback/links/qr-codes/999999/deactivate").status_code == 404
    agent = _api(users_by_role[Role.AGENT])
    assert agent.post("/api/feedback/links/qr-codes/999999/deactivate").status_code == 403
