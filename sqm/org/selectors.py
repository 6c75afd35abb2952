"""Reads of people, teams and skills, with related rows loaded in the same queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from sqm.core.roles import Role
from sqm.org.models import AgentSkill, ApiToken, Certificate, Skill, StaffProfile, Team, User


def users(*, role: str = "", team_id: int | None = None, text: str = "", active: bool | None = None) -> QuerySet[User]:
    """Users for lists: with team, profile and skills loaded."""
    held = AgentSkill.objects.select_related("skill").order_by("skill__kind", "skill__code")
    qs = User.objects.select_related("team", "profile").prefetch_related(Prefetch("skills", queryset=held))
    if role:
        qs = qs.filter(role=role)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    if text:
        qs = qs.filter(
            Q(username__icontains=text)
            | Q(display_name__icontains=text)
            | Q(email__icontains=text)
            | Q(profile__employee_no__icontains=text)
        )
    return qs.order_by("username")


def user_detail(pk: int) -> User | None:
    return users().prefetch_related("certificates").filter(pk=pk).first()


def teams(*, active: bool | None = None) -> QuerySet[Team]:
    qs = Team.objects.select_related("lead").annotate(member_count=Count("members", filter=Q(members__is_active=True)))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


def team_members(team: Team) -> QuerySet[User]:
    return users(team_id=team.pk).filter(is_active=True)


def skills(*, kind: str = "", active: bool | None = None) -> QuerySet[Skill]:
    qs = Skill.objects.annotate(holder_count=Count("holders"))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("kind", "code")


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


# --- reads for the management pages -------------------------------------------------------------


def team_choices(*, include_pk: int | None = None) -> QuerySet[Team]:
    """Active teams to pick from, plus the one a record already points at (so it stays selectable)."""
    cond = Q(is_active=True)
    if include_pk is not None:
        cond |= Q(pk=include_pk)
    return Team.objects.filter(cond).order_by("code")


def team_lead_candidates(*, include_pk: int | None = None) -> QuerySet[User]:
    """Active users with the team lead role, who may be chosen to lead a team."""
    cond = Q(role=Role.TEAM_LEAD, is_active=True)
    if include_pk is not None:
        cond |= Q(pk=include_pk)
    return User.objects.filter(cond).order_by("username")


def team_detail(pk: int) -> Team | None:
    """One team with its lead and active member count."""
    return teams().filter(pk=pk).first()


def skill_by_pk(pk: int) -> Skill | None:
    return Skill.objects.filter(pk=pk).first()


def skill_choices() -> QuerySet[Skill]:
    """Active skills that can be given to staff members."""
    return Skill.objects.filter(is_active=True).order_by("kind", "code")


def user_skills(user: User) -> QuerySet[AgentSkill]:
    """The skills a user holds, with the skill loaded, in list order."""
    return AgentSkill.objects.filter(user=user).select_related("skill").order_by("skill__kind", "skill__code")


def user_skill(*, user_id: int, skill_id: int) -> AgentSkill | None:
    qs = AgentSkill.objects.select_related("user", "skill")
    return qs.filter(user_id=user_id, skill_id=skill_id).first()


def user_certificates(user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).order_by("-issued_on", "-pk")


def user_certificate(*, user_id: int, pk: int) -> Certificate | None:
    return Certificate.objects.filter(user_id=user_id, pk=pk).first()


def staff_profile_of(user: User) -> StaffProfile | None:
    return StaffProfile.objects.filter(user=user).first()


def api_token_of(*, user: User, pk: int) -> ApiToken | None:
    """A token only when it belongs to ``user``: nobody reaches another person's token by id."""
    return ApiToken.objects.filter(user=user, pk=pk).first()
