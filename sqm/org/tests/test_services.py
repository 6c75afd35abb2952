"""Business rules of the organisation services: what they allow, refuse and write to the audit chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import timezone

from sqm.audit.models import AuditEntry, ChainHead
from sqm.audit.services import chain_verify
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.org import services
from sqm.org.models import AgentSkill, ApiToken, Certificate, Skill, SkillKind, StaffProfile, StaffStatus, Team, User
from sqm.org.tests.factories import AgentSkillFactory, SkillFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _state() -> tuple[Any, ...]:
    """Everything a rejected write must leave alone: every org table and the chain head."""
    head = ChainHead.objects.filter(pk=1).values_list("seq", "entry_hash").first()
    tables = (User, Team, Skill, AgentSkill, StaffProfile, Certificate, ApiToken)
    rows = tuple(sorted(map(str, m.objects.values_list(*[f.attname for f in m._meta.concrete_fields]))) for m in tables)
    return (AuditEntry.objects.count(), head, rows)


@contextmanager
def rejected(field: str | None = None, error: type[DomainError] = DomainError) -> Iterator[None]:
    """The block must raise ``error`` naming ``field`` and change nothing at all."""
    before = _state()
    with pytest.raises(error) as info:
        yield
    if field is not None:
        assert field in info.value.errors, info.value.errors
    assert _state() == before
    assert chain_verify().ok


def _entries(obj: Any, action: str | None = None) -> list[AuditEntry]:
    qs = AuditEntry.objects.filter(object_type=f"org.{obj._meta.model_name}", object_id=str(obj.pk))
    if action:
        qs = qs.filter(action=action)
    return list(qs.order_by("seq"))


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN, username="boss")


@pytest.fixture
def lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.TEAM_LEAD, username="lead")


# --- users ---------------------------------------------------------------------------------------


def test_user_create_gives_staff_a_profile_and_audits_both(admin: User) -> None:
    team = TeamFactory()
    user = services.user_create(
        actor=admin,
        username="Li.Na",
        display_name=" 李娜 ",
        role=Role.AGENT,
        password="Strong-pass-77",
        team=team,
        employee_no="E777",
    )
    assert user.display_name == "李娜" and user.check_password("Strong-pass-77")
    assert user.profile.employee_no == "E777" and user.profile.hire_date == timezone.localdate()
    (created,) = _entries(user, "create")
    assert created.changes["username"] == {"before": None, "after": "Li.Na"}
    assert created.changes["team"] == {"before": None, "after": team.pk}
    assert created.actor_id == admin.pk
    assert _entries(user.profile, "create")[0].changes["employee_no"]["after"] == "E777"
    assert chain_verify().ok


def test_user_create_numbers_staff_automatically_and_skips_customers(admin: User) -> None:
    first = services.user_create(actor=admin, username="a1", display_name="甲", role=Role.AGENT)
    second = services.user_create(actor=admin, username="a2", display_name="乙", role=Role.TRAINER)
    customer = services.user_create(actor=admin, username="c1", display_name="丙", role=Role.CUSTOMER)
    assert (first.profile.employee_no, second.profile.employee_no) == ("E00001", "E00002")
    assert not StaffProfile.objects.filter(user=customer).exists()
    assert not customer.has_usable_password()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "R-AGENT"}, "username"),  # taken, in any letter case
        ({"username": "张三"}, "username"),
        ({"username": "  "}, "username"),
        ({"display_name": ""}, "display_name"),
        ({"role": "pope"}, "role"),
        ({"role": Role.CUSTOMER, "team": "TEAM"}, "team"),
        ({"team": "INACTIVE"}, "team"),
        ({"language": "fr"}, "language"),
        ({"password": "12345678"}, "password"),
        ({"employee_no": "TAKEN"}, "employee_no"),
        ({"hire_date": dt.date(2999, 1, 1)}, "hire_date"),
    ],
)
def test_user_create_refusals_store_nothing(kwargs: dict[str, Any], field: str, admin: User, make_user) -> None:
    taken = make_user(Role.AGENT, username="r-agent")
    replacements = {"TEAM": TeamFactory(), "INACTIVE": TeamFactory(is_active=False), "TAKEN": taken.profile.employee_no}
    kwargs = {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    data = {"username": "new.one", "display_name": "新人", "role": Role.AGENT, **kwargs}
    with rejected(field):
        services.user_create(actor=admin, **data)


@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.ADMIN])
def test_only_administrators_manage_people(role: str, make_user) -> None:
    actor = make_user(role, username=f"actor-{role}")
    team, skill = TeamFactory(), SkillFactory()
    victim = make_user(Role.AGENT, username="victim")
    with rejected(error=PermissionDeniedError):
        services.user_create(actor=actor, username="x", display_name="x", role=Role.AGENT)
    with rejected(error=PermissionDeniedError):
        services.user_update(actor=actor, user=victim, role=Role.ADMIN)
    with rejected(error=PermissionDeniedError):
        services.team_update(actor=actor, team=team, name="改名")
    with rejected(error=PermissionDeniedError):
        services.skill_update(actor=actor, skill=skill, name_zh="改名")
    with rejected(error=PermissionDeniedError):
        services.agent_skill_set(actor=actor, user=victim, skill=skill, level=5)
    with rejected(error=PermissionDeniedError):
        services.user_set_password(actor=actor, user=victim, password="Whatever-2026")


def test_user_update_audits_only_changed_fields(admin: User, make_user) -> None:
    user = make_user(Role.AGENT, username="u1", display_name="旧名")
    team = TeamFactory()
    services.user_update(actor=admin, user=user, display_name="新名", team=team, phone="")
    (entry,) = _entries(user, "update")
    assert entry.changes == {
        "display_name": {"before": "旧名", "after": "新名"},
        "team": {"before": None, "after": team.pk},
    }
    count = AuditEntry.objects.count()
    services.user_update(actor=admin, user=user, display_name="新名")  # nothing changes, nothing written
    assert AuditEntry.objects.count() == count


def test_user_update_to_a_staff_role_creates_the_profile(admin: User, make_user) -> None:
    customer = make_user(Role.CUSTOMER, username="c")
    services.user_update(actor=admin, user=customer, role=Role.AGENT)
    assert StaffProfile.objects.filter(user=customer).exists()


# --- lockout guard and last administrator ---------------------------------------------------------


def test_admin_cannot_deactivate_or_demote_themselves(admin: User) -> None:
    with rejected("is_active"):
        services.user_update(actor=admin, user=admin, is_active=False)
    with rejected("role"):
        services.user_update(actor=admin, user=admin, role=Role.AGENT)


def test_another_admin_may_be_demoted_while_one_remains(admin: User, make_user) -> None:
    other = make_user(Role.ADMIN, username="second-admin")
    services.user_update(actor=admin, user=other, role=Role.AUDITOR)
    other.refresh_from_db()
    assert other.role == Role.AUDITOR


def test_the_last_active_administrator_stays(make_user) -> None:
    only_admin = make_user(Role.ADMIN, username="only")
    outside_actor = User(username="system", role=Role.ADMIN, is_active=True)  # e.g. a script's actor
    with rejected("role"):
        services.user_update(actor=outside_actor, user=only_admin, role=Role.AGENT)
    with rejected("role"):
        services.user_update(actor=outside_actor, user=only_admin, is_active=False)


# --- passwords and language -------------------------------------------------------------------------


def test_password_changes_are_audited_without_the_password(admin: User, make_user) -> None:
    user = make_user(Role.AGENT, username="pw")
    services.user_set_password(actor=user, user=user, password="Own-choice-2026")
    services.user_set_password(actor=admin, user=user, password="Admin-set-2026")
    user.refresh_from_db()
    assert user.check_password("Admin-set-2026")
    entries = _entries(user, "set_password")
    assert len(entries) == 2
    assert all("2026" not in str(e.changes) for e in entries)


def test_weak_password_is_refused(make_user) -> None:
    user = make_user(Role.AGENT, username="weak")
    with rejected("password"):
        services.user_set_password(actor=user, user=user, password="weak")


def test_users_change_only_their_own_language(make_user) -> None:
    me, other = make_user(Role.CUSTOMER, username="me"), make_user(Role.CUSTOMER, username="other")
    services.user_set_language(actor=me, user=me, language="en")
    assert _entries(me, "update")[0].changes == {"language": {"before": "", "after": "en"}}
    with rejected(error=PermissionDeniedError):
        services.user_set_language(actor=me, user=other, language="en")
    with rejected("language"):
        services.user_set_language(actor=me, user=me, language="fr")


# --- staff profiles ---------------------------------------------------------------------------------


def test_marking_a_profile_left_deactivates_the_user(admin: User, make_user) -> None:
    user = make_user(Role.AGENT, username="leaver")
    profile = services.staff_profile_update(
        actor=admin, profile=user.profile, status=StaffStatus.LEFT, left_on=dt.date(2025, 6, 30)
    )
    user.refresh_from_db()
    assert profile.status == StaffStatus.LEFT and not user.is_active
    (entry,) = _entries(profile, "update")
    assert entry.changes["status"] == {"before": "active", "after": "left"}
    assert entry.changes["left_on"] == {"before": None, "after": "2025-06-30"}
    assert _entries(user, "update")[0].changes == {"is_active": {"before": True, "after": False}}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": StaffStatus.LEFT}, "left_on"),
        ({"status": StaffStatus.LEFT, "left_on": dt.date(2020, 1, 1)}, "left_on"),  # before hire date
        ({"hire_date": dt.date(2999, 1, 1)}, "hire_date"),
        ({"status": "fired"}, "status"),
        ({"employee_no": ""}, "employee_no"),
        ({"employee_no": "TAKEN"}, "employee_no"),
    ],
)
def test_profile_refusals_store_nothing(kwargs: dict[str, Any], field: str, admin: User, make_user) -> None:
    user, other = make_user(Role.AGENT, username="p1"), make_user(Role.AGENT, username="p2")
    if kwargs.get("employee_no") == "TAKEN":
        kwargs = {**kwargs, "employee_no": other.profile.employee_no}
    with rejected(field):
        services.staff_profile_update(actor=admin, profile=user.profile, **kwargs)


def test_only_people_who_left_keep_a_leaving_date(admin: User, make_user) -> None:
    user = make_user(Role.AGENT, username="back")
    services.staff_profile_update(
        actor=admin, profile=user.profile, status=StaffStatus.LEFT, left_on=dt.date(2025, 1, 31)
    )
    profile = services.staff_profile_update(
        actor=admin, profile=user.profile, status=StaffStatus.ACTIVE, left_on=dt.date(2025, 1, 31)
    )
    assert profile.left_on is None


def test_an_admin_cannot_mark_themselves_left(admin: User) -> None:
    with rejected("is_active"):
        services.staff_profile_update(
            actor=admin, profile=admin.profile, status=StaffStatus.LEFT, left_on=timezone.localdate()
        )


# --- teams ----------------------------------------------------------------------------------------


def test_team_create_upper_cases_the_code_and_brings_the_lead_in(admin: User, lead: User) -> None:
    team = services.team_create(actor=admin, name="投诉组", code="cmp-1", lead=lead)
    lead.refresh_from_db()
    assert team.code == "CMP-1" and lead.team == team
    assert _entries(team, "create")[0].changes["lead"] == {"before": None, "after": lead.pk}
    assert _entries(lead, "update")[0].changes["team"] == {"before": None, "after": team.pk}


@pytest.mark.parametrize("case", ["not_a_lead", "inactive_lead", "leads_another", "dup_name", "dup_code", "bad_code"])
def test_team_rules(case: str, admin: User, lead: User, make_user) -> None:
    existing = TeamFactory(name="已有", code="HAVE", lead=lead)
    data: dict[str, Any] = {"name": "新组", "code": "NEW"}
    field = {"dup_name": "name", "dup_code": "code", "bad_code": "code"}.get(case, "lead")
    if case == "not_a_lead":
        data["lead"] = make_user(Role.AGENT, username="agent")
    elif case == "inactive_lead":
        data["lead"] = make_user(Role.TEAM_LEAD, username="off", is_active=False)
    elif case == "leads_another":
        data["lead"] = lead
    elif case == "dup_name":
        data["name"] = existing.name
    elif case == "dup_code":
        data["code"] = "have"
    else:
        data["code"] = "no spaces"
    with rejected(field):
        services.team_create(actor=admin, **data)


def test_team_with_active_members_stays_active(admin: User, lead: User, make_user) -> None:
    team = services.team_create(actor=admin, name="组", code="G", lead=lead)
    member = make_user(Role.AGENT, username="m", team=team)
    with rejected("is_active"):
        services.team_update(actor=admin, team=team, is_active=False)
    services.user_update(actor=admin, user=member, team=None)
    services.team_update(actor=admin, team=team, is_active=False)  # only the lead is left: allowed
    team.refresh_from_db()
    assert not team.is_active


def test_the_lead_of_an_active_team_keeps_role_and_account(admin: User, lead: User) -> None:
    services.team_create(actor=admin, name="组", code="G", lead=lead)
    with rejected("role"):
        services.user_update(actor=admin, user=lead, role=Role.AGENT)
    with rejected("is_active"):
        services.user_update(actor=admin, user=lead, is_active=False)


def test_a_new_lead_frees_the_old_one(admin: User, lead: User, make_user) -> None:
    team = services.team_create(actor=admin, name="组", code="G", lead=lead)
    successor = make_user(Role.TEAM_LEAD, username="successor")
    services.team_update(actor=admin, team=team, lead=successor)
    services.user_update(actor=admin, user=lead, role=Role.AGENT)
    lead.refresh_from_db()
    assert lead.role == Role.AGENT
    assert _entries(team, "update")[0].changes["lead"] == {"before": lead.pk, "after": successor.pk}


def test_members_of_a_deactivated_team_can_still_be_edited(admin: User, lead: User) -> None:
    team = services.team_create(actor=admin, name="组", code="G", lead=lead)
    services.team_update(actor=admin, team=team, is_active=False)
    services.user_update(actor=admin, user=lead, phone="010-88888888")
    lead.refresh_from_db()
    assert lead.phone == "010-88888888" and lead.team == team
    team.refresh_from_db()
    newbie = UserFactory(username="newbie")
    with rejected("team"):
        services.user_update(actor=admin, user=newbie, team=team)


# --- skills ---------------------------------------------------------------------------------------


def test_skill_create_and_update(admin: User) -> None:
    skill = services.skill_create(actor=admin, kind=SkillKind.LANGUAGE, code="EN", name_zh="英语", name_en="English")
    assert skill.code == "en"
    services.skill_update(actor=admin, skill=skill, name_en="English (UK)", is_active=False)
    (entry,) = _entries(skill, "update")
    assert entry.changes == {
        "is_active": {"before": True, "after": False},
        "name_en": {"before": "English", "after": "English (UK)"},
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "colour"}, "kind"),
        ({"code": "账单"}, "code"),
        ({"code": "dup"}, "code"),
        ({"name_zh": " "}, "name_zh"),
        ({"name_en": ""}, "name_en"),
    ],
)
def test_skill_refusals_store_nothing(kwargs: dict[str, Any], field: str, admin: User) -> None:
    SkillFactory(kind=SkillKind.CATEGORY, code="dup")
    data = {"kind": SkillKind.CATEGORY, "code": "fresh", "name_zh": "新", "name_en": "New", **kwargs}
    with rejected(field):
        services.skill_create(actor=admin, **data)


def test_skill_levels_run_from_1_to_5(admin: User, make_user) -> None:
    agent, skill = make_user(Role.AGENT, username="a"), SkillFactory()
    held = services.agent_skill_set(actor=admin, user=agent, skill=skill, level=1)
    assert _entries(held, "create")[0].changes["level"] == {"before": None, "after": 1}
    services.agent_skill_set(actor=admin, user=agent, skill=skill, level=5)
    assert _entries(held, "update")[0].changes == {"level": {"before": 1, "after": 5}}
    for level in (0, 6, -1, 2.5, "3"):
        with rejected("level"):
            services.agent_skill_set(actor=admin, user=agent, skill=skill, level=level)  # type: ignore[arg-type]
    assert AgentSkill.objects.get(user=agent, skill=skill).level == 5


def test_only_staff_hold_only_active_skills(admin: User, make_user) -> None:
    customer, agent = make_user(Role.CUSTOMER, username="c"), make_user(Role.AGENT, username="a")
    skill, retired = SkillFactory(), SkillFactory(is_active=False)
    with rejected("user"):
        services.agent_skill_set(actor=admin, user=customer, skill=skill, level=3)
    with rejected("skill"):
        services.agent_skill_set(actor=admin, user=agent, skill=retired, level=3)


def test_skill_removal_is_audited(admin: User) -> None:
    held = AgentSkillFactory(level=4)
    pk = held.pk
    services.agent_skill_remove(actor=admin, agent_skill=held)
    assert not AgentSkill.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(object_type="org.agentskill", object_id=str(pk), action="delete")
    assert entry.changes["level"] == {"before": 4, "after": None}


# --- certificates ---------------------------------------------------------------------------------


def test_certificate_add_and_remove_are_audited(admin: User, make_user) -> None:
    agent = make_user(Role.AGENT, username="a")
    cert = services.certificate_add(
        actor=admin,
        user=agent,
        name=" 客户服务管理师 ",
        issued_on=dt.date(2023, 1, 1),
        expires_on=dt.date(2026, 1, 1),
        issuer="人社部",
    )
    assert cert.name == "客户服务管理师"
    assert _entries(cert, "create")[0].changes["expires_on"] == {"before": None, "after": "2026-01-01"}
    pk = cert.pk
    services.certificate_remove(actor=admin, certificate=cert)
    assert not Certificate.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(object_type="org.certificate", object_id=str(pk), action="delete")
    assert entry.changes["name"] == {"before": "客户服务管理师", "after": None}


@pytest.mark.parametrize(
    ("issued", "expires", "field"),
    [
        (timezone.localdate() + dt.timedelta(days=30), None, "issued_on"),
        (dt.date(2024, 5, 1), dt.date(2024, 5, 1), "expires_on"),
        (dt.date(2024, 5, 1), dt.date(2024, 4, 30), "expires_on"),
    ],
)
def test_certificate_dates(issued: dt.date, expires: dt.date | None, field: str, admin: User, make_user) -> None:
    agent = make_user(Role.AGENT, username="a")
    with rejected(field):
        services.certificate_add(actor=admin, user=agent, name="证书", issued_on=issued, expires_on=expires)


def test_certificates_are_for_staff_only(admin: User, make_user) -> None:
    customer = make_user(Role.CUSTOMER)
    with rejected("user"):
        services.certificate_add(actor=admin, user=customer, name="证书", issued_on=dt.date(2024, 1, 1))


# --- API tokens -----------------------------------------------------------------------------------


def test_token_create_keeps_only_a_hash_and_authenticates(make_user) -> None:
    user = make_user(Role.CUSTOMER, username="api")
    token, key = services.api_token_create(actor=user, user=user, name=" CRM ")
    assert key.startswith("sqm_") and token.prefix == key[:12] and token.name == "CRM"
    assert not ApiToken.objects.filter(key_hash__contains=key[4:]).exists()
    assert key not in str(_entries(token, "create")[0].changes)
    assert services.api_token_authenticate(key=key) == user
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("key", ["", "sqm_wrong", "Bearer x", "sqm_" + "x" * 300])
def test_wrong_keys_authenticate_nobody(key: str, make_user) -> None:
    user = make_user(Role.AGENT)
    services.api_token_create(actor=user, user=user, name="t")
    assert services.api_token_authenticate(key=key) is None


def test_revoked_tokens_and_inactive_users_are_refused(admin: User, make_user) -> None:
    user = make_user(Role.AGENT, username="t")
    token, key = services.api_token_create(actor=user, user=user, name="t")
    _other, other_key = services.api_token_create(actor=admin, user=user, name="by admin")
    services.api_token_revoke(actor=user, token=token)
    assert services.api_token_authenticate(key=key) is None
    assert services.api_token_authenticate(key=other_key) == user
    (entry,) = _entries(token, "revoke")
    assert entry.changes["revoked_at"]["before"] is None
    services.api_token_revoke(actor=user, token=token)  # revoking twice changes nothing
    assert len(_entries(token, "revoke")) == 1
    services.user_update(actor=admin, user=user, is_active=False)
    assert services.api_token_authenticate(key=other_key) is None


def test_tokens_of_others_need_org_manage(make_user) -> None:
    owner, stranger = make_user(Role.AGENT, username="owner"), make_user(Role.QUALITY_MANAGER, username="qm")
    token, _key = services.api_token_create(actor=owner, user=owner, name="mine")
    with rejected(error=PermissionDeniedError):
        services.api_token_create(actor=stranger, user=owner, name="theirs")
    with rejected(error=PermissionDeniedError):
        services.api_token_revoke(actor=stranger, token=token)
    with rejected("name"):
        services.api_token_create(actor=owner, user=owner, name="  ")


def test_inactive_users_get_no_tokens(admin: User, make_user) -> None:
    user = make_user(Role.AGENT, username="gone", is_active=False)
    with rejected("user"):
        services.api_token_create(actor=admin, user=user, name="t")


# --- the chain as a whole -------------------------------------------------------------------------


def test_a_day_of_org_work_leaves_an_intact_chain(admin: User, lead: User) -> None:
    team = services.team_create(actor=admin, name="组", code="G", lead=lead)
    skill = services.skill_create(actor=admin, kind=SkillKind.CHANNEL, code="phone", name_zh="电话", name_en="Phone")
    agent = services.user_create(actor=admin, username="agent", display_name="坐席", role=Role.AGENT, team=team)
    services.agent_skill_set(actor=admin, user=agent, skill=skill, level=3)
    services.certificate_add(actor=admin, user=agent, name="证书", issued_on=dt.date(2024, 1, 1))
    services.api_token_create(actor=agent, user=agent, name="t")
    report = chain_verify()
    assert report.ok and report.length == AuditEntry.objects.count() >= 8
    assert all(entry.changes for entry in AuditEntry.objects.all())
