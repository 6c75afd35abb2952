"""Reads of people, teams and skills, with related rows loaded in the same queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from sqm.org.models import AgentSkill, ApiToken, Skill, Team, User


def users(
    *, role: str = "", team_id: int | None = None, text: str = "", active: bool | None = None
) -> QuerySet[User]:
    """Users for lists: with team, profile and skills loaded."""
    qs = User.objects.select_related("team", "profile").prefetch_related(
        Prefetch("skills", queryset=AgentSkill.objects.select_related("skill").order_by("skill__kind", "skill__code"))
    )
    if role:
        qs = qs.filter(role=role)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    if text:
        qs = qs.filter(
            Q(username__icontains=text) | Q(display_name__icontains=text) | Q(email__icontains=text)
            | Q(profile__employee_no__icontains=text)
        )
    return qs.order_by("username")


def user_detail(pk: int) -> User | None:
    return users().prefetch_related("certificates").filter(pk=pk).first()


def teams(*, active: bool | None = None) -> QuerySet[Team]:
    qs = Team.objects.select_related("lead").annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    )
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
