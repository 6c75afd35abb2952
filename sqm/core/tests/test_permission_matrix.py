"""Every role against every page and every API operation that exists.

The tables below say which capability each page and operation needs; the tests fail when a URL
or an API operation exists that the tables do not cover, so nothing new slips in unchecked.
Expectations: a role with the capability is let in (never 401/403/500); a role without it gets
403 (never a 404 that leaks existence, never a 500); nobody signed in gets the login page (web)
or 401 (API).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sqm.api import api
from sqm.audit.services import audit_append
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.core.tests.matrix import ANY_SIGNED_IN, PUBLIC, Page
from sqm.org.models import ApiToken, User
from sqm.org.services import api_token_create
from sqm.org.tests.factories import AgentSkillFactory, CertificateFactory, SkillFactory, TeamFactory

PAGES: dict[str, Page] = {
    "home": Page(ANY_SIGNED_IN),
    "healthz": Page(PUBLIC),
    "login": Page(PUBLIC),
    "logout": Page(PUBLIC, "POST"),
    "language_switch": Page(PUBLIC, "POST"),
    "password_reset": Page(PUBLIC),
    "password_reset_done": Page(PUBLIC),
    "password_reset_confirm": Page(PUBLIC, kwargs=lambda w, u: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Page(PUBLIC),
    "org:user_list": Page(Cap.ORG_VIEW),
    "org:user_create": Page(Cap.ORG_MANAGE),
    "org:user_detail": Page(Cap.ORG_VIEW, kwargs=lambda w, u: {"pk": w.agent.pk}),
    "org:user_edit": Page(Cap.ORG_MANAGE, kwargs=lambda w, u: {"pk": w.agent.pk}),
    "org:user_password": Page(Cap.ORG_MANAGE, kwargs=lambda w, u: {"pk": w.agent.pk}),
    "org:user_profile_edit": Page(Cap.ORG_MANAGE, kwargs=lambda w, u: {"pk": w.agent.pk}),
    "org:user_skill_set": Page(Cap.ORG_MANAGE, "POST", lambda w, u: {"pk": w.agent.pk}),
    "org:user_skill_remove": Page(Cap.ORG_MANAGE, "POST", lambda w, u: {"pk": w.agent.pk, "skill_pk": w.skill.pk}),
    "org:user_certificate_add": Page(Cap.ORG_MANAGE, "POST", lambda w, u: {"pk": w.agent.pk}),
    "org:user_certificate_remove": Page(
        Cap.ORG_MANAGE, "POST", lambda w, u: {"pk": w.agent.pk, "cert_pk": w.certificate.pk}
    ),
    "org:team_list": Page(Cap.ORG_VIEW),
    "org:team_create": Page(Cap.ORG_MANAGE),
    "org:team_detail": Page(Cap.ORG_VIEW, kwargs=lambda w, u: {"pk": w.team.pk}),
    "org:team_edit": Page(Cap.ORG_MANAGE, kwargs=lambda w, u: {"pk": w.team.pk}),
    "org:skill_list": Page(Cap.ORG_VIEW),
    "org:skill_create": Page(Cap.ORG_MANAGE),
    "org:skill_edit": Page(Cap.ORG_MANAGE, kwargs=lambda w, u: {"pk": w.skill.pk}),
    "org:account": Page(ANY_SIGNED_IN),
    "org:account_language": Page(ANY_SIGNED_IN, "POST"),
    "org:account_password": Page(ANY_SIGNED_IN, "POST"),
    "org:token_create": Page(ANY_SIGNED_IN, "POST"),
    "org:token_revoke": Page(ANY_SIGNED_IN, "POST", lambda w, u: {"pk": w.own_tokens[u.role].pk}),
    "audit:entry_list": Page(Cap.AUDIT_VIEW),
    "audit:entry_detail": Page(Cap.AUDIT_VIEW, kwargs=lambda w, u: {"seq": 1}),
    "audit:verify": Page(Cap.AUDIT_VERIFY),
    "audit:verify_head_download": Page(Cap.AUDIT_VERIFY),
}

# (method, path template) -> (capability, JSON body that passes validation)
API: dict[tuple[str, str], tuple[Cap | str, Callable[[SimpleNamespace], Any] | None]] = {
    ("GET", "/api/me"): (ANY_SIGNED_IN, None),
    ("PATCH", "/api/me"): (ANY_SIGNED_IN, lambda w: {"language": "en"}),
    ("GET", "/api/me/tokens"): (ANY_SIGNED_IN, None),
    ("POST", "/api/me/tokens"): (ANY_SIGNED_IN, lambda w: {"name": "script"}),
    ("DELETE", "/api/me/tokens/{token_id}"): (ANY_SIGNED_IN, None),
    ("GET", "/api/org/users"): (Cap.ORG_VIEW, None),
    ("POST", "/api/org/users"): (
        Cap.ORG_MANAGE,
        lambda w: {"username": f"new{w.counter()}", "display_name": "新人", "role": "customer"},
    ),
    ("GET", "/api/org/users/{user_id}"): (Cap.ORG_VIEW, None),
    ("PATCH", "/api/org/users/{user_id}"): (Cap.ORG_MANAGE, lambda w: {"phone": "13800000000"}),
    ("PATCH", "/api/org/users/{user_id}/profile"): (Cap.ORG_MANAGE, lambda w: {"title": "高级客服专员"}),
    ("PUT", "/api/org/users/{user_id}/skills"): (Cap.ORG_MANAGE, lambda w: {"skill_id": w.skill.pk, "level": 4}),
    ("DELETE", "/api/org/users/{user_id}/skills/{skill_id}"): (Cap.ORG_MANAGE, None),
    ("POST", "/api/org/users/{user_id}/certificates"): (
        Cap.ORG_MANAGE,
        lambda w: {"name": "呼叫中心服务员", "issued_on": "2024-05-01"},
    ),
    ("DELETE", "/api/org/certificates/{certificate_id}"): (Cap.ORG_MANAGE, None),
    ("GET", "/api/org/teams"): (Cap.ORG_VIEW, None),
    ("POST", "/api/org/teams"): (Cap.ORG_MANAGE, lambda w: {"name": f"新组{w.counter()}", "code": f"N{w.counter()}"}),
    ("GET", "/api/org/teams/{team_id}"): (Cap.ORG_VIEW, None),
    ("PATCH", "/api/org/teams/{team_id}"): (Cap.ORG_MANAGE, lambda w: {"description": "夜班"}),
    ("GET", "/api/org/skills"): (Cap.ORG_VIEW, None),
    ("POST", "/api/org/skills"): (
        Cap.ORG_MANAGE,
        lambda w: {"kind": "category", "code": f"new-{w.counter()}", "name_zh": "新业务", "name_en": "New"},
    ),
    ("GET", "/api/org/skills/{skill_id}"): (Cap.ORG_VIEW, None),
    ("PATCH", "/api/org/skills/{skill_id}"): (Cap.ORG_MANAGE, lambda w: {"name_en": "Billing"}),
    ("GET", "/api/audit/entries"): (Cap.AUDIT_VIEW, None),
    ("GET", "/api/audit/entries/{seq}"): (Cap.AUDIT_VIEW, None),
    ("GET", "/api/audit/verify"): (Cap.AUDIT_VERIFY, None),
    ("GET", "/api/audit/head"): (Cap.AUDIT_VERIFY, None),
}


def _app_matrices() -> list[Any]:
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sqm.") or config.name == "sqm.core":
            continue
        tests_dir = Path(config.path) / "tests"
        for module in sorted(tests_dir.glob("matrix*.py")):
            found.append(importlib.import_module(f"{config.name}.tests.{module.stem}"))
    return found


for _module in _app_matrices():
    PAGES.update(getattr(_module, "PAGES", {}))
    API.update(getattr(_module, "API", {}))


def _hooks(name: str) -> list[Callable[..., Any]]:
    return [getattr(m, name) for m in _app_matrices() if hasattr(m, name)]


def _allowed(need: Cap | str, role: str) -> bool:
    if need in (PUBLIC, ANY_SIGNED_IN):
        return True
    return Role(role) in CAPABILITIES[Cap(need)]


def _named_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin", "api"):
                    continue  # Django admin and API: tested below
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(namespace + entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_is_in_the_matrix():
    assert _named_routes() == set(PAGES)


def test_every_api_operation_is_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == set(API)


@pytest.fixture
def world(users_by_role: dict[str, User]) -> SimpleNamespace:
    team = TeamFactory()
    agent = users_by_role[Role.AGENT]
    agent.team = team
    agent.save()
    skill = SkillFactory()
    count = iter(range(1, 10_000))
    w = SimpleNamespace(
        users=users_by_role,
        team=team,
        agent=agent,
        skill=skill,
        certificate=CertificateFactory(user=agent, issued_on=dt.date(2023, 1, 5)),
        counter=lambda: next(count),
    )
    audit_append(actor=None, action="create", target=team)
    for prepare in _hooks("prepare"):
        prepare(w)
    return w


def _refresh(w: SimpleNamespace) -> None:
    """Objects that a previous call may have deleted come back, so every call has a target."""
    if not w.agent.skills.filter(skill=w.skill).exists():
        AgentSkillFactory(user=w.agent, skill=w.skill)
    if not w.agent.certificates.filter(pk=w.certificate.pk).exists():
        w.certificate = CertificateFactory(user=w.agent, issued_on=dt.date(2023, 1, 5))
    for refresh in _hooks("refresh"):
        refresh(w)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_pages_for_role(world: SimpleNamespace, client_for: Callable[[User | None], Client], role: str) -> None:
    user = world.users[role]
    world.own_tokens = {role: api_token_create(actor=user, user=user, name="matrix")[0]}
    client = client_for(user)
    for name, page in PAGES.items():
        if name in ("logout", "language_switch"):
            continue  # they change the session itself; covered in test_pages_for_anonymous
        _refresh(world)
        url = reverse(name, kwargs=page.kwargs(world, user))
        response = client.get(url) if page.method == "GET" else client.post(url, {})
        if _allowed(page.need, role):
            assert response.status_code in (200, 302, 400), (name, role, response.status_code)
            if response.status_code == 302:
                assert "/login/" not in response["Location"], (name, role)
        else:
            assert response.status_code == 403, (name, role, response.status_code)


@pytest.mark.django_db
def test_pages_for_anonymous(world: SimpleNamespace, client: Client) -> None:
    world.own_tokens = {None: ApiToken(pk=1)}
    for name, page in PAGES.items():
        url = reverse(name, kwargs=page.kwargs(world, SimpleNamespace(role=None)))
        response = client.get(url) if page.method == "GET" else client.post(url, {})
        if page.need == PUBLIC:
            assert response.status_code in (200, 302, 400), (name, response.status_code)
        else:
            assert response.status_code == 302 and "/login/" in response["Location"], (name, response.status_code)


def _api_path(template: str, w: SimpleNamespace, user: User) -> str:
    spare = api_token_create(actor=user, user=user, name="spare")[0]
    params = {
        "token_id": spare.pk,
        "user_id": w.agent.pk,
        "skill_id": w.skill.pk,
        "certificate_id": w.certificate.pk,
        "team_id": w.team.pk,
        "seq": 1,
    }
    for extra in _hooks("path_params"):
        params.update(extra(w, user))
    return template.format(**params)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_api_for_role(world: SimpleNamespace, role: str) -> None:
    user = world.users[role]
    key = api_token_create(actor=user, user=user, name="matrix")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    for (method, template), (need, body) in API.items():
        _refresh(world)
        path = _api_path(template, world, user)
        payload = body(world) if body else None
        response = client.generic(method, path, data=_json(payload), content_type="application/json")
        if _allowed(need, role):
            assert response.status_code in (200, 201, 204), (method, template, role, response.content[:300])
        else:
            assert response.status_code == 403, (method, template, role, response.status_code)
            assert response.json()["detail"][0]["code"] == "permission_denied"


@pytest.mark.django_db
def test_api_without_credentials_is_401(world: SimpleNamespace) -> None:
    client = Client(enforce_csrf_checks=True)
    for (method, template), (need, body) in API.items():
        if need == PUBLIC:
            continue  # no credentials needed (e.g. a signed rating link); covered by test_api_for_role
        path = _api_path(template, world, world.users[Role.ADMIN])
        payload = body(world) if body else None
        response = client.generic(method, path, data=_json(payload), content_type="application/json")
        assert response.status_code == 401, (method, template, response.status_code)


@pytest.mark.django_db
def test_django_admin_is_closed_to_every_role_but_admin(client_for, users_by_role):
    for role, user in users_by_role.items():
        response = client_for(user).get("/django-admin/")
        if role == Role.ADMIN:
            user.is_staff = True
            user.save()
            assert client_for(user).get("/django-admin/").status_code == 200
        else:
            assert response.status_code == 302 and "/login/" in response["Location"]


def _json(payload: Any) -> str:
    import json

    return "" if payload is None else json.dumps(payload)
