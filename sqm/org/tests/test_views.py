"""The organisation pages: who may open them, what they store, and what they show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin as django_admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sqm.audit.models import AuditEntry
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.org.models import (
    AgentSkill,
    ApiToken,
    Certificate,
    Skill,
    SkillKind,
    StaffProfile,
    StaffStatus,
    Team,
    User,
)
from sqm.org.services import api_token_authenticate
from sqm.org.tests.factories import (
    PASSWORD,
    AgentSkillFactory,
    CertificateFactory,
    SkillFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VIEWERS = {role.value for role in CAPABILITIES[Cap.ORG_VIEW]}
MANAGERS = {role.value for role in CAPABILITIES[Cap.ORG_MANAGE]}
AUDITORS = {role.value for role in CAPABILITIES[Cap.AUDIT_VIEW]}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(users_by_role: dict[str, User]) -> dict[str, Any]:
    """One of each org record for URL arguments: a team, a skill, a staff member with a certificate."""
    lead = users_by_role[Role.TEAM_LEAD]
    team = TeamFactory(lead=lead)
    agent = users_by_role[Role.AGENT]
    agent.team = team
    agent.save()
    skill = SkillFactory()
    AgentSkillFactory(user=agent, skill=skill, level=2)
    cert = CertificateFactory(user=agent)
    return {"team": team, "agent": agent, "skill": skill, "cert": cert}


@pytest.fixture
def admin(users_by_role: dict[str, User]) -> User:
    return users_by_role[Role.ADMIN]


@pytest.fixture
def admin_client(admin: User, client_for: Callable[[User | None], Client]) -> Client:
    """An administrator working in English, so that assertions can read the messages."""
    client = client_for(admin)
    client.cookies["sqm_language"] = "en"
    return client


def _view_pages(world: dict[str, Any]) -> list[str]:
    return [
        reverse("org:user_list"),
        reverse("org:user_detail", args=[world["agent"].pk]),
        reverse("org:team_list"),
        reverse("org:team_detail", args=[world["team"].pk]),
        reverse("org:skill_list"),
    ]


def _manage_pages(world: dict[str, Any]) -> list[str]:
    agent = world["agent"]
    return [
        reverse("org:user_create"),
        reverse("org:user_edit", args=[agent.pk]),
        reverse("org:user_password", args=[agent.pk]),
        reverse("org:user_profile_edit", args=[agent.pk]),
        reverse("org:team_create"),
        reverse("org:team_edit", args=[world["team"].pk]),
        reverse("org:skill_create"),
        reverse("org:skill_edit", args=[world["skill"].pk]),
    ]


def _post_actions(world: dict[str, Any]) -> list[str]:
    agent = world["agent"]
    return [
        reverse("org:user_skill_set", args=[agent.pk]),
        reverse("org:user_skill_remove", args=[agent.pk, world["skill"].pk]),
        reverse("org:user_certificate_add", args=[agent.pk]),
        reverse("org:user_certificate_remove", args=[agent.pk, world["cert"].pk]),
    ]


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_view_pages_open_only_to_org_viewers(role: str, users_by_role, world, client_for) -> None:
    client = client_for(users_by_role[role])
    for url in _view_pages(world):
        expected = 200 if role in VIEWERS else 403
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_manage_forms_are_forbidden_even_on_get_without_org_manage(role: str, users_by_role, world, client_for) -> None:
    client = client_for(users_by_role[role])
    for url in _manage_pages(world):
        expected = 200 if role in MANAGERS else 403
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", [r.value for r in Role if r.value not in {"admin"}])
def test_write_actions_are_forbidden_without_org_manage(role: str, users_by_role, world, client_for) -> None:
    client = client_for(users_by_role[role])
    before = (AuditEntry.objects.count(), User.objects.count(), Team.objects.count(), Skill.objects.count())
    posts = {
        reverse("org:user_create"): {"username": "intruder", "display_name": "X", "role": "agent"},
        reverse("org:team_create"): {"name": "Intruders", "code": "INTR"},
        reverse("org:skill_create"): {"kind": "category", "code": "intr", "name_zh": "x", "name_en": "x"},
        reverse("org:user_edit", args=[world["agent"].pk]): {"display_name": "hacked", "role": "admin"},
        **{url: {"skill": world["skill"].pk, "level": 5} for url in _post_actions(world)},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    after = (AuditEntry.objects.count(), User.objects.count(), Team.objects.count(), Skill.objects.count())
    assert after == before
    assert AgentSkill.objects.get(user=world["agent"]).level == 2
    assert Certificate.objects.filter(pk=world["cert"].pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(world, client_for) -> None:
    client = client_for(None)
    for url in [*_view_pages(world), *_manage_pages(world), reverse("org:account")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_write_actions_refuse_get(admin_client, world) -> None:
    urls = [
        *_post_actions(world),
        reverse("org:account_language"),
        reverse("org:account_password"),
        reverse("org:token_create"),
        reverse("org:token_revoke", args=[1]),
    ]
    for url in urls:
        assert admin_client.get(url).status_code == 405, url


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_account_page_opens_for_every_role(role: str, users_by_role, client_for) -> None:
    response = client_for(users_by_role[role]).get(reverse("org:account"))
    assert response.status_code == 200
    assert users_by_role[role].username in response.content.decode()


def test_missing_records_answer_404(admin_client) -> None:
    for url in [
        reverse("org:user_detail", args=[999999]),
        reverse("org:team_detail", args=[999999]),
        reverse("org:skill_edit", args=[999999]),
        reverse("org:user_edit", args=[999999]),
    ]:
        assert admin_client.get(url).status_code == 404, url


# --- users ---------------------------------------------------------------------------------------


def test_user_list_shows_people_with_skills_and_filters(admin_client, world) -> None:
    page = admin_client.get(reverse("org:user_list")).content.decode()
    agent = world["agent"]
    assert agent.display_name in page
    assert world["skill"].name_en in page
    assert agent.profile.employee_no in page
    assert world["team"].name in page

    only_leads = admin_client.get(reverse("org:user_list"), {"role": Role.TEAM_LEAD}).content.decode()
    assert "r-team_lead" in only_leads and "r-agent" not in only_leads

    by_team = admin_client.get(reverse("org:user_list"), {"team": world["team"].pk}).content.decode()
    assert "r-agent" in by_team and "r-auditor" not in by_team

    by_text = admin_client.get(reverse("org:user_list"), {"q": "r-audi"}).content.decode()
    assert "r-auditor" in by_text and "r-agent" not in by_text


def test_user_list_active_filter_and_empty_state(admin_client, make_user) -> None:
    make_user(Role.AGENT, username="gone", is_active=False)
    inactive = admin_client.get(reverse("org:user_list"), {"active": "0"}).content.decode()
    assert "gone" in inactive and "admin-1" not in inactive
    active = admin_client.get(reverse("org:user_list"), {"active": "1"}).content.decode()
    assert "gone" not in active
    nobody = admin_client.get(reverse("org:user_list"), {"q": "no-such-person"}).content.decode()
    assert 'id="user-table"' in nobody
    assert reverse("org:user_list") in nobody  # the "clear filters" way out


def test_user_list_pages_fifty_at_a_time(admin_client, make_user) -> None:
    for n in range(55):
        make_user(Role.AGENT, username=f"p{n:03d}")
    first = admin_client.get(reverse("org:user_list"))
    assert len(first.context["page"].object_list) == 50
    second = admin_client.get(reverse("org:user_list"), {"page": 2})
    assert len(second.context["page"].object_list) == User.objects.count() - 50
    assert "page=2" in first.content.decode()


def test_user_list_htmx_answers_with_the_table_only(admin_client, world) -> None:
    response = admin_client.get(reverse("org:user_list"), {"role": Role.AGENT}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="user-table">')
    assert "<html" not in body and "r-agent" in body


def _people_with_skills(count: int, skills: list[Skill], team: Team) -> None:
    for _ in range(count):
        user = UserFactory(team=team)
        for level, skill in enumerate(skills, start=1):
            AgentSkillFactory(user=user, skill=skill, level=level)


def _queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_use_a_fixed_number_of_queries(admin_client, django_assert_num_queries) -> None:
    skills = SkillFactory.create_batch(3)
    teams = TeamFactory.create_batch(2)
    _people_with_skills(3, skills, teams[0])
    urls = [reverse("org:user_list"), reverse("org:team_list"), reverse("org:skill_list")]
    small = {url: _queries_for(admin_client, url) for url in urls}
    _people_with_skills(30, skills, teams[1])
    TeamFactory.create_batch(10)
    SkillFactory.create_batch(10)
    for url in urls:
        with django_assert_num_queries(small[url]):
            admin_client.get(url)
    assert small[reverse("org:user_list")] <= 8
    assert small[reverse("org:team_list")] <= 4
    assert small[reverse("org:skill_list")] <= 4


def test_user_create_stores_the_account_profile_and_audit_entries(admin_client, world) -> None:
    response = admin_client.post(
        reverse("org:user_create"),
        {
            "username": "zhang.wei",
            "display_name": "张伟",
            "email": "zw@example.com",
            "phone": "13800000000",
            "role": Role.AGENT,
            "team": world["team"].pk,
            "language": "zh-hans",
            "password": "Strong-pass-77",
            "password_confirm": "Strong-pass-77",
            "employee_no": "E9001",
            "hire_date": "2025-02-03",
            "title": "坐席",
        },
    )
    user = User.objects.get(username="zhang.wei")
    assert response.status_code == 302
    assert response["Location"] == reverse("org:user_detail", args=[user.pk])
    assert user.team == world["team"] and user.check_password("Strong-pass-77")
    assert user.profile.employee_no == "E9001" and user.profile.hire_date == dt.date(2025, 2, 3)
    created = AuditEntry.objects.get(object_type="org.user", object_id=str(user.pk), action="create")
    assert created.changes["display_name"] == {"before": None, "after": "张伟"}
    assert AuditEntry.objects.filter(object_type="org.staffprofile", action="create").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "R-AGENT"}, "username", "already exists"),
        ({"display_name": ""}, "display_name", "required"),
        ({"role": "pope"}, "role", "valid choice"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"password": "Strong-pass-77", "password_confirm": "other"}, "password_confirm", "do not match"),
        ({"password": "12345678", "password_confirm": "12345678"}, "password", "numeric"),
        ({"hire_date": "2999-01-01"}, "hire_date", "future"),
        ({"role": Role.CUSTOMER, "team": "TEAM"}, "team", "staff members"),
    ],
)
def test_user_create_rejects_bad_input_next_to_the_field(
    data: dict[str, str], field: str, message: str, admin_client, world
) -> None:
    if data.get("team") == "TEAM":
        data = {**data, "team": world["team"].pk}
    users, entries = User.objects.count(), AuditEntry.objects.count()
    form = {"username": "new.person", "display_name": "新人", "role": Role.AGENT, **data}
    response = admin_client.post(reverse("org:user_create"), form, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]).lower()
    assert f'id="id_{field}_error"' in response.content.decode()
    assert (User.objects.count(), AuditEntry.objects.count()) == (users, entries)


def test_user_edit_saves_through_the_service_with_an_audit_entry(admin_client, world) -> None:
    agent = world["agent"]
    other_team = TeamFactory()
    response = admin_client.post(
        reverse("org:user_edit", args=[agent.pk]),
        {
            "display_name": "新名字",
            "email": agent.email,
            "phone": "010-1234",
            "role": Role.AGENT,
            "team": other_team.pk,
            "language": "en",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.display_name, agent.team, agent.language) == ("新名字", other_team, "en")
    entry = AuditEntry.objects.filter(object_type="org.user", object_id=str(agent.pk), action="update").get()
    assert entry.changes["team"] == {"before": world["team"].pk, "after": other_team.pk}
    assert entry.changes["display_name"]["after"] == "新名字"


def test_user_edit_cannot_lock_out_the_administrator(admin_client, admin) -> None:
    entries = AuditEntry.objects.count()
    response = admin_client.post(
        reverse("org:user_edit", args=[admin.pk]),
        {
            "display_name": admin.display_name,
            "email": admin.email,
            "role": Role.ADMIN,
            "language": "",
        },
    )
    assert response.status_code == 200
    assert "is_active" in response.context["form"].errors
    admin.refresh_from_db()
    assert admin.is_active and AuditEntry.objects.count() == entries


def test_admin_sets_a_password(admin_client, world) -> None:
    agent = world["agent"]
    url = reverse("org:user_password", args=[agent.pk])
    weak = admin_client.post(url, {"password": "short", "password_confirm": "short"})
    assert weak.status_code == 200 and "password" in weak.context["form"].errors
    assert not AuditEntry.objects.filter(action="set_password").exists()
    ok = admin_client.post(url, {"password": "New-secret-2026", "password_confirm": "New-secret-2026"})
    assert ok.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("New-secret-2026")
    entry = AuditEntry.objects.get(action="set_password", object_id=str(agent.pk))
    assert "New-secret" not in str(entry.changes)


def test_admin_setting_own_password_stays_signed_in(admin_client, admin) -> None:
    url = reverse("org:user_password", args=[admin.pk])
    admin_client.post(url, {"password": "New-secret-2026", "password_confirm": "New-secret-2026"})
    assert admin_client.get(reverse("org:user_list")).status_code == 200


def test_staff_profile_edit_marking_left_deactivates_the_account(admin_client, world) -> None:
    agent = world["agent"]
    url = reverse("org:user_profile_edit", args=[agent.pk])
    form = {"employee_no": agent.profile.employee_no, "hire_date": "2024-03-01", "title": "高级坐席"}
    missing = admin_client.post(url, {**form, "status": StaffStatus.LEFT})
    assert missing.status_code == 200 and "left_on" in missing.context["form"].errors
    agent.refresh_from_db()
    assert agent.is_active and agent.profile.status == StaffStatus.ACTIVE
    done = admin_client.post(url, {**form, "status": StaffStatus.LEFT, "left_on": "2025-06-30"})
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.profile.status == StaffStatus.LEFT and agent.profile.left_on == dt.date(2025, 6, 30)
    assert not agent.is_active
    assert AuditEntry.objects.filter(object_type="org.staffprofile", action="update").exists()


def test_customers_have_no_profile_page(admin_client, users_by_role) -> None:
    customer = users_by_role[Role.CUSTOMER]
    assert admin_client.get(reverse("org:user_profile_edit", args=[customer.pk])).status_code == 404


def test_audit_history_link_only_for_audit_roles(users_by_role, world, client_for) -> None:
    agent = world["agent"]
    link = f"{reverse('audit:entry_list')}?object_type=org.user&amp;object_id={agent.pk}"
    for role in VIEWERS:
        page = client_for(users_by_role[role]).get(reverse("org:user_detail", args=[agent.pk])).content.decode()
        assert (link in page) == (role in AUDITORS), role


def test_user_detail_shows_profile_skills_and_certificates(users_by_role, world, client_for) -> None:
    agent = world["agent"]
    page = (
        client_for(users_by_role[Role.QUALITY_MANAGER])
        .get(reverse("org:user_detail", args=[agent.pk]))
        .content.decode()
    )
    assert agent.profile.employee_no in page
    assert world["skill"].name_zh in page and world["cert"].name in page
    assert reverse("org:user_skill_set", args=[agent.pk]) not in page  # viewers get no write forms


# --- skills and certificates on the user page ----------------------------------------------------


def test_skill_add_without_js_redirects_and_stores(admin_client, world) -> None:
    agent, skill = world["agent"], SkillFactory(kind=SkillKind.LANGUAGE, code="en")
    response = admin_client.post(reverse("org:user_skill_set", args=[agent.pk]), {"skill": skill.pk, "level": 4})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("org:user_detail", args=[agent.pk]) + "#skills")
    assert AgentSkill.objects.get(user=agent, skill=skill).level == 4
    entry = AuditEntry.objects.get(object_type="org.agentskill", action="create")
    assert entry.changes["level"] == {"before": None, "after": 4}


def test_skill_level_change_with_htmx_returns_only_the_skills_block(admin_client, world) -> None:
    agent, skill = world["agent"], world["skill"]
    response = admin_client.post(
        reverse("org:user_skill_set", args=[agent.pk]), {"skill": skill.pk, "level": 5}, headers=HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="skills">')
    assert "<html" not in body and 'id="certificates"' not in body
    assert AgentSkill.objects.get(user=agent, skill=skill).level == 5
    entry = AuditEntry.objects.get(object_type="org.agentskill", action="update")
    assert entry.changes == {"level": {"before": 2, "after": 5}}


@pytest.mark.parametrize("level", ["0", "6", "x"])
def test_skill_level_outside_1_to_5_is_refused(level: str, admin_client, world) -> None:
    agent, skill = world["agent"], world["skill"]
    entries = AuditEntry.objects.count()
    response = admin_client.post(
        reverse("org:user_skill_set", args=[agent.pk]), {"skill": skill.pk, "level": level}, headers=HTMX
    )
    assert response.status_code == 200
    assert 'id="id_level_error"' in response.content.decode()
    assert AgentSkill.objects.get(user=agent, skill=skill).level == 2
    assert AuditEntry.objects.count() == entries


def test_skill_errors_without_js_rerender_the_whole_page(admin_client, world) -> None:
    agent = world["agent"]
    retired = SkillFactory(is_active=False)
    response = admin_client.post(reverse("org:user_skill_set", args=[agent.pk]), {"skill": retired.pk, "level": 3})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert "skill" in response.context["skill_form"].errors
    assert not AgentSkill.objects.filter(skill=retired).exists()


def test_skill_remove_plain_and_htmx(admin_client, world) -> None:
    agent, skill = world["agent"], world["skill"]
    url = reverse("org:user_skill_remove", args=[agent.pk, skill.pk])
    response = admin_client.post(url, headers=HTMX)
    assert response.status_code == 200 and 'id="skills"' in response.content.decode()
    assert not AgentSkill.objects.filter(user=agent).exists()
    assert AuditEntry.objects.filter(object_type="org.agentskill", action="delete").count() == 1
    assert admin_client.post(url).status_code == 404  # already gone


def test_certificate_add_and_remove(admin_client, world) -> None:
    agent = world["agent"]
    add = reverse("org:user_certificate_add", args=[agent.pk])
    response = admin_client.post(
        add,
        {
            "name": "呼叫中心服务员",
            "issuer": "人社部",
            "number": "N-1",
            "issued_on": "2024-01-10",
            "expires_on": "2027-01-10",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#certificates")
    cert = Certificate.objects.get(name="呼叫中心服务员")
    assert AuditEntry.objects.filter(object_type="org.certificate", action="create", object_id=str(cert.pk)).exists()
    removed = admin_client.post(reverse("org:user_certificate_remove", args=[agent.pk, cert.pk]), headers=HTMX)
    assert removed.status_code == 200
    assert removed.content.decode().lstrip().startswith('<section class="card" id="certificates">')
    assert not Certificate.objects.filter(pk=cert.pk).exists()
    assert AuditEntry.objects.filter(object_type="org.certificate", action="delete").count() == 1


def test_certificate_with_expiry_before_issue_is_refused(admin_client, world) -> None:
    agent = world["agent"]
    count = Certificate.objects.count()
    response = admin_client.post(
        reverse("org:user_certificate_add", args=[agent.pk]),
        {
            "name": "证书",
            "issued_on": "2024-01-10",
            "expires_on": "2023-01-10",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert 'id="id_expires_on_error"' in response.content.decode()
    assert Certificate.objects.count() == count


def test_certificate_of_another_user_cannot_be_removed_through_this_user(admin_client, world, users_by_role) -> None:
    other = users_by_role[Role.TRAINER]
    url = reverse("org:user_certificate_remove", args=[other.pk, world["cert"].pk])
    assert admin_client.post(url).status_code == 404
    assert Certificate.objects.filter(pk=world["cert"].pk).exists()


# --- teams ---------------------------------------------------------------------------------------


def test_team_list_and_detail_show_lead_and_members(users_by_role, world, client_for) -> None:
    client = client_for(users_by_role[Role.TRAINER])
    listing = client.get(reverse("org:team_list")).content.decode()
    team = world["team"]
    assert team.code in listing and team.name in listing and users_by_role[Role.TEAM_LEAD].display_name in listing
    detail = client.get(reverse("org:team_detail", args=[team.pk])).content.decode()
    assert world["agent"].display_name in detail


def test_team_create_and_edit_through_the_ui(admin_client, make_user) -> None:
    lead = make_user(Role.TEAM_LEAD, username="lead-new")
    response = admin_client.post(
        reverse("org:team_create"),
        {
            "name": "投诉处理组",
            "code": "complaint",
            "lead": lead.pk,
            "description": "处理投诉",
        },
    )
    team = Team.objects.get(code="COMPLAINT")
    assert response.status_code == 302 and response["Location"] == reverse("org:team_detail", args=[team.pk])
    lead.refresh_from_db()
    assert team.lead == lead and lead.team == team
    assert AuditEntry.objects.filter(object_type="org.team", action="create", object_id=str(team.pk)).exists()

    response = admin_client.post(
        reverse("org:team_edit", args=[team.pk]),
        {
            "name": "投诉组",
            "code": "COMPLAINT",
            "lead": "",
            "description": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "投诉组" and team.lead is None
    entry = AuditEntry.objects.get(object_type="org.team", action="update")
    assert entry.changes["lead"] == {"before": lead.pk, "after": None}


def test_team_form_offers_only_active_team_leads(admin_client, users_by_role) -> None:
    agent = users_by_role[Role.AGENT]
    response = admin_client.post(reverse("org:team_create"), {"name": "组", "code": "G1", "lead": agent.pk})
    assert response.status_code == 200
    assert "lead" in response.context["form"].errors
    assert not Team.objects.filter(code="G1").exists()


def test_team_with_bad_or_duplicate_code_is_refused(admin_client, world) -> None:
    entries = AuditEntry.objects.count()
    bad = admin_client.post(reverse("org:team_create"), {"name": "新组", "code": "no spaces!"})
    assert "code" in bad.context["form"].errors
    dup = admin_client.post(reverse("org:team_create"), {"name": "新组", "code": world["team"].code})
    assert "code" in dup.context["form"].errors
    assert 'id="id_code_error"' in dup.content.decode()
    assert Team.objects.count() == 1 and AuditEntry.objects.count() == entries


def test_team_with_members_cannot_be_deactivated(admin_client, world) -> None:
    team = world["team"]
    response = admin_client.post(
        reverse("org:team_edit", args=[team.pk]),
        {
            "name": team.name,
            "code": team.code,
            "lead": team.lead_id,
            "description": "",
        },
    )
    assert response.status_code == 200 and "is_active" in response.context["form"].errors
    team.refresh_from_db()
    assert team.is_active


# --- skills --------------------------------------------------------------------------------------


def test_skill_list_filters_by_kind_and_counts_holders(users_by_role, world, client_for) -> None:
    SkillFactory(kind=SkillKind.CHANNEL, code="phone", name_zh="电话")
    client = client_for(users_by_role[Role.QA_INSPECTOR])
    listing = client.get(reverse("org:skill_list"))
    rows = {s.code: s.holder_count for s in listing.context["skills"]}
    assert rows == {world["skill"].code: 1, "phone": 0}
    channels = client.get(reverse("org:skill_list"), {"kind": SkillKind.CHANNEL}).content.decode()
    assert "电话" in channels and world["skill"].name_zh not in channels


def test_skill_create_and_edit_through_the_ui(admin_client) -> None:
    response = admin_client.post(
        reverse("org:skill_create"),
        {
            "kind": SkillKind.CATEGORY,
            "code": "Billing",
            "name_zh": "账单",
            "name_en": "Billing",
        },
    )
    assert response.status_code == 302
    skill = Skill.objects.get(code="billing")
    response = admin_client.post(
        reverse("org:skill_edit", args=[skill.pk]),
        {
            "code": "billing",
            "name_zh": "账单与缴费",
            "name_en": "Billing",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    skill.refresh_from_db()
    assert skill.name_zh == "账单与缴费" and not skill.is_active
    assert AuditEntry.objects.filter(object_type="org.skill", object_id=str(skill.pk)).count() == 2


def test_skill_with_invalid_code_is_refused(admin_client) -> None:
    response = admin_client.post(
        reverse("org:skill_create"),
        {
            "kind": SkillKind.CATEGORY,
            "code": "账单",
            "name_zh": "账单",
            "name_en": "Billing",
        },
    )
    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert not Skill.objects.exists() and not AuditEntry.objects.exists()


# --- own account ---------------------------------------------------------------------------------


def test_language_preference_is_saved_for_a_customer(users_by_role, client_for) -> None:
    customer = users_by_role[Role.CUSTOMER]
    client = client_for(customer)
    response = client.post(reverse("org:account_language"), {"language": "en"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.language == "en"
    assert AuditEntry.objects.filter(object_type="org.user", action="update").exists()
    bad = client.post(reverse("org:account_language"), {"language": "fr"})
    assert bad.status_code == 200 and "language" in bad.context["language_form"].errors


def test_own_password_change_requires_the_current_password(users_by_role, client_for) -> None:
    agent = users_by_role[Role.AGENT]
    client = client_for(agent)
    url = reverse("org:account_password")
    wrong = client.post(
        url, {"current_password": "nope", "password": "Brand-new-2026", "password_confirm": "Brand-new-2026"}
    )
    assert wrong.status_code == 200 and "current_password" in wrong.context["password_form"].errors
    weak = client.post(url, {"current_password": PASSWORD, "password": "1234", "password_confirm": "1234"})
    assert "password" in weak.context["password_form"].errors
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)
    ok = client.post(
        url, {"current_password": PASSWORD, "password": "Brand-new-2026", "password_confirm": "Brand-new-2026"}
    )
    assert ok.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("Brand-new-2026")
    assert client.get(reverse("org:account")).status_code == 200  # still signed in


def test_token_key_is_shown_once_and_authenticates_until_revoked(users_by_role, client_for) -> None:
    customer = users_by_role[Role.CUSTOMER]
    client = client_for(customer)
    response = client.post(reverse("org:token_create"), {"name": "CRM"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("sqm_") and key in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert api_token_authenticate(key=key) == customer

    token = ApiToken.objects.get(user=customer)
    again = client.get(reverse("org:account")).content.decode()
    assert key not in again and token.prefix in again and "CRM" in again

    revoke = client.post(reverse("org:token_revoke", args=[token.pk]))
    assert revoke.status_code == 302
    assert api_token_authenticate(key=key) is None
    assert AuditEntry.objects.filter(object_type="org.apitoken", action="revoke").exists()


def test_token_needs_a_name(users_by_role, client_for) -> None:
    response = client_for(users_by_role[Role.AGENT]).post(reverse("org:token_create"), {"name": " "})
    assert response.status_code == 200 and "name" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_persons_token_from_their_account(users_by_role, client_for) -> None:
    owner = users_by_role[Role.AGENT]
    token = client_for(owner).post(reverse("org:token_create"), {"name": "mine"}).context["new_token"]
    intruder = client_for(users_by_role[Role.ADMIN])
    assert intruder.post(reverse("org:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- Django admin --------------------------------------------------------------------------------


def test_django_admin_only_looks_at_org_records(rf, admin) -> None:
    request = rf.get("/")
    request.user = admin
    for model in (User, Team, Skill, AgentSkill, StaffProfile, Certificate, ApiToken):
        model_admin = django_admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
