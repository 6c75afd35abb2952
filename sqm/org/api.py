"""REST endpoints for the signed-in user (``/api/me``) and the organisation (``/api/org``).

Every endpoint checks the caller's capability first and only then looks anything up, so a role
without access gets 403 for every id and learns nothing about which records exist. Writes go
through :mod:`sqm.org.services` (which check the capability again and write the audit trail);
reads go through :mod:`sqm.org.selectors` (a fixed number of queries per list).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.org import selectors, services
from sqm.org.models import Certificate, Skill, Team, User
from sqm.org.schemas import (
    AgentSkillIn,
    AgentSkillOut,
    CertificateIn,
    CertificateOut,
    Id,
    MeOut,
    MePatchIn,
    ProfileOut,
    ProfilePatchIn,
    SkillFilters,
    SkillIn,
    SkillOut,
    SkillPatchIn,
    TeamDetailOut,
    TeamFilters,
    TeamIn,
    TeamOut,
    TeamPatchIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserCreateIn,
    UserDetailOut,
    UserFilters,
    UserListOut,
    UserPatchIn,
)

router = Router()
me_router = Router()
T = TypeVar("T")


# --- helpers ------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _require(request: HttpRequest, cap: Cap) -> User:
    """The calling user, if their role holds ``cap``; otherwise 403 before anything is read."""
    actor = _actor(request)
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


def _found(obj: T | None) -> T:
    """``obj``, or 404 when the look-up found nothing."""
    if obj is None:
        raise Http404(_("Not found."))
    return obj


@contextmanager
def _api_fields(**renames: str) -> Iterator[None]:
    """Name service errors after the request's fields (the service says ``team``, the API ``team_id``)."""
    try:
        yield
    except DomainError as exc:
        exc.errors = {renames.get(field, field): messages for field, messages in exc.errors.items()}
        raise


def _team_ref(team_id: int | None, field: str) -> Team | None:
    """The team a request body points at; an unknown id is an error on that field."""
    if team_id is None:
        return None
    team = selectors.team_detail(team_id)
    if team is None:
        raise DomainError(_("There is no team with this id."), field=field, code="not_found")
    return team


def _user_ref(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = selectors.user_detail(user_id)
    if user is None:
        raise DomainError(_("There is no user with this id."), field=field, code="not_found")
    return user


def _user_or_404(user_id: int) -> User:
    return _found(selectors.user_detail(user_id))


# --- /api/me --------------------------------------------------------------------------------------


@me_router.get("", response=MeOut, summary="The signed-in user")
def me_get(request: HttpRequest) -> Any:
    """Who the caller is: role, team and interface language."""
    return _actor(request)


@me_router.patch("", response=MeOut, summary="Change my interface language")
def me_patch(request: HttpRequest, payload: MePatchIn) -> Any:
    """Set the language of the caller's interface and API messages."""
    actor = _actor(request)
    if "language" in payload.model_fields_set:
        services.user_set_language(actor=actor, user=actor, language=payload.language)
    return actor


@me_router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def me_tokens(request: HttpRequest) -> Any:
    """The caller's API tokens, newest first. Keys are never shown again after creation."""
    return selectors.api_tokens_of(_actor(request))


@me_router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def me_token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """Issue a personal API key. The response holds the key; it cannot be read later."""
    actor = _actor(request)
    token, key = services.api_token_create(actor=actor, user=actor, name=payload.name)
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "key": key})


@me_router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
def me_token_revoke(request: HttpRequest, token_id: Id) -> Any:
    """Revoke one of the caller's tokens at once. Other people's tokens are not found."""
    actor = _actor(request)
    token = _found(selectors.api_token_of(user=actor, pk=token_id))
    services.api_token_revoke(actor=actor, token=token)
    return Status(204, None)


# --- users ----------------------------------------------------------------------------------------


@router.get("/users", response=UserListOut, summary="List people")
def users_list(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    """People with team, profile and skills, filtered and paged by ``limit``/``offset``."""
    _require(request, Cap.ORG_VIEW)
    qs = selectors.users(role=filters.role or "", team_id=filters.team, text=filters.q, active=filters.active)
    return {"count": qs.count(), "items": list(qs[filters.offset : filters.offset + filters.limit])}


@router.post("/users", response={201: UserDetailOut}, summary="Create a person")
def users_create(request: HttpRequest, payload: UserCreateIn) -> Any:
    """Create an account; staff members also get a staff profile."""
    actor = _require(request, Cap.ORG_MANAGE)
    data = payload.model_dump(exclude={"team_id"})
    with _api_fields(team="team_id"):
        user = services.user_create(actor=actor, team=_team_ref(payload.team_id, "team_id"), **data)
    return Status(201, _found(selectors.user_detail(user.pk)))


@router.get("/users/{user_id}", response=UserDetailOut, summary="One person")
def users_get(request: HttpRequest, user_id: Id) -> Any:
    """A person with profile, skills (with levels) and certificates."""
    _require(request, Cap.ORG_VIEW)
    return _user_or_404(user_id)


@router.patch("/users/{user_id}", response=UserDetailOut, summary="Change a person")
def users_patch(request: HttpRequest, user_id: Id, payload: UserPatchIn) -> Any:
    """Change only the fields given; ``team_id: null`` takes the person out of their team."""
    actor = _require(request, Cap.ORG_MANAGE)
    user = _user_or_404(user_id)
    data = payload.model_dump(exclude_unset=True)
    with _api_fields(team="team_id"):
        if "team_id" in data:
            data["team"] = _team_ref(data.pop("team_id"), "team_id")
        services.user_update(actor=actor, user=user, **data)
    return _user_or_404(user_id)


@router.patch("/users/{user_id}/profile", response=ProfileOut, summary="Change a staff profile")
def users_profile_patch(request: HttpRequest, user_id: Id, payload: ProfilePatchIn) -> Any:
    """Change employment facts; status ``left`` needs ``left_on`` and closes the account."""
    actor = _require(request, Cap.ORG_MANAGE)
    user = _user_or_404(user_id)
    profile = _found(getattr(user, "profile", None))
    return services.staff_profile_update(actor=actor, profile=profile, **payload.model_dump(exclude_unset=True))


@router.put("/users/{user_id}/skills", response=AgentSkillOut, summary="Give a skill or change its level")
def users_skill_set(request: HttpRequest, user_id: Id, payload: AgentSkillIn) -> Any:
    """Give a staff member a skill at a level from 1 to 5, or change the level."""
    actor = _require(request, Cap.ORG_MANAGE)
    user = _user_or_404(user_id)
    skill = selectors.skill_by_pk(payload.skill_id)
    if skill is None:
        raise DomainError(_("There is no skill with this id."), field="skill_id", code="not_found")
    with _api_fields(skill="skill_id"):
        return services.agent_skill_set(actor=actor, user=user, skill=skill, level=payload.level)


@router.delete("/users/{user_id}/skills/{skill_id}", response={204: None}, summary="Take a skill away")
def users_skill_remove(request: HttpRequest, user_id: Id, skill_id: Id) -> Any:
    """Remove a skill from a person; 404 when they do not hold it."""
    actor = _require(request, Cap.ORG_MANAGE)
    held = _found(selectors.user_skill(user_id=user_id, skill_id=skill_id))
    services.agent_skill_remove(actor=actor, agent_skill=held)
    return Status(204, None)


@router.post("/users/{user_id}/certificates", response={201: CertificateOut}, summary="Record a certificate")
def users_certificate_add(request: HttpRequest, user_id: Id, payload: CertificateIn) -> Any:
    """Record a certificate a staff member holds."""
    actor = _require(request, Cap.ORG_MANAGE)
    user = _user_or_404(user_id)
    return Status(201, services.certificate_add(actor=actor, user=user, **payload.model_dump()))


@router.delete("/certificates/{certificate_id}", response={204: None}, summary="Delete a certificate")
def certificate_remove(request: HttpRequest, certificate_id: Id) -> Any:
    """Delete a certificate recorded by mistake; the audit trail keeps what it said."""
    actor = _require(request, Cap.ORG_MANAGE)
    certificate = _found(Certificate.objects.filter(pk=certificate_id).first())
    services.certificate_remove(actor=actor, certificate=certificate)
    return Status(204, None)


# --- teams --------------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut], summary="List teams")
def teams_list(request: HttpRequest, filters: Query[TeamFilters]) -> Any:
    """Teams with their lead and number of active members."""
    _require(request, Cap.ORG_VIEW)
    return selectors.teams(active=filters.active)


def _team_detail(team_id: int) -> dict[str, Any]:
    team = _found(selectors.team_detail(team_id))
    return {**TeamOut.model_validate(team).model_dump(), "members": list(selectors.team_members(team))}


@router.post("/teams", response={201: TeamDetailOut}, summary="Create a team")
def teams_create(request: HttpRequest, payload: TeamIn) -> Any:
    """Create a team; its lead becomes a member of it."""
    actor = _require(request, Cap.ORG_MANAGE)
    with _api_fields(lead="lead_id"):
        lead = _user_ref(payload.lead_id, "lead_id")
        team = services.team_create(actor=actor, lead=lead, **payload.model_dump(exclude={"lead_id"}))
    return Status(201, _team_detail(team.pk))


@router.get("/teams/{team_id}", response=TeamDetailOut, summary="One team")
def teams_get(request: HttpRequest, team_id: Id) -> Any:
    """A team with its lead and active members."""
    _require(request, Cap.ORG_VIEW)
    return _team_detail(team_id)


@router.patch("/teams/{team_id}", response=TeamDetailOut, summary="Change a team")
def teams_patch(request: HttpRequest, team_id: Id, payload: TeamPatchIn) -> Any:
    """Change only the fields given; ``lead_id: null`` leaves the team without a lead."""
    actor = _require(request, Cap.ORG_MANAGE)
    team = _found(selectors.team_detail(team_id))
    data = payload.model_dump(exclude_unset=True)
    with _api_fields(lead="lead_id"):
        if "lead_id" in data:
            data["lead"] = _user_ref(data.pop("lead_id"), "lead_id")
        services.team_update(actor=actor, team=team, **data)
    return _team_detail(team_id)


# --- skills -------------------------------------------------------------------------------------


@router.get("/skills", response=list[SkillOut], summary="List skills")
def skills_list(request: HttpRequest, filters: Query[SkillFilters]) -> Any:
    """Skills with the number of people holding each, by kind."""
    _require(request, Cap.ORG_VIEW)
    return selectors.skills(kind=filters.kind or "", active=filters.active)


def _skill_out(skill_id: int) -> Skill:
    return _found(selectors.skills().filter(pk=skill_id).first())


@router.post("/skills", response={201: SkillOut}, summary="Create a skill")
def skills_create(request: HttpRequest, payload: SkillIn) -> Any:
    """Add a skill that tickets can require and agents can hold."""
    actor = _require(request, Cap.ORG_MANAGE)
    skill = services.skill_create(actor=actor, **payload.model_dump())
    return Status(201, _skill_out(skill.pk))


@router.get("/skills/{skill_id}", response=SkillOut, summary="One skill")
def skills_get(request: HttpRequest, skill_id: Id) -> Any:
    _require(request, Cap.ORG_VIEW)
    return _skill_out(skill_id)


@router.patch("/skills/{skill_id}", response=SkillOut, summary="Change a skill")
def skills_patch(request: HttpRequest, skill_id: Id, payload: SkillPatchIn) -> Any:
    """Rename, re-code or retire a skill; its kind is fixed once created."""
    actor = _require(request, Cap.ORG_MANAGE)
    skill = _found(selectors.skill_by_pk(skill_id))
    services.skill_update(actor=actor, skill=skill, **payload.model_dump(exclude_unset=True))
    return _skill_out(skill_id)
