"""The organisation API (/api/me, /api/org): access per role, validation, what is stored, query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sqm.audit.models import AuditEntry
from sqm.core.api_errors import translate_validation_errors
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.org.models import AgentSkill, ApiToken, Certificate, Skill, StaffProfile, StaffStatus, Team, User
from sqm.org.services import api_token_create, api_token_revoke
from sqm.org.tests.factories import (
    AgentSkillFactory,
    CertificateFactory,
    SkillFactory,
    TeamFactory,
    UserFactory,
)

STRONG_PASSWORD = "Str0ng-pass-2026!"


# --- helpers ------------------------------------------------------------------------------------


class Api:
    """A test client that speaks JSON to /api with a real API token (or none, or a session)."""

    def __init__(self, key: str | None = None, client: Client | None = None, **headers: str) -> None:
        self.client = client or Client()
        self.headers = dict(headers)
        if key is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {**self.headers, **headers}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(f"/api{path}", **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self.call("get", path, **headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("post", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("patch", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("put", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.call("delete", path, **headers)


def api_as(user: User, **headers: str) -> Api:
    _, key = api_token_create(actor=user, user=user, name="tests")
    return Api(key, **headers)


def stored_counts() -> dict[str, int]:
    """Rows of every table the org API writes, including the audit trail."""
    models = (User, Team, Skill, AgentSkill, Certificate, StaffProfile, ApiToken, AuditEntry)
    return {m.__name__: m.objects.count() for m in models}


def fields_of(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["detail"]]


def assert_error_shape(response: Any, status: int, *fields: str) -> None:
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for error in detail:
        assert set(error) == {"field", "message", "code"}
        assert error["message"]
    for field in fields:
        assert field in fields_of(response), response.json()


@pytest.fixture
def world(users_by_role: dict[str, User]) -> SimpleNamespace:
    """A team with an agent who holds a skill and a certificate, plus one user per role."""
    team = TeamFactory(name="投诉组", code="CMP")
    agent = UserFactory(role=Role.AGENT, username="wang.fang", display_name="王芳", team=team, phone="010-1")
    skill = SkillFactory(code="billing", name_zh="账单", name_en="Billing")
    spare_skill = SkillFactory(code="english", kind="language", name_zh="英语", name_en="English")
    AgentSkillFactory(user=agent, skill=skill, level=2)
    certificate = CertificateFactory(user=agent)
    return SimpleNamespace(
        team=team, agent=agent, skill=skill, spare_skill=spare_skill, certificate=certificate, roles=users_by_role
    )


# --- every endpoint, every role -----------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[SimpleNamespace, User], str]
    body: Callable[[SimpleNamespace], Any] | None
    cap: Cap | None
    ok: int

    def call(self, api: Api, w: SimpleNamespace, caller: User) -> Any:
        body = self.body(w) if self.body else None
        return api.call(self.method, self.path(w, caller), body)


def _own_spare_token(w: SimpleNamespace, caller: User) -> str:
    token, _ = api_token_create(actor=caller, user=caller, name="spare")
    return f"/me/tokens/{token.pk}"


ENDPOINTS: dict[str, Endpoint] = {
    "me get": Endpoint("GET", lambda w, u: "/me", None, None, 200),
    "me patch": Endpoint("PATCH", lambda w, u: "/me", lambda w: {"language": "en"}, None, 200),
    "tokens list": Endpoint("GET", lambda w, u: "/me/tokens", None, None, 200),
    "token create": Endpoint("POST", lambda w, u: "/me/tokens", lambda w: {"name": "laptop"}, None, 201),
    "token revoke": Endpoint("DELETE", _own_spare_token, None, None, 204),
    "users list": Endpoint("GET", lambda w, u: "/org/users", None, Cap.ORG_VIEW, 200),
    "user get": Endpoint("GET", lambda w, u: f"/org/users/{w.agent.pk}", None, Cap.ORG_VIEW, 200),
    "user create": Endpoint(
        "POST",
        lambda w, u: "/org/users",
        lambda w: {
            "username": "li.lei",
            "display_name": "李雷",
            "role": "agent",
            "team_id": w.team.pk,
            "password": STRONG_PASSWORD,
            "employee_no": "N0001",
            "hire_date": "2025-02-03",
        },
        Cap.ORG_MANAGE,
        201,
    ),
    "user patch": Endpoint(
        "PATCH", lambda w, u: f"/org/users/{w.agent.pk}", lambda w: {"phone": "010-2"}, Cap.ORG_MANAGE, 200
    ),
    "profile patch": Endpoint(
        "PATCH", lambda w, u: f"/org/users/{w.agent.pk}/profile", lambda w: {"title": "高级坐席"}, Cap.ORG_MANAGE, 200
    ),
    "skill set": Endpoint(
        "PUT",
        lambda w, u: f"/org/users/{w.agent.pk}/skills",
        lambda w: {"skill_id": w.spare_skill.pk, "level": 4},
        Cap.ORG_MANAGE,
        200,
    ),
    "skill remove": Endpoint(
        "DELETE", lambda w, u: f"/org/users/{w.agent.pk}/skills/{w.skill.pk}", None, Cap.ORG_MANAGE, 204
    ),
    "certificate add": Endpoint(
        "POST",
        lambda w, u: f"/org/users/{w.agent.pk}/certificates",
        lambda w: {"name": "呼叫中心服务员", "issued_on": "2024-05-06"},
        Cap.ORG_MANAGE,
        201,
    ),
    "certificate remove": Endpoint(
        "DELETE", lambda w, u: f"/org/certificates/{w.certificate.pk}", None, Cap.ORG_MANAGE, 204
    ),
    "teams list": Endpoint("GET", lambda w, u: "/org/teams", None, Cap.ORG_VIEW, 200),
    "team get": Endpoint("GET", lambda w, u: f"/org/teams/{w.team.pk}", None, Cap.ORG_VIEW, 200),
    "team create": Endpoint(
        "POST", lambda w, u: "/org/teams", lambda w: {"name": "咨询组", "code": "ASK"}, Cap.ORG_MANAGE, 201
    ),
    "team patch": Endpoint(
        "PATCH", lambda w, u: f"/org/teams/{w.team.pk}", lambda w: {"description": "负责投诉"}, Cap.ORG_MANAGE, 200
    ),
    "skills list": Endpoint("GET", lambda w, u: "/org/skills", None, Cap.ORG_VIEW, 200),
    "skill get": Endpoint("GET", lambda w, u: f"/org/skills/{w.skill.pk}", None, Cap.ORG_VIEW, 200),
    "skill create": Endpoint(
        "POST",
        lambda w, u: "/org/skills",
        lambda w: {"kind": "channel", "code": "email", "name_zh": "邮件", "name_en": "E-mail"},
        Cap.ORG_MANAGE,
        201,
    ),
    "skill patch": Endpoint(
        "PATCH", lambda w, u: f"/org/skills/{w.skill.pk}", lambda w: {"name_en": "Bills"}, Cap.ORG_MANAGE, 200
    ),
}


def _allowed(role: Role, cap: Cap | None) -> bool:
    return cap is None or role in CAPABILITIES[cap]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_endpoint_for_each_role(world: SimpleNamespace, name: str, role: Role) -> None:
    endpoint = ENDPOINTS[name]
    caller = world.roles[role.value]
    api = api_as(caller)
    path = endpoint.path(world, caller)  # may create the caller's spare token
    before = stored_counts()
    response = api.call(endpoint.method, path, endpoint.body(world) if endpoint.body else None)
    if _allowed(role, endpoint.cap):
        assert response.status_code == endpoint.ok, response.content
        if endpoint.method != "GET":
            assert stored_counts()["AuditEntry"] > before["AuditEntry"], "every change is audited"
    else:
        assert_error_shape(response, 403)
        assert response.json()["detail"][0]["code"] == "permission_denied"
        assert stored_counts() == before


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_no_credentials_is_401(world: SimpleNamespace, name: str) -> None:
    endpoint = ENDPOINTS[name]
    path = endpoint.path(world, world.roles["admin"])
    before = stored_counts()
    response = Api().call(endpoint.method, path, endpoint.body(world) if endpoint.body else None)
    assert_error_shape(response, 401, "Authorization")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert stored_counts() == before


@pytest.mark.parametrize(
    "name", ["users list", "user get", "team get", "skill get", "user patch", "skill remove", "certificate remove"]
)
def test_forbidden_roles_get_403_even_for_unknown_ids(world: SimpleNamespace, name: str) -> None:
    """The capability is checked before the lookup: no role learns which ids exist."""
    endpoint = ENDPOINTS[name]
    agent_api = api_as(world.roles["agent"])
    path = endpoint.path(world, world.roles["agent"])
    unknown = path.replace(str(world.agent.pk), "999999").replace(str(world.team.pk), "999999")
    unknown = unknown.replace(str(world.skill.pk), "999999").replace(str(world.certificate.pk), "999999")
    body = endpoint.body(world) if endpoint.body else None
    assert agent_api.call(endpoint.method, unknown, body).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/org/users/999999", None),
        ("PATCH", "/org/users/999999", {"phone": "1"}),
        ("PATCH", "/org/users/999999/profile", {"title": "x"}),
        ("PUT", "/org/users/999999/skills", {"skill_id": 1, "level": 1}),
        ("DELETE", "/org/users/999999/skills/1", None),
        ("POST", "/org/users/999999/certificates", {"name": "x", "issued_on": "2024-01-01"}),
        ("DELETE", "/org/certificates/999999", None),
        ("GET", "/org/teams/999999", None),
        ("PATCH", "/org/teams/999999", {"name": "x"}),
        ("GET", "/org/skills/999999", None),
        ("PATCH", "/org/skills/999999", {"name_en": "x"}),
        ("DELETE", "/me/tokens/999999", None),
    ],
)
def test_unknown_ids_are_404_for_roles_that_may_read(admin_user: User, method: str, path: str, body: Any) -> None:
    before = stored_counts()
    response = api_as(admin_user).call(method, path, body)
    assert response.status_code == 404, response.content
    assert "detail" in response.json()
    assert stored_counts()["AuditEntry"] == before["AuditEntry"] + 1  # only the test's own token


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_revoked_and_inactive_tokens_are_401(make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMIN)
    token, key = api_token_create(actor=user, user=user, name="t")
    assert Api(key).get("/me").status_code == 200
    assert Api(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/me").status_code == 401
    assert Api("not-a-token").get("/me").status_code == 401
    assert Api("").get("/me", HTTP_AUTHORIZATION="Token " + key).status_code == 401
    api_token_revoke(actor=user, token=token)
    response = Api(key).get("/me")
    assert_error_shape(response, 401, "Authorization")
    other = make_user(Role.AGENT)
    _, other_key = api_token_create(actor=other, user=other, name="t")
    User.objects.filter(pk=other.pk).update(is_active=False)
    assert Api(other_key).get("/me").status_code == 401


@pytest.mark.django_db
def test_token_use_is_noted(make_user: Callable[..., User]) -> None:
    user = make_user(Role.AGENT)
    token, key = api_token_create(actor=user, user=user, name="t")
    assert token.last_used_at is None
    Api(key).get("/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_unsafe_request_without_credentials_is_401_not_csrf_403(make_user: Callable[..., User]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert Api(client=client).post("/me/tokens", {"name": "x"}).status_code == 401
    assert Api("sqm_wrong", client=client).post("/me/tokens", {"name": "x"}).status_code == 401


@pytest.mark.django_db
def test_token_requests_need_no_csrf(make_user: Callable[..., User]) -> None:
    user = make_user(Role.AGENT)
    _, key = api_token_create(actor=user, user=user, name="t")
    response = Api(key, client=Client(enforce_csrf_checks=True)).post("/me/tokens", {"name": "script"})
    assert response.status_code == 201


@pytest.mark.django_db
def test_browser_session_works_and_needs_csrf_for_writes(make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMIN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    api = Api(client=client)
    assert api.get("/me").json()["username"] == user.username
    assert api.get("/org/users").status_code == 200
    before = ApiToken.objects.count()
    assert api.post("/me/tokens", {"name": "browser"}).status_code == 403  # no CSRF token
    assert ApiToken.objects.count() == before
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = api.post("/me/tokens", {"name": "browser"}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content
    assert ApiToken.objects.count() == before + 1


@pytest.mark.django_db
def test_inactive_session_user_is_401(make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMIN)
    client = Client()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert Api(client=client).get("/me").status_code == 401


# --- /api/me ------------------------------------------------------------------------------------


def test_me_shows_own_user(world: SimpleNamespace) -> None:
    body = api_as(world.agent).get("/me").json()
    assert body == {
        "id": world.agent.pk,
        "username": "wang.fang",
        "display_name": "王芳",
        "role": "agent",
        "team": {"id": world.team.pk, "code": "CMP", "name": "投诉组"},
        "language": "",
        "email": world.agent.email,
    }


def test_me_patch_sets_language_and_audits(world: SimpleNamespace) -> None:
    api = api_as(world.agent)
    before = AuditEntry.objects.count()
    response = api.patch("/me", {"language": "en"})
    assert response.status_code == 200
    assert response.json()["language"] == "en"
    world.agent.refresh_from_db()
    assert world.agent.language == "en"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None and entry.object_id == str(world.agent.pk)
    assert entry.changes == {"language": {"before": "", "after": "en"}}
    assert api.patch("/me", {}).status_code == 200  # nothing given, nothing changed
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"language": "fr"}, "literal_error"),
        ({"language": None}, "literal_error"),
        ({"role": "admin"}, "extra_forbidden"),
        ("[]", "model_attributes_type"),
    ],
)
def test_me_patch_rejects_bad_input(world: SimpleNamespace, body: Any, code: str) -> None:
    api = api_as(world.agent)
    before = stored_counts()
    response = api.patch("/me", body)
    assert_error_shape(response, 422)
    assert response.json()["detail"][0]["code"] == code
    assert stored_counts() == before
    world.agent.refresh_from_db()
    assert world.agent.role == Role.AGENT and world.agent.language == ""


def test_tokens_key_is_shown_once_and_works(world: SimpleNamespace) -> None:
    api = api_as(world.agent)
    response = api.post("/me/tokens", {"name": "  报表脚本  "})
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "报表脚本"
    assert created["key"].startswith("sqm_") and created["key"].startswith(created["prefix"])
    assert created["is_active"] is True and created["revoked_at"] is None
    listed = api.get("/me/tokens").json()
    assert {t["id"] for t in listed} == set(ApiToken.objects.filter(user=world.agent).values_list("pk", flat=True))
    assert all("key" not in t and "key_hash" not in t for t in listed)
    assert created["key"] not in json.dumps(listed)
    assert Api(created["key"]).get("/me").json()["id"] == world.agent.pk


def test_tokens_list_shows_only_own_tokens(world: SimpleNamespace) -> None:
    other = world.roles["admin"]
    api_token_create(actor=other, user=other, name="admin-only")
    names = [t["name"] for t in api_as(world.agent).get("/me/tokens").json()]
    assert "admin-only" not in names


def test_revoking_own_token_cuts_it_off(world: SimpleNamespace) -> None:
    api = api_as(world.agent)
    token, key = api_token_create(actor=world.agent, user=world.agent, name="old")
    assert Api(key).get("/me").status_code == 200
    response = api.delete(f"/me/tokens/{token.pk}")
    assert response.status_code == 204
    assert response.content == b""
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="revoke", object_id=str(token.pk)).count() == 1
    assert Api(key).get("/me").status_code == 401
    assert api.delete(f"/me/tokens/{token.pk}").status_code == 204  # already revoked: still gone
    assert AuditEntry.objects.filter(action="revoke", object_id=str(token.pk)).count() == 1


def test_somebody_elses_token_is_not_found(world: SimpleNamespace) -> None:
    """Even an administrator does not revoke other people's tokens through /api/me."""
    victim = world.agent
    token, key = api_token_create(actor=victim, user=victim, name="mine")
    response = api_as(world.roles["admin"]).delete(f"/me/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Api(key).get("/me").status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "name", "missing"),
        ({"name": ""}, "name", "string_too_short"),
        ({"name": "x" * 101}, "name", "string_too_long"),
        ({"name": 3}, "name", "string_type"),
        ({"name": "x", "key": "sqm_mine"}, "key", "extra_forbidden"),
    ],
)
def test_token_create_validation(world: SimpleNamespace, body: dict[str, Any], field: str, code: str) -> None:
    api = api_as(world.agent)
    before = stored_counts()
    response = api.post("/me/tokens", body)
    assert_error_shape(response, 422, field)
    assert {"field": field, "code": code}.items() <= response.json()["detail"][0].items()
    assert stored_counts() == before


# --- users ----------------------------------------------------------------------------------------


def test_user_detail_has_profile_skills_and_certificates(world: SimpleNamespace) -> None:
    body = api_as(world.roles["auditor"]).get(f"/org/users/{world.agent.pk}").json()
    assert body["username"] == "wang.fang"
    assert body["team"] == {"id": world.team.pk, "code": "CMP", "name": "投诉组"}
    assert body["profile"]["employee_no"] == world.agent.profile.employee_no
    assert body["profile"]["status"] == "active"
    assert body["skills"] == [
        {
            "skill": {
                "id": world.skill.pk,
                "kind": "category",
                "code": "billing",
                "name": "账单",
                "name_zh": "账单",
                "name_en": "Billing",
            },
            "level": 2,
        }
    ]
    assert [c["id"] for c in body["certificates"]] == [world.certificate.pk]
    assert body["certificates"][0]["issued_on"] == "2023-06-01"
    assert "password" not in body


def test_skill_names_follow_the_language(world: SimpleNamespace) -> None:
    auditor = world.roles["auditor"]
    User.objects.filter(pk=auditor.pk).update(language="en")
    body = api_as(auditor).get(f"/org/users/{world.agent.pk}").json()
    assert body["skills"][0]["skill"]["name"] == "Billing"


def test_customer_has_no_profile(world: SimpleNamespace) -> None:
    customer = world.roles["customer"]
    body = api_as(world.roles["admin"]).get(f"/org/users/{customer.pk}").json()
    assert body["profile"] is None and body["skills"] == [] and body["certificates"] == []


def test_users_list_filters_and_pages(world: SimpleNamespace) -> None:
    api = api_as(world.roles["team_lead"])
    everyone = api.get("/org/users?limit=200").json()
    assert everyone["count"] == User.objects.count() == len(everyone["items"])
    assert [u["username"] for u in everyone["items"]] == sorted(u["username"] for u in everyone["items"])
    agents = api.get("/org/users?role=agent").json()
    assert {u["username"] for u in agents["items"]} == {"wang.fang", "r-agent"}
    in_team = api.get(f"/org/users?team={world.team.pk}").json()
    assert [u["username"] for u in in_team["items"]] == ["wang.fang"]
    assert api.get("/org/users?q=王芳").json()["count"] == 1
    assert api.get(f"/org/users?q={world.agent.profile.employee_no}").json()["count"] == 1
    User.objects.filter(pk=world.agent.pk).update(is_active=False)
    assert [u["username"] for u in api.get("/org/users?active=false").json()["items"]] == ["wang.fang"]
    assert api.get("/org/users?active=true").json()["count"] == everyone["count"] - 1
    first = api.get("/org/users?limit=3&offset=0").json()
    second = api.get("/org/users?limit=3&offset=3").json()
    assert first["count"] == second["count"] == everyone["count"]
    assert [u["id"] for u in first["items"] + second["items"]] == [u["id"] for u in everyone["items"][:6]]


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("limit=201", "limit", "less_than_equal"),
        ("limit=0", "limit", "greater_than_equal"),
        ("offset=-1", "offset", "greater_than_equal"),
        ("role=boss", "role", "enum"),
        ("team=abc", "team", "int_parsing"),
        ("active=maybe", "active", "bool_parsing"),
        ("q=" + "x" * 101, "q", "string_too_long"),
    ],
)
def test_users_list_rejects_bad_filters(world: SimpleNamespace, query: str, field: str, code: str) -> None:
    response = api_as(world.roles["admin"]).get(f"/org/users?{query}")
    assert_error_shape(response, 422, field)
    assert response.json()["detail"][0]["code"] == code


def _grow_org(n: int) -> None:
    team = TeamFactory()
    for _ in range(n):
        user = UserFactory(role=Role.AGENT, team=team)
        AgentSkillFactory(user=user, level=3)
        AgentSkillFactory(user=user, level=4)
        CertificateFactory(user=user)


@pytest.mark.parametrize(
    ("path", "queries"),
    # 2 for the token (look-up, last-used stamp) + the endpoint's own reads
    [
        ("/org/users?limit=200", 2 + 3),
        ("/org/teams", 2 + 1),
        ("/org/skills", 2 + 1),
        ("/org/teams/{team}", 2 + 3),
        ("/org/users/{user}", 2 + 3),
    ],
)
def test_lists_do_not_grow_queries_with_rows(
    world: SimpleNamespace, django_assert_max_num_queries: Any, path: str, queries: int
) -> None:
    api = api_as(world.roles["admin"])
    target = path.format(team=world.team.pk, user=world.agent.pk)
    for grow in (0, 25):
        _grow_org(grow)
        for _ in range(3):
            TeamFactory()
            SkillFactory()
        with django_assert_max_num_queries(queries):
            response = api.get(target)
        assert response.status_code == 200
    assert len(api.get("/org/users?limit=200").json()["items"]) > 25


def test_create_user_stores_user_profile_and_audit(world: SimpleNamespace) -> None:
    admin = world.roles["admin"]
    api = api_as(admin)
    before = AuditEntry.objects.count()
    response = api.post(
        "/org/users",
        {
            "username": "li.lei",
            "display_name": " 李雷 ",
            "role": "agent",
            "email": "li.lei@example.com",
            "phone": "13800000000",
            "team_id": world.team.pk,
            "language": "zh-hans",
            "password": STRONG_PASSWORD,
            "employee_no": "N0001",
            "hire_date": "2025-02-03",
            "title": "坐席",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(username="li.lei")
    assert body["id"] == user.pk and body["display_name"] == "李雷"
    assert body["team"]["id"] == world.team.pk
    assert body["profile"] == {
        "employee_no": "N0001",
        "hire_date": "2025-02-03",
        "status": "active",
        "left_on": None,
        "title": "坐席",
    }
    assert user.check_password(STRONG_PASSWORD)
    assert STRONG_PASSWORD not in json.dumps(list(AuditEntry.objects.values("changes")))
    created = AuditEntry.objects.filter(seq__gt=before).order_by("seq")
    assert [(e.action, e.object_type) for e in created] == [("create", "org.user"), ("create", "org.staffprofile")]
    assert all(e.actor_id == admin.pk for e in created)


def test_create_customer_without_password_or_profile(world: SimpleNamespace) -> None:
    response = api_as(world.roles["admin"]).post(
        "/org/users", {"username": "guest", "display_name": "访客", "role": "customer"}
    )
    assert response.status_code == 201
    user = User.objects.get(username="guest")
    assert not user.has_usable_password()
    assert not StaffProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "username", "missing"),
        ({"username": 5}, "username", "string_type"),
        ({"username": "u" * 151}, "username", "string_too_long"),
        ({"display_name": "名" * 101}, "display_name", "string_too_long"),
        ({"display_name": "   "}, "display_name", "string_too_short"),
        ({"role": "boss"}, "role", "enum"),
        ({"team_id": "abc"}, "team_id", "int_parsing"),
        ({"team_id": 0}, "team_id", "greater_than_equal"),
        ({"hire_date": "yesterday"}, "hire_date", "date_from_datetime_parsing"),
        ({"language": "fr"}, "language", "literal_error"),
        ({"email": "not-an-address"}, "email", "string_pattern_mismatch"),
        ({"phone": "1" * 33}, "phone", "string_too_long"),
        ({"password": "p" * 129}, "password", "string_too_long"),
        ({"is_superuser": True}, "is_superuser", "extra_forbidden"),
        ({"display_name": "a\x00b"}, "display_name", "string_pattern_mismatch"),
    ],
)
def test_create_user_validation_names_the_field(
    world: SimpleNamespace, body: dict[str, Any], field: str, code: str
) -> None:
    valid = {"username": "li.lei", "display_name": "李雷", "role": "agent"}
    payload = {**valid, **body} if body else {}
    before = stored_counts()
    response = api_as(world.roles["admin"]).post("/org/users", payload)
    assert_error_shape(response, 422, field)
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.json()["detail"]
    ]
    assert stored_counts()["User"] == before["User"]
    assert stored_counts()["AuditEntry"] == before["AuditEntry"] + 1  # the test's own token only


def test_missing_fields_are_each_named(world: SimpleNamespace) -> None:
    response = api_as(world.roles["admin"]).post("/org/users", {})
    assert_error_shape(response, 422)
    assert sorted(fields_of(response)) == ["display_name", "role", "username"]
    assert {e["code"] for e in response.json()["detail"]} == {"missing"}


def test_body_that_is_not_an_object_is_rejected(world: SimpleNamespace) -> None:
    api = api_as(world.roles["admin"])
    before = stored_counts()
    assert api.post("/org/users", "[1, 2]").status_code == 422
    assert api.post("/org/users", "{not json").status_code in (400, 422)
    assert stored_counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "r-agent"}, "username"),  # taken (case-insensitive)
        ({"username": "R-AGENT"}, "username"),
        ({"username": "has space"}, "username"),
        ({"team_id": 999999}, "team_id"),
        ({"role": "customer", "team_id": "TEAM"}, "team_id"),  # customers belong to no team
        ({"password": "123"}, "password"),
        ({"employee_no": "DUP"}, "employee_no"),
        ({"hire_date": "2999-01-01"}, "hire_date"),
    ],
)
def test_create_user_rule_violations_are_400_and_store_nothing(
    world: SimpleNamespace, body: dict[str, Any], field: str
) -> None:
    StaffProfile.objects.filter(user=world.agent).update(employee_no="DUP")
    if body.get("team_id") == "TEAM":
        body = {**body, "team_id": world.team.pk}
    admin_api = api_as(world.roles["admin"])
    before = stored_counts()
    response = admin_api.post("/org/users", {"username": "li.lei", "display_name": "李雷", "role": "agent", **body})
    assert_error_shape(response, 400, field)
    assert stored_counts() == before


def test_create_user_in_inactive_team_names_team_id(world: SimpleNamespace) -> None:
    closed = TeamFactory(is_active=False)
    response = api_as(world.roles["admin"]).post(
        "/org/users", {"username": "li.lei", "display_name": "李雷", "role": "agent", "team_id": closed.pk}
    )
    assert_error_shape(response, 400, "team_id")


def test_patch_user_changes_only_given_fields(world: SimpleNamespace) -> None:
    api = api_as(world.roles["admin"])
    before = AuditEntry.objects.count()
    response = api.patch(f"/org/users/{world.agent.pk}", {"phone": "010-9"})
    assert response.status_code == 200
    world.agent.refresh_from_db()
    assert world.agent.phone == "010-9"
    assert world.agent.team_id == world.team.pk and world.agent.display_name == "王芳"
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.changes == {"phone": {"before": "010-1", "after": "010-9"}}
    assert api.patch(f"/org/users/{world.agent.pk}", {}).status_code == 200
    assert AuditEntry.objects.count() == before + 1  # nothing changed, nothing audited


def test_patch_user_team_null_clears_and_omitted_keeps(world: SimpleNamespace) -> None:
    api = api_as(world.roles["admin"])
    assert api.patch(f"/org/users/{world.agent.pk}", {"display_name": "王芳芳"}).json()["team"] is not None
    response = api.patch(f"/org/users/{world.agent.pk}", {"team_id": None})
    assert response.status_code == 200
    assert response.json()["team"] is None
    world.agent.refresh_from_db()
    assert world.agent.team is None and world.agent.display_name == "王芳芳"
    other = TeamFactory()
    assert api.patch(f"/org/users/{world.agent.pk}", {"team_id": other.pk}).json()["team"]["id"] == other.pk


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"display_name": None}, "display_name", "string_type"),
        ({"is_active": None}, "is_active", "bool_type"),
        ({"role": None}, "role", "enum"),
        ({"is_active": "maybe"}, "is_active", "bool_parsing"),
        ({"username": "renamed"}, "username", "extra_forbidden"),
        ({"team_id": -1}, "team_id", "greater_than_equal"),
    ],
)
def test_patch_user_rejects_null_and_unknown(
    world: SimpleNamespace, body: dict[str, Any], field: str, code: str
) -> None:
    api = api_as(world.roles["admin"])
    before = stored_counts()
    response = api.patch(f"/org/users/{world.agent.pk}", body)
    assert_error_shape(response, 422, field)
    assert response.json()["detail"][0]["code"] == code
    assert stored_counts() == before


def test_patch_user_rule_violation_names_field(world: SimpleNamespace) -> None:
    admin = world.roles["admin"]
    api = api_as(admin)
    before = stored_counts()
    response = api.patch(f"/org/users/{admin.pk}", {"is_active": False})
    assert_error_shape(response, 400, "is_active")
    response = api.patch(f"/org/users/{world.agent.pk}", {"role": "customer"})  # customers have no team
    assert_error_shape(response, 400, "team_id")
    assert stored_counts() == before
    world.agent.refresh_from_db()
    assert world.agent.role == Role.AGENT


def test_profile_patch_and_left_closes_account(world: SimpleNamespace) -> None:
    api = api_as(world.roles["admin"])
    response = api.patch(f"/org/users/{world.agent.pk}/profile", {"title": "组长助理"})
    assert response.status_code == 200 and response.json()["title"] == "组长助理"
    before = stored_counts()
    response = api.patch(f"/org/users/{world.agent.pk}/profile", {"status": "left"})
    assert_error_shape(response, 400, "left_on")
    assert stored_counts() == before
    response = api.patch(f"/org/users/{world.agent.pk}/profile", {"status": "left", "left_on": "2025-06-30"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == StaffStatus.LEFT and response.json()["left_on"] == "2025-06-30"
    world.agent.refresh_from_db()
    assert not world.agent.is_active


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"status": "retired"}, "status", "enum"),
        ({"hire_date": None}, "hire_date", "date_type"),
        ({"employee_no": ""}, "employee_no", "string_too_short"),
        ({"user_id": 1}, "user_id", "extra_forbidden"),
    ],
)
def test_profile_patch_validation(world: SimpleNamespace, body: dict[str, Any], field: str, code: str) -> None:
    response = api_as(world.roles["admin"]).patch(f"/org/users/{world.agent.pk}/profile", body)
    assert_error_shape(response, 422, field)
    assert response.json()["detail"][0]["code"] == code


def test_profile_of_customer_is_404(world: SimpleNamespace) -> None:
    response = api_as(world.roles["admin"]).patch(f"/org/users/{world.roles['customer'].pk}/profile", {"title": "x"})
    assert response.status_code == 404


def test_skill_set_add_change_and_remove(world: SimpleNamespace) -> None:
    api = api_as(world.roles["admin"])
    response = api.put(f"/org/users/{world.agent.pk}/skills", {"skill_id": world.spare_skill.pk, "level": 4})
    assert response.status_code == 200
    assert response.json()["level"] == 4 and response.json()["skill"]["code"] == "english"
    response = api.put(f"/org/users/{world.agent.pk}/skills", {"skill_id": world.skill.pk, "level": 5})
    assert response.json()["level"] == 5
    assert AgentSkill.objects.get(user=world.agent, skill=world.skill).level == 5
    assert api.delete(f"/org/users/{world.agent.pk}/skills/{world.skill.pk}").status_code == 204
    assert not AgentSkill.objects.filter(user=world.agent, skill=world.skill).exists()
    assert api.delete(f"/org/users/{world.agent.pk}/skills/{world.skill.pk}").status_code == 404
    actions = list(AuditEntry.objects.filter(object_type="org.agentskill").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete", "update"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"skill_id": "SPARE", "level": 6}, 422, "level"),
        ({"skill_id": "SPARE", "level": 0}, 422, "level"),
        ({"skill_id": "SPARE"}, 422, "level"),
        ({"skill_id": "SPARE", "level": "high"}, 422, "level"),
        ({"skill_id": 999999, "level": 3}, 400, "skill_id"),
        ({"skill_id": "RETIRED", "level": 3}, 400, "skill_id"),
    ],
)
def test_skill_set_rejects_bad_input(world: SimpleNamespace, body: dict[str, Any], status: int, field: str) -> None:
    retired = SkillFactory(is_active=False)
    ids = {"SPARE": world.spare_skill.pk, "RETIRED": retired.pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    api = api_as(world.roles["admin"])
    before = stored_counts()
    assert_error_shape(api.put(f"/org/users/{world.agent.pk}/skills", body), status, field)
    assert stored_counts() == before


def test_customers_hold_no_skills(world: SimpleNamespace) -> None:
    customer = world.roles["customer"]
    response = api_as(world.roles["admin"]).put(
        f"/org/users/{customer.pk}/skills", {"skill_id": world.skill.pk, "level": 3}
    )
    assert_error_shape(response, 400, "user")


def test_certificates_add_and_remove(world: SimpleNamespace) -> None:
    api = api_as(world.roles["admin"])
    response = api.post(
        f"/org/users/{world.agent.pk}/certificates",
        {
            "name": "呼叫中心服务员",
            "issuer": "人社部",
            "number": "C-1",
            "issued_on": "2024-05-06",
            "expires_on": "2027-05-06",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user_id"] == world.agent.pk and body["expires_on"] == "2027-05-06"
    assert Certificate.objects.filter(pk=body["id"], user=world.agent).exists()
    assert api.delete(f"/org/certificates/{body['id']}").status_code == 204
    assert not Certificate.objects.filter(pk=body["id"]).exists()
    assert AuditEntry.objects.filter(object_type="org.certificate", object_id=str(body["id"])).count() == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "x", "issued_on": "2999-01-01"}, 400, "issued_on"),
        ({"name": "x", "issued_on": "2024-01-01", "expires_on": "2023-01-01"}, 400, "expires_on"),
        ({"name": "x"}, 422, "issued_on"),
        ({"name": "x" * 201, "issued_on": "2024-01-01"}, 422, "name"),
        ({"name": "x", "issued_on": "2024-13-01"}, 422, "issued_on"),
    ],
)
def test_certificate_rules(world: SimpleNamespace, body: dict[str, Any], status: int, field: str) -> None:
    api = api_as(world.roles["admin"])
    before = stored_counts()
    assert_error_shape(api.post(f"/org/users/{world.agent.pk}/certificates", body), status, field)
    assert stored_counts() == before


# --- teams --------------------------------------------------------------------------------------


def test_team_create_with_lead_and_detail(world: SimpleNamespace) -> None:
    lead = world.roles["team_lead"]
    api = api_as(world.roles["admin"])
    response = api.post("/org/teams", {"name": "咨询组", "code": "ask-1", "lead_id": lead.pk, "description": "咨询"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "ASK-1"
    assert body["lead"] == {
        "id": lead.pk,
        "username": lead.username,
        "display_name": lead.display_name,
        "role": "team_lead",
    }
    assert [m["id"] for m in body["members"]] == [lead.pk]  # the lead joins the team
    assert body["member_count"] == 1
    detail = api_as(world.roles["quality_manager"]).get(f"/org/teams/{body['id']}").json()
    assert detail == body


def test_teams_list_and_filter(world: SimpleNamespace) -> None:
    TeamFactory(code="OLD", is_active=False)
    api = api_as(world.roles["trainer"])
    codes = [t["code"] for t in api.get("/org/teams").json()]
    assert codes == sorted(codes) and {"CMP", "OLD"} <= set(codes)
    assert "OLD" not in [t["code"] for t in api.get("/org/teams?active=true").json()]
    team = next(t for t in api.get("/org/teams").json() if t["code"] == "CMP")
    assert team["member_count"] == 1


def test_team_patch_lead_null_clears_omitted_keeps(world: SimpleNamespace) -> None:
    lead = world.roles["team_lead"]
    api = api_as(world.roles["admin"])
    assert api.patch(f"/org/teams/{world.team.pk}", {"lead_id": lead.pk}).json()["lead"]["id"] == lead.pk
    assert api.patch(f"/org/teams/{world.team.pk}", {"name": "投诉处理组"}).json()["lead"]["id"] == lead.pk
    response = api.patch(f"/org/teams/{world.team.pk}", {"lead_id": None})
    assert response.status_code == 200 and response.json()["lead"] is None
    world.team.refresh_from_db()
    assert world.team.lead is None and world.team.name == "投诉处理组"


@pytest.mark.parametrize(
    ("method", "body", "status", "field"),
    [
        ("POST", {"name": "新组"}, 422, "code"),
        ("POST", {"name": "新组", "code": "x" * 21}, 422, "code"),
        ("POST", {"name": "新组", "code": "bad code"}, 400, "code"),
        ("POST", {"name": "投诉组", "code": "NEW"}, 400, "name"),
        ("POST", {"name": "新组", "code": "NEW", "lead_id": "AGENT"}, 400, "lead_id"),
        ("POST", {"name": "新组", "code": "NEW", "lead_id": 999999}, 400, "lead_id"),
        ("PATCH", {"is_active": False}, 400, "is_active"),
        ("PATCH", {"name": None}, 422, "name"),
        ("PATCH", {"members": []}, 422, "members"),
    ],
)
def test_team_rules(world: SimpleNamespace, method: str, body: dict[str, Any], status: int, field: str) -> None:
    body = {k: world.agent.pk if v == "AGENT" else v for k, v in body.items()}
    path = "/org/teams" if method == "POST" else f"/org/teams/{world.team.pk}"
    api = api_as(world.roles["admin"])
    before = stored_counts()
    assert_error_shape(api.call(method, path, body), status, field)
    assert stored_counts() == before


# --- skills ------------------------------------------------------------------------------------


def test_skills_create_list_filter_patch(world: SimpleNamespace) -> None:
    api = api_as(world.roles["admin"])
    response = api.post("/org/skills", {"kind": "channel", "code": "EMAIL", "name_zh": "邮件", "name_en": "E-mail"})
    assert response.status_code == 201
    created = response.json()
    assert created["code"] == "email" and created["holder_count"] == 0 and created["is_active"]
    channels = api.get("/org/skills?kind=channel").json()
    assert [s["code"] for s in channels] == ["email"]
    billing = next(s for s in api.get("/org/skills").json() if s["code"] == "billing")
    assert billing["holder_count"] == 1
    response = api.patch(f"/org/skills/{created['id']}", {"is_active": False})
    assert response.json()["is_active"] is False
    assert [s["code"] for s in api.get("/org/skills?kind=channel&active=true").json()] == []
    assert api.get("/org/skills?kind=smell").status_code == 422


@pytest.mark.parametrize(
    ("method", "body", "status", "field"),
    [
        ("POST", {"kind": "smell", "code": "x", "name_zh": "x", "name_en": "x"}, 422, "kind"),
        ("POST", {"kind": "category", "code": "billing", "name_zh": "x", "name_en": "x"}, 400, "code"),
        ("POST", {"kind": "category", "code": "Bad Code", "name_zh": "x", "name_en": "x"}, 400, "code"),
        ("POST", {"kind": "category", "code": "x", "name_zh": "x"}, 422, "name_en"),
        ("PATCH", {"kind": "language"}, 422, "kind"),
        ("PATCH", {"name_zh": ""}, 422, "name_zh"),
        ("PATCH", {"code": None}, 422, "code"),
    ],
)
def test_skill_rules(world: SimpleNamespace, method: str, body: dict[str, Any], status: int, field: str) -> None:
    path = "/org/skills" if method == "POST" else f"/org/skills/{world.skill.pk}"
    api = api_as(world.roles["admin"])
    before = stored_counts()
    assert_error_shape(api.call(method, path, body), status, field)
    assert stored_counts() == before


# --- language of error messages -----------------------------------------------------------------


def _expected(kind: str, field: str, language: str) -> str:
    with translation.override(language):
        return translate_validation_errors([{"type": kind, "loc": ("body", "payload", field)}])[0]["message"]


@pytest.mark.parametrize(
    ("user_language", "accept", "expected_language"),
    [("", "en", "en"), ("", "zh-hans", "zh-hans"), ("zh-hans", "en", "zh-hans"), ("en", "zh-hans", "en")],
)
def test_validation_messages_in_the_callers_language(
    make_user: Callable[..., User], user_language: str, accept: str, expected_language: str
) -> None:
    """The user's saved language wins; without one, Accept-Language decides."""
    admin = make_user(Role.ADMIN, language=user_language)
    response = api_as(admin).post("/org/users", {"display_name": "x", "role": "agent"}, HTTP_ACCEPT_LANGUAGE=accept)
    assert_error_shape(response, 422, "username")
    assert response.json()["detail"][0]["message"] == _expected("missing", "username", expected_language)


def test_messages_differ_by_language_where_translated(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMIN)
    api = api_as(admin)
    english = api.post("/org/users", {}, HTTP_ACCEPT_LANGUAGE="en").json()["detail"][0]["message"]
    chinese = api.post("/org/users", {}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"][0]["message"]
    assert english == "This field is required."
    if _expected("missing", "x", "zh-hans") != _expected("missing", "x", "en"):  # a translation exists
        assert chinese != english


def test_session_user_language_applies(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMIN, language="en")
    client = Client()
    client.force_login(admin)
    response = Api(client=client).post("/org/users", {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["detail"][0]["message"] == "This field is required."


def test_domain_error_message_in_callers_language(world: SimpleNamespace) -> None:
    response = api_as(world.roles["admin"]).post(
        "/org/users", {"username": "r-agent", "display_name": "x", "role": "agent"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["detail"] == [
        {"field": "username", "message": "A user with that user name already exists.", "code": "unique"}
    ]


def test_forbidden_message_in_english(world: SimpleNamespace) -> None:
    response = api_as(world.roles["agent"]).get("/org/users", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == [
        {"field": "__all__", "message": "Your role does not allow this.", "code": "permission_denied"}
    ]


@pytest.mark.django_db
def test_past_dates_are_fine(make_user: Callable[..., User]) -> None:
    """Guard against time-zone slips: today's date (centre time) is accepted as a hire date."""
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    response = api_as(make_user(Role.ADMIN)).post(
        "/org/users", {"username": "new", "display_name": "新", "role": "agent", "hire_date": today}
    )
    assert response.status_code == 201
    assert response.json()["profile"]["hire_date"] == today
