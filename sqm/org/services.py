"""Writes to people, teams, skills, profiles, certificates and API tokens.

Each function checks the acting user's capability, validates, saves and appends the change to
the audit chain in one transaction. Rule violations raise :class:`DomainError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import STAFF_ROLES, Cap, Role, can
from sqm.core.validation import check_choice, clean_text
from sqm.org.models import (
    SKILL_CODE_VALIDATOR,
    TEAM_CODE_VALIDATOR,
    AgentSkill,
    ApiToken,
    Certificate,
    CustomerTier,
    Skill,
    SkillKind,
    StaffProfile,
    StaffStatus,
    Team,
    User,
)

USER_FIELDS = (
    "username",
    "display_name",
    "email",
    "phone",
    "role",
    "team",
    "language",
    "is_active",
    "customer_tier",
)
TEAM_FIELDS = ("name", "code", "lead", "description", "is_active")
SKILL_FIELDS = ("kind", "code", "name_zh", "name_en", "is_active")
PROFILE_FIELDS = ("employee_no", "hire_date", "status", "left_on", "title")
CERTIFICATE_FIELDS = ("user", "name", "issuer", "number", "issued_on", "expires_on")
LANGUAGES = ("zh-hans", "en")
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@+-")
TOKEN_PREFIX = "sqm_"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def _require(actor: Any, cap: Cap) -> None:
    if not can(actor, cap):
        raise PermissionDeniedError()


def _check_validator(validator: Any, value: str, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field, code="invalid") from exc


# --- users -------------------------------------------------------------------------------------


def _validate_user_fields(
    *,
    user: User | None,
    username: str,
    role: str,
    team: Team | None,
    language: str,
    team_changed: bool = True,
    customer_tier: str = CustomerTier.STANDARD,
) -> None:
    if not set(username) <= USERNAME_CHARS:
        raise DomainError(_("Use only letters, digits and the characters . @ + - _ in a user name."), field="username")
    clash = User.objects.filter(username__iexact=username)
    if user is not None:
        clash = clash.exclude(pk=user.pk)
    if clash.exists():
        raise DomainError(_("A user with that user name already exists."), field="username", code="unique")
    check_choice(role, Role, "role")
    if team is not None and role not in STAFF_ROLES:
        raise DomainError(_("Only staff members can belong to a team."), field="team")
    if team is not None and team_changed and not team.is_active:
        raise DomainError(_("This team is no longer active."), field="team")
    if language and language not in LANGUAGES:
        raise DomainError(_("Choose Chinese (zh-hans) or English (en)."), field="language", code="invalid_choice")
    check_choice(customer_tier, CustomerTier, "customer_tier")
    if customer_tier != CustomerTier.STANDARD and role != Role.CUSTOMER:
        raise DomainError(_("Only customers have a customer tier; staff keep “standard”."), field="customer_tier")


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    display_name: str,
    role: str,
    password: str | None = None,
    email: str = "",
    phone: str = "",
    team: Team | None = None,
    language: str = "",
    employee_no: str = "",
    hire_date: dt.date | None = None,
    title: str = "",
    customer_tier: str = CustomerTier.STANDARD,
) -> User:
    """Create a user; staff members also get a staff profile (number and hire date). Customers
    may get a tier (VIP, key account) that SLA policies can name."""
    _require(actor, Cap.ORG_MANAGE)
    username = clean_text(username, "username", 150)
    display_name = clean_text(display_name, "display_name", 100)
    customer_tier = customer_tier or CustomerTier.STANDARD
    _validate_user_fields(
        user=None, username=username, role=role, team=team, language=language, customer_tier=customer_tier
    )
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        team=team,
        language=language,
        customer_tier=customer_tier,
    )
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_append(actor=actor, action="create", target=user, changes=diff(None, snapshot(user, USER_FIELDS)))
    if role in STAFF_ROLES:
        _profile_create(actor=actor, user=user, employee_no=employee_no, hire_date=hire_date, title=title)
    return user


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(errors={"password": list(exc.messages)}, code="password") from exc


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    display_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    team: Team | Any | None = ...,
    language: str | None = None,
    is_active: bool | None = None,
    customer_tier: str | None = None,
) -> User:
    """Change a user's details, role, team, active flag or customer tier. Omitted fields stay as
    they are. A new tier applies to the customer's next tickets; clocks already running keep their
    policy until they are recomputed (a change of priority, type or team)."""
    _require(actor, Cap.ORG_MANAGE)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, USER_FIELDS)
    if display_name is not None:
        user.display_name = clean_text(display_name, "display_name", 100)
    if email is not None:
        user.email = email.strip()
    if phone is not None:
        user.phone = phone.strip()
    if role is not None:
        user.role = role
    if team is not ...:
        user.team = team
    if language is not None:
        user.language = language
    if is_active is not None:
        user.is_active = is_active
    if customer_tier is not None:
        user.customer_tier = customer_tier
    elif user.role != Role.CUSTOMER:
        user.customer_tier = CustomerTier.STANDARD  # a customer who becomes staff loses the tier
    _validate_user_fields(
        user=user,
        username=user.username,
        role=user.role,
        team=user.team,
        language=user.language,
        team_changed=user.team_id != before["team"],
        customer_tier=user.customer_tier,
    )
    _guard_lockout(actor=actor, user=user, before=before)
    _guard_team_lead(user=user, before=before)
    changes = diff(before, snapshot(user, USER_FIELDS))
    if changes:
        user.save()
        audit_append(actor=actor, action="update", target=user, changes=changes)
        if user.role in STAFF_ROLES and not hasattr(user, "profile"):
            _profile_create(actor=actor, user=user, employee_no="", hire_date=None, title="")
    return user


def _guard_lockout(*, actor: Any, user: User, before: dict[str, Any]) -> None:
    """Nobody may lock themselves out, and the centre always keeps an active administrator."""
    losing_admin = (
        before["role"] == Role.ADMIN and before["is_active"] and not (user.role == Role.ADMIN and user.is_active)
    )
    if getattr(actor, "pk", None) == user.pk and not user.is_active:
        raise DomainError(_("You cannot deactivate your own account."), field="is_active")
    if getattr(actor, "pk", None) == user.pk and losing_admin:
        raise DomainError(_("You cannot take the administrator role from yourself."), field="role")
    if losing_admin and not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists():
        raise DomainError(_("The centre must keep at least one active administrator."), field="role")


def _guard_team_lead(*, user: User, before: dict[str, Any]) -> None:
    """An active team keeps a lead who holds the team lead role and can sign in."""
    still_lead = user.role == Role.TEAM_LEAD and user.is_active
    if still_lead or (before["role"] != Role.TEAM_LEAD or not before["is_active"]):
        return
    led = Team.objects.filter(lead=user, is_active=True).first()
    if led is not None:
        field = "role" if user.role != Role.TEAM_LEAD else "is_active"
        raise DomainError(
            _("This person leads the team “%(team)s”; choose another team lead for it first.") % {"team": led.name},
            field=field,
        )


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> None:
    """Set a new password: users for themselves, administrators for anyone. The value is never logged."""
    if getattr(actor, "pk", None) != user.pk:
        _require(actor, Cap.ORG_MANAGE)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_append(
        actor=actor, action="set_password", target=user, changes={"password": {"before": "***", "after": "***"}}
    )


@transaction.atomic
def user_set_language(*, actor: Any, user: User, language: str) -> User:
    """Remember the interface language a user chose; users may only change their own."""
    if getattr(actor, "pk", None) != user.pk:
        _require(actor, Cap.ORG_MANAGE)
    if language not in LANGUAGES:
        raise DomainError(_("Choose Chinese (zh-hans) or English (en)."), field="language", code="invalid_choice")
    if user.language != language:
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit_append(
            actor=actor, action="update", target=user, changes=diff({"language": before}, {"language": language})
        )
    return user


# --- staff profiles ---------------------------------------------------------------------------


def _next_employee_no() -> str:
    numbers = StaffProfile.objects.filter(employee_no__startswith="E").values_list("employee_no", flat=True)
    highest = max((int(n[1:]) for n in numbers if n[1:].isdigit()), default=0)
    return f"E{highest + 1:05d}"


def _profile_create(*, actor: Any, user: User, employee_no: str, hire_date: dt.date | None, title: str) -> StaffProfile:
    employee_no = (employee_no or "").strip() or _next_employee_no()
    hire_date = hire_date or timezone.localdate()
    _validate_profile(
        profile=None, employee_no=employee_no, hire_date=hire_date, status=StaffStatus.ACTIVE, left_on=None
    )
    profile = StaffProfile.objects.create(user=user, employee_no=employee_no, hire_date=hire_date, title=title.strip())
    audit_append(actor=actor, action="create", target=profile, changes=diff(None, snapshot(profile, PROFILE_FIELDS)))
    return profile


def _validate_profile(
    *, profile: StaffProfile | None, employee_no: str, hire_date: dt.date, status: str, left_on: dt.date | None
) -> None:
    clean_text(employee_no, "employee_no", 32)
    clash = StaffProfile.objects.filter(employee_no=employee_no)
    if profile is not None:
        clash = clash.exclude(pk=profile.pk)
    if clash.exists():
        raise DomainError(_("This employee number is already taken."), field="employee_no", code="unique")
    if hire_date > timezone.localdate():
        raise DomainError(_("The hire date cannot be in the future."), field="hire_date")
    check_choice(status, StaffStatus, "status")
    if status == StaffStatus.LEFT and left_on is None:
        raise DomainError(_("Give the date this person left."), field="left_on", code="required")
    if left_on is not None and left_on < hire_date:
        raise DomainError(_("The leaving date cannot be before the hire date."), field="left_on")


@transaction.atomic
def staff_profile_update(
    *,
    actor: Any,
    profile: StaffProfile,
    employee_no: str | None = None,
    hire_date: dt.date | None = None,
    status: str | None = None,
    left_on: dt.date | Any | None = ...,
    title: str | None = None,
) -> StaffProfile:
    """Change employment facts. Marking someone as left also closes their account."""
    _require(actor, Cap.ORG_MANAGE)
    profile = StaffProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    before = snapshot(profile, PROFILE_FIELDS)
    if employee_no is not None:
        profile.employee_no = employee_no.strip()
    if hire_date is not None:
        profile.hire_date = hire_date
    if status is not None:
        profile.status = status
    if left_on is not ...:
        profile.left_on = left_on
    if title is not None:
        profile.title = title.strip()
    if profile.status != StaffStatus.LEFT:
        profile.left_on = None  # only people who have left have a leaving date
    _validate_profile(
        profile=profile,
        employee_no=profile.employee_no,
        hire_date=profile.hire_date,
        status=profile.status,
        left_on=profile.left_on,
    )
    changes = diff(before, snapshot(profile, PROFILE_FIELDS))
    if changes:
        profile.save()
        audit_append(actor=actor, action="update", target=profile, changes=changes)
    if profile.status == StaffStatus.LEFT and profile.user.is_active:
        user_update(actor=actor, user=profile.user, is_active=False)
    return profile


# --- teams -------------------------------------------------------------------------------------


def _validate_team(*, team: Team | None, name: str, code: str, lead: User | None) -> None:
    _check_validator(TEAM_CODE_VALIDATOR, code, "code")
    others = Team.objects.exclude(pk=team.pk) if team is not None else Team.objects.all()
    if others.filter(name=name).exists():
        raise DomainError(_("A team with this name already exists."), field="name", code="unique")
    if others.filter(code=code).exists():
        raise DomainError(_("A team with this code already exists."), field="code", code="unique")
    if lead is not None:
        if lead.role != Role.TEAM_LEAD:
            raise DomainError(_("The team lead must have the team lead role."), field="lead")
        if not lead.is_active:
            raise DomainError(_("The team lead must be an active user."), field="lead")
        if others.filter(lead=lead, is_active=True).exists():
            raise DomainError(_("This person already leads another team."), field="lead", code="unique")


def _attach_lead(*, actor: Any, team: Team) -> None:
    lead = team.lead
    if lead is not None and lead.team_id != team.pk:
        user_update(actor=actor, user=lead, team=team)


@transaction.atomic
def team_create(*, actor: Any, name: str, code: str, lead: User | None = None, description: str = "") -> Team:
    """Create a team; its lead becomes a member of it."""
    _require(actor, Cap.ORG_MANAGE)
    name = clean_text(name, "name", 100)
    code = clean_text(code, "code", 20).upper()
    _validate_team(team=None, name=name, code=code, lead=lead)
    team = Team.objects.create(name=name, code=code, lead=lead, description=(description or "").strip())
    audit_append(actor=actor, action="create", target=team, changes=diff(None, snapshot(team, TEAM_FIELDS)))
    _attach_lead(actor=actor, team=team)
    return team


@transaction.atomic
def team_update(
    *,
    actor: Any,
    team: Team,
    name: str | None = None,
    code: str | None = None,
    lead: User | Any | None = ...,
    description: str | None = None,
    is_active: bool | None = None,
) -> Team:
    """Rename, re-code, change the lead of, or deactivate a team. A team with members stays active."""
    _require(actor, Cap.ORG_MANAGE)
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = snapshot(team, TEAM_FIELDS)
    if name is not None:
        team.name = clean_text(name, "name", 100)
    if code is not None:
        team.code = clean_text(code, "code", 20).upper()
    if lead is not ...:
        team.lead = lead
    if description is not None:
        team.description = description.strip()
    if is_active is not None:
        team.is_active = is_active
    _validate_team(team=team, name=team.name, code=team.code, lead=team.lead)
    other_members = team.members.filter(is_active=True)
    if team.lead_id is not None:
        other_members = other_members.exclude(pk=team.lead_id)
    if not team.is_active and other_members.exists():
        raise DomainError(_("Move this team's members to other teams before deactivating it."), field="is_active")
    changes = diff(before, snapshot(team, TEAM_FIELDS))
    if changes:
        team.save()
        audit_append(actor=actor, action="update", target=team, changes=changes)
        _attach_lead(actor=actor, team=team)
    return team


# --- skills ------------------------------------------------------------------------------------


def _validate_skill(*, skill: Skill | None, kind: str, code: str) -> None:
    check_choice(kind, SkillKind, "kind")
    _check_validator(SKILL_CODE_VALIDATOR, code, "code")
    clash = Skill.objects.filter(kind=kind, code=code)
    if skill is not None:
        clash = clash.exclude(pk=skill.pk)
    if clash.exists():
        raise DomainError(_("A skill of this kind with this code already exists."), field="code", code="unique")


@transaction.atomic
def skill_create(*, actor: Any, kind: str, code: str, name_zh: str, name_en: str) -> Skill:
    """Add a skill that tickets can require and agents can hold."""
    _require(actor, Cap.ORG_MANAGE)
    code = clean_text(code, "code", 40).lower()
    name_zh = clean_text(name_zh, "name_zh", 100)
    name_en = clean_text(name_en, "name_en", 100)
    _validate_skill(skill=None, kind=kind, code=code)
    skill = Skill.objects.create(kind=kind, code=code, name_zh=name_zh, name_en=name_en)
    audit_append(actor=actor, action="create", target=skill, changes=diff(None, snapshot(skill, SKILL_FIELDS)))
    return skill


@transaction.atomic
def skill_update(
    *,
    actor: Any,
    skill: Skill,
    code: str | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
    is_active: bool | None = None,
) -> Skill:
    """Rename or retire a skill. Its kind is fixed once created."""
    _require(actor, Cap.ORG_MANAGE)
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    before = snapshot(skill, SKILL_FIELDS)
    if code is not None:
        skill.code = clean_text(code, "code", 40).lower()
    if name_zh is not None:
        skill.name_zh = clean_text(name_zh, "name_zh", 100)
    if name_en is not None:
        skill.name_en = clean_text(name_en, "name_en", 100)
    if is_active is not None:
        skill.is_active = is_active
    _validate_skill(skill=skill, kind=skill.kind, code=skill.code)
    changes = diff(before, snapshot(skill, SKILL_FIELDS))
    if changes:
        skill.save()
        audit_append(actor=actor, action="update", target=skill, changes=changes)
    return skill


@transaction.atomic
def agent_skill_set(*, actor: Any, user: User, skill: Skill, level: int) -> AgentSkill:
    """Give a staff member a skill at a level from 1 to 5, or change the level they have."""
    _require(actor, Cap.ORG_MANAGE)
    if user.role not in STAFF_ROLES:
        raise DomainError(_("Only staff members can hold skills."), field="user")
    if not skill.is_active:
        raise DomainError(_("This skill is no longer active."), field="skill")
    if not isinstance(level, int) or not 1 <= level <= 5:
        raise DomainError(_("The level must be a whole number from 1 to 5."), field="level", code="range")
    held = AgentSkill.objects.select_for_update().filter(user=user, skill=skill).first()
    label = f"{user.username} · {skill.kind}:{skill.code}"
    if held is None:
        try:
            with transaction.atomic():
                held = AgentSkill.objects.create(user=user, skill=skill, level=level)
        except IntegrityError as exc:
            raise DomainError(_("This skill was just added by someone else; reload."), field="skill") from exc
        audit_append(
            actor=actor,
            action="create",
            target=held,
            object_repr=label,
            changes=diff(None, {"user": user.pk, "skill": skill.pk, "level": level}),
        )
    elif held.level != level:
        audit_append(
            actor=actor,
            action="update",
            target=held,
            object_repr=label,
            changes=diff({"level": held.level}, {"level": level}),
        )
        held.level = level
        held.save(update_fields=["level"])
    return held


@transaction.atomic
def agent_skill_remove(*, actor: Any, agent_skill: AgentSkill) -> None:
    """Take a skill away from a staff member."""
    _require(actor, Cap.ORG_MANAGE)
    label = f"{agent_skill.user.username} · {agent_skill.skill.kind}:{agent_skill.skill.code}"
    audit_append(
        actor=actor,
        action="delete",
        target=agent_skill,
        object_repr=label,
        changes=diff({"user": agent_skill.user_id, "skill": agent_skill.skill_id, "level": agent_skill.level}, None),
    )
    agent_skill.delete()


# --- certificates ------------------------------------------------------------------------------


@transaction.atomic
def certificate_add(
    *,
    actor: Any,
    user: User,
    name: str,
    issued_on: dt.date,
    issuer: str = "",
    number: str = "",
    expires_on: dt.date | None = None,
) -> Certificate:
    """Record a certificate a staff member holds."""
    _require(actor, Cap.ORG_MANAGE)
    if user.role not in STAFF_ROLES:
        raise DomainError(_("Only staff members hold certificates here."), field="user")
    name = clean_text(name, "name", 200)
    if issued_on > timezone.localdate():
        raise DomainError(_("The issue date cannot be in the future."), field="issued_on")
    if expires_on is not None and expires_on <= issued_on:
        raise DomainError(_("The expiry date must be after the issue date."), field="expires_on")
    cert = Certificate.objects.create(
        user=user,
        name=name,
        issuer=(issuer or "").strip(),
        number=(number or "").strip(),
        issued_on=issued_on,
        expires_on=expires_on,
    )
    audit_append(actor=actor, action="create", target=cert, changes=diff(None, snapshot(cert, CERTIFICATE_FIELDS)))
    return cert


@transaction.atomic
def certificate_remove(*, actor: Any, certificate: Certificate) -> None:
    """Delete a certificate recorded by mistake; the audit trail keeps what it said."""
    _require(actor, Cap.ORG_MANAGE)
    audit_append(
        actor=actor, action="delete", target=certificate, changes=diff(snapshot(certificate, CERTIFICATE_FIELDS), None)
    )
    certificate.delete()


# --- API tokens --------------------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a new API key for ``user``. Returns the token and the key, which is never shown again."""
    if getattr(actor, "pk", None) != user.pk:
        _require(actor, Cap.ORG_MANAGE)
    if not user.is_active:
        raise DomainError(_("Inactive users cannot have API tokens."), field="user")
    name = clean_text(name, "name", 100)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:12], key_hash=_hash_key(key))
    audit_append(
        actor=actor,
        action="create",
        target=token,
        changes=diff(None, {"user": user.pk, "name": name, "prefix": token.prefix}),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once; requests carrying it get 401 from then on."""
    if getattr(actor, "pk", None) != token.user_id:
        _require(actor, Cap.ORG_MANAGE)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_append(
            actor=actor,
            action="revoke",
            target=token,
            changes=diff({"revoked_at": None}, {"revoked_at": token.revoked_at}),
        )
    return token


def api_token_authenticate(*, key: str) -> User | None:
    """The active user behind an API key, or None. Notes the time of use at most once a minute."""
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash_key(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def users_set_initial_password(*, actor: Any, users: list[User], password: str) -> int:
    """Give many new accounts the same first password (onboarding a team, loading the demo).

    The password is hashed once, so onboarding hundreds of people stays fast. Returns how many
    accounts changed.
    """
    _require(actor, Cap.ORG_MANAGE)
    if not users:
        return 0
    _check_password(password, users[0])
    from django.contrib.auth.hashers import make_password

    hashed = make_password(password)
    changed = User.objects.filter(pk__in=[u.pk for u in users]).update(password=hashed)
    for user in users:
        audit_append(
            actor=actor, action="set_password", target=user, changes={"password": {"before": "***", "after": "***"}}
        )
    return changed


@transaction.atomic
def admin_bootstrap(*, username: str, display_name: str, password: str, email: str = "") -> User:
    """Create the centre's first administrator. Refused once any active administrator exists."""
    if User.objects.filter(role=Role.ADMIN, is_active=True).exists():
        raise DomainError(_("An administrator already exists; ask them to create your account."), field="username")
    username = clean_text(username, "username", 150)
    _validate_user_fields(user=None, username=username, role=Role.ADMIN, team=None, language="")
    user = User(
        username=username,
        display_name=clean_text(display_name, "display_name", 100),
        role=Role.ADMIN,
        email=email,
        is_staff=True,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_append(actor=None, action="create", target=user, changes=diff(None, snapshot(user, USER_FIELDS)))
    _profile_create(actor=user, user=user, employee_no="", hire_date=None, title="")
    return user


# --- self-service sign-up (customer portal) ------------------------------------------------------

PHONE_CHARS = frozenset("0123456789+-() ")


def _check_contact(*, email: str, phone: str) -> tuple[str, str]:
    """A sign-up needs a working e-mail address (replies go there); the phone number is optional."""
    from django.core.validators import validate_email

    email = clean_text(email, "email", 254)
    _check_validator(validate_email, email, "email")
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            _(
                "This e-mail address already has an account. Sign in with it or, if you have so far only "
                "written to us by e-mail, contact us to have that account opened for the portal."
            ),
            field="email",
            code="unique",
        )
    phone = (phone or "").strip()
    if len(phone) > 32:
        raise DomainError(
            _("Ensure this value has at most %(max)d characters.") % {"max": 32}, field="phone", code="max_length"
        )
    if phone and (not set(phone) <= PHONE_CHARS or sum(c.isdigit() for c in phone) < 5):
        raise DomainError(_("Enter a phone number made of digits (and + - ( ) or spaces)."), field="phone")
    return email, phone


@transaction.atomic
def customer_register(
    *, username: str, display_name: str, email: str, phone: str, password: str, language: str
) -> User:
    """A customer opens their own portal account (DESIGN.md §2.2). Nobody signed in is needed.

    Validated like :func:`user_create` (plus a valid, unused e-mail address and a password that
    passes the password rules); the new account always has the customer role. The audit entry
    has no actor, since nobody was signed in, and records that the person signed up themselves.
    """
    username = clean_text(username, "username", 150)
    display_name = clean_text(display_name, "display_name", 100)
    _validate_user_fields(user=None, username=username, role=Role.CUSTOMER, team=None, language=language or "")
    email, phone = _check_contact(email=email, phone=phone)
    if not password:
        raise DomainError(_("This field is required."), field="password", code="required")
    user = User(
        username=username,
        display_name=display_name,
        role=Role.CUSTOMER,
        email=email,
        phone=phone,
        language=language or "",
    )
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same user name signed up a moment ago
        raise DomainError(_("A user with that user name already exists."), field="username", code="unique") from exc
    changes = diff(None, {**snapshot(user, USER_FIELDS), "signed_up": "portal"})
    audit_append(actor=None, action="create", target=user, changes=changes)
    return user


# --- customers who write by e-mail ---------------------------------------------------------------


def _mail_usernames(email: str) -> list[str]:
    """User names to try for a customer known only by address: the address, then stable hashes."""
    lowered = email.lower()
    digest = hashlib.sha256(lowered.encode("utf-8")).hexdigest()
    names = [lowered] if len(lowered) <= 150 and set(lowered) <= USERNAME_CHARS else []
    return [*names, f"mail-{digest[:16]}", *(f"mail-{digest[:16]}-{n}" for n in range(2, 5))]


def _customer_by_email(email: str) -> User | None:
    return User.objects.filter(role=Role.CUSTOMER, email__iexact=email).order_by("-is_active", "pk").first()


@transaction.atomic
def customer_from_email(*, actor: Any = None, email: str, display_name: str = "") -> User:
    """The customer who writes from ``email``; a new customer record when the address is unknown.

    E-mail intake calls it with ``actor=None`` (the system). A new customer has no password (they
    can be given one later) and is audited. Its user name derives from the address, so two mails
    from the same new sender arriving at once make one customer, not two.
    """
    from django.core.validators import validate_email

    if actor is not None:
        _require(actor, Cap.ORG_MANAGE)
    email = clean_text(email, "email", 254)
    _check_validator(validate_email, email, "email")
    found = _customer_by_email(email)
    if found is not None:
        return found
    name = (display_name or "").strip()[:100] or email.split("@")[0][:100] or email[:100]
    for username in _mail_usernames(email):
        if User.objects.filter(username__iexact=username).exists():
            continue
        user = User(username=username, display_name=name, role=Role.CUSTOMER, email=email)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same sender's other mail created them a moment ago
            found = _customer_by_email(email)
            if found is not None:
                return found
            continue
        changes = diff(None, {**snapshot(user, USER_FIELDS), "signed_up": "email"})
        audit_append(actor=actor, action="create", target=user, changes=changes)
        return user
    raise DomainError(_("No free user name for this e-mail address."), field="email")
