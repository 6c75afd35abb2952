"""Every screen exists in Simplified Chinese (the default) and English."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from sqm.core.roles import Role

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def test_catalogue_is_complete_and_keeps_placeholders():
    po = polib.pofile(str(CATALOGUE))
    entries = [e for e in po if not e.obsolete]
    assert len(entries) > 300
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    for entry in entries:
        text = entry.msgstr or entry.msgstr_plural.get(0, "")
        assert text, f"untranslated: {entry.msgid!r}"
        source = entry.msgid_plural or entry.msgid  # Chinese has one form: the plural's
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(text)), entry.msgid


def test_compiled_catalogue_is_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Sign in") == "登录"
    with translation.override("en"):
        assert translation.gettext("Sign in") == "Sign in"


@pytest.mark.django_db
def test_pages_default_to_the_centres_language_until_someone_switches(client):
    assert "登录" in client.get("/login/").content.decode()
    assert "登录" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    client.post("/language", {"language": "en", "next": "/login/"})
    assert ">Sign in<" in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_saved_language_beats_the_browser(client_for, make_user):
    user = make_user(Role.ADMIN, language="en")
    page = client_for(user).get("/org/users/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "People" in page and "人员" not in page


@pytest.mark.django_db
def test_language_switch_is_remembered_on_the_user(client_for, make_user):
    user = make_user(Role.AGENT)
    client = client_for(user)
    response = client.post("/language", {"language": "en", "next": "/org/account/"})
    assert response.status_code == 302 and response["Location"] == "/org/account/"
    user.refresh_from_db()
    assert user.language == "en"
    assert client.post("/language", {"language": "fr"}).status_code == 400
    assert client.post("/language", {"language": "en", "next": "https://evil.example/"})["Location"] == "/"


@pytest.mark.django_db
def test_form_errors_name_the_field_in_chinese(client_for, make_user):
    admin = make_user(Role.ADMIN)
    response = client_for(admin).post("/org/teams/new/", {"name": "", "code": "bad code"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_name_error"><li>此字段为必填项。</li></ul>' in page


@pytest.mark.django_db
def test_api_errors_in_the_users_language(make_user):
    from django.test import Client

    from sqm.org.services import api_token_create

    user = make_user(Role.ADMIN)
    key = api_token_create(actor=user, user=user, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    zh = client.post(
        "/api/org/teams", {"name": "x"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()["detail"]
    en = client.post(
        "/api/org/teams", {"name": "x"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()["detail"]
    assert zh[0]["field"] == en[0]["field"] == "code"
    assert en[0]["message"] == "This field is required."
    assert zh[0]["message"] != en[0]["message"] and re.search(r"[\u4e00-\u9fff]", zh[0]["message"])
