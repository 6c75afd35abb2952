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


SOURCE_ROOT = Path(__file__).resolve().parents[2]
GETTEXT_CALLS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:\s*u?'(?:[^'\\]|\\.)*'\s*,?)+)")


def _skipped(path: Path) -> bool:
    parts = path.relative_to(SOURCE_ROOT).parts
    return "tests" in parts or "migrations" in parts or path.name.startswith("demo")


def _python_messages(path: Path) -> set[tuple[str | None, str]]:
    import ast

    found: set[tuple[str | None, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_CALLS:
            continue
        context_at, message_at = GETTEXT_CALLS[name]
        args = node.args
        if len(args) <= message_at or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[: message_at + 1]
        ):
            continue
        context = args[context_at].value if context_at is not None else None  # type: ignore[attr-defined]
        found.add((context, args[message_at].value))  # type: ignore[attr-defined]
    return found


def _template_messages(path: Path) -> set[tuple[str | None, str]]:
    import ast

    from django.utils.translation.template import templatize

    found: set[tuple[str | None, str]] = set()
    for function, raw_args in TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"))):
        args = ast.literal_eval(f"({raw_args.rstrip().rstrip(',')},)")
        if function.startswith(("p", "np")):
            found.add((args[0], args[1]))
        else:
            found.add((None, args[0]))
    return found


def test_every_marked_string_in_the_source_is_in_the_catalogue():
    """A string marked for translation but missing from the catalogue shows in English to Chinese
    users; ``makemessages`` adds it, and this test says so before a user sees it."""
    po = polib.pofile(str(CATALOGUE))
    known = {(e.msgctxt or None, e.msgid) for e in po if not e.obsolete}
    wanted: dict[tuple[str | None, str], str] = {}
    for path in sorted(SOURCE_ROOT.rglob("*.py")):
        if not _skipped(path):
            for message in _python_messages(path):
                wanted.setdefault(message, str(path.relative_to(SOURCE_ROOT)))
    for path in sorted(SOURCE_ROOT.rglob("templates/**/*.html")):
        for message in _template_messages(path):
            wanted.setdefault(message, str(path.relative_to(SOURCE_ROOT)))
    missing = sorted(f"{where}: {msg!r}" for msg, where in wanted.items() if msg not in known and msg[1])
    assert missing == [], "run makemessages and translate:\n" + "\n".join(missing)
