"""Request and response shapes of the organisation API (``/api/me`` and ``/api/org``).

Input schemas forbid unknown fields and bound every length and range, so a bad request is
answered with 422 naming the field before any service runs. PATCH schemas tell "omitted" from
"null": an omitted field keeps its value (read ``model_fields_set`` / ``exclude_unset``); null is
accepted only where it means "clear" (``team_id``, ``lead_id``, ``left_on``) and is a type error
everywhere else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from sqm.core.roles import Role
from sqm.org.models import CustomerTier, SkillKind, StaffStatus

# --- building blocks ---------------------------------------------------------------------------

LanguageCode = Literal["zh-hans", "en"]
#: The empty string means "follow the browser's language".
LanguageChoice = Literal["zh-hans", "en", ""]
#: A database id: positive and within a 64-bit integer (larger numbers would overflow the database).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


#: Any text without NUL characters (which PostgreSQL cannot store).
NO_NUL = r"^[^\x00]*$"


def bounds(max_length: int, *, min_length: int = 0, pattern: str = NO_NUL) -> StringConstraints:
    """Strip surrounding blanks, then bound the length and check the format."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable() -> Any:
    """Default of a PATCH field: absent from the request means "leave as it is".

    The field's type stays non-nullable, so an explicit ``null`` fails validation; the
    OpenAPI schema shows no (misleading) ``null`` default.
    """
    return Field(default=None, json_schema_extra=_no_default)


EMAIL_PATTERN = r"^([^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+)?$"
Username = Annotated[str, bounds(150, min_length=1)]
DisplayName = Annotated[str, bounds(100, min_length=1)]
Email = Annotated[str, bounds(254, pattern=EMAIL_PATTERN)]
Phone = Annotated[str, bounds(32)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=NO_NUL)]
EmployeeNo = Annotated[str, bounds(32, min_length=1)]
JobTitle = Annotated[str, bounds(100)]
TeamName = Annotated[str, bounds(100, min_length=1)]
TeamCode = Annotated[str, bounds(20, min_length=1)]
Description = Annotated[str, bounds(2000)]
SkillCode = Annotated[str, bounds(40, min_length=1)]
SkillName = Annotated[str, bounds(100, min_length=1)]
CertName = Annotated[str, bounds(200, min_length=1)]
CertIssuer = Annotated[str, bounds(200)]
CertNumber = Annotated[str, bounds(100)]
TokenName = Annotated[str, bounds(100, min_length=1)]
SearchText = Annotated[str, bounds(100)]
OptionalEmployeeNo = Annotated[str, bounds(32)]
Level = Annotated[int, Field(ge=1, le=5)]


class InputSchema(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


# --- references embedded in other responses ---------------------------------------------------


class TeamRef(Schema):
    id: int
    code: str
    name: str


class UserRef(Schema):
    id: int
    username: str
    display_name: str
    role: str


class SkillRef(Schema):
    id: int
    kind: str
    code: str
    name: str
    name_zh: str
    name_en: str


# --- /api/me ----------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    team: TeamRef | None
    language: str
    email: str


class MePatchIn(InputSchema):
    language: LanguageCode = omittable()


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The API key. It is shown only in this response; store it now.")


class TokenIn(InputSchema):
    name: TokenName


# --- users --------------------------------------------------------------------------------------


class ProfileOut(Schema):
    employee_no: str
    hire_date: dt.date
    status: str
    left_on: dt.date | None
    title: str


class AgentSkillOut(Schema):
    skill: SkillRef
    level: int


class CertificateOut(Schema):
    id: int
    user_id: int
    name: str
    issuer: str
    number: str
    issued_on: dt.date
    expires_on: dt.date | None


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    email: str
    phone: str
    language: str
    is_active: bool
    customer_tier: str = Field(description="standard, vip or key_account (customers only).")
    team: TeamRef | None
    profile: ProfileOut | None
    skills: list[AgentSkillOut]

    @staticmethod
    def resolve_profile(obj: Any) -> Any:
        return getattr(obj, "profile", None)

    @staticmethod
    def resolve_skills(obj: Any) -> list[Any]:
        return list(obj.skills.all())


class UserDetailOut(UserOut):
    certificates: list[CertificateOut]

    @staticmethod
    def resolve_certificates(obj: Any) -> list[Any]:
        return list(obj.certificates.all())


class UserListOut(Schema):
    items: list[UserOut]
    count: int


class UserFilters(InputSchema):
    role: Role | None = None
    team: Id | None = Field(default=None, description="Team id.")
    q: SearchText = Field(default="", description="Part of the user name, name, e-mail or employee number.")
    active: bool | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=10_000_000)


class UserCreateIn(InputSchema):
    username: Username
    display_name: DisplayName
    role: Role
    email: Email = ""
    phone: Phone = ""
    team_id: Id | None = None
    language: LanguageChoice = ""
    password: Password | None = Field(default=None, description="Leave out for an account that cannot sign in yet.")
    employee_no: OptionalEmployeeNo = Field(default="", description="Staff only; a number is assigned when empty.")
    hire_date: dt.date | None = Field(default=None, description="Staff only; today when empty.")
    title: JobTitle = ""
    customer_tier: CustomerTier = Field(
        default=CustomerTier.STANDARD, description="Customers only: the tier SLA policies may name."
    )


class UserPatchIn(InputSchema):
    display_name: DisplayName = omittable()
    email: Email = omittable()
    phone: Phone = omittable()
    role: Role = omittable()
    team_id: Id | None = Field(default=None, description="null takes the user out of their team.")
    language: LanguageChoice = omittable()
    is_active: bool = omittable()
    customer_tier: CustomerTier = omittable()


class ProfilePatchIn(InputSchema):
    employee_no: EmployeeNo = omittable()
    hire_date: dt.date = omittable()
    status: StaffStatus = omittable()
    left_on: dt.date | None = Field(default=None, description="Required when the status is “left”.")
    title: JobTitle = omittable()


class AgentSkillIn(InputSchema):
    skill_id: Id
    level: Level


class CertificateIn(InputSchema):
    name: CertName
    issuer: CertIssuer = ""
    number: CertNumber = ""
    issued_on: dt.date
    expires_on: dt.date | None = None


# --- teams --------------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    code: str
    lead: UserRef | None
    description: str
    is_active: bool
    member_count: int
    created_at: dt.datetime


class TeamDetailOut(TeamOut):
    members: list[UserRef]


class TeamFilters(InputSchema):
    active: bool | None = None


class TeamIn(InputSchema):
    name: TeamName
    code: TeamCode
    lead_id: Id | None = None
    description: Description = ""


class TeamPatchIn(InputSchema):
    name: TeamName = omittable()
    code: TeamCode = omittable()
    lead_id: Id | None = Field(default=None, description="null leaves the team without a lead.")
    description: Description = omittable()
    is_active: bool = omittable()


# --- skills ------------------------------------------------------------------------------------


class SkillOut(SkillRef):
    is_active: bool
    holder_count: int


class SkillFilters(InputSchema):
    kind: SkillKind | None = None
    active: bool | None = None


class SkillIn(InputSchema):
    kind: SkillKind
    code: SkillCode
    name_zh: SkillName
    name_en: SkillName


class SkillPatchIn(InputSchema):
    code: SkillCode = omittable()
    name_zh: SkillName = omittable()
    name_en: SkillName = omittable()
    is_active: bool = omittable()
