"""Request and response shapes of the standards API (``/api/standards``).

Inputs forbid unknown fields and bound every length, so a malformed request gets 422 naming the
field before any service runs; business rules (threshold order, weights, dates…) answer 400 from
the services. Decimal values travel as strings (``"92.5"``) so nothing is lost to floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from sqm.org.schemas import InputSchema, bounds, omittable
from sqm.standards.catalogue import KpiCode
from sqm.standards.models import (
    EvidenceKind,
    ProposalKind,
    ProposalStatus,
    ScopeDimension,
    SopKind,
    StandardCategory,
    VersionStatus,
)

Code = Annotated[str, bounds(40, min_length=1)]
Name = Annotated[str, bounds(120, min_length=1)]
Title = Annotated[str, bounds(200)]
Text = Annotated[str, bounds(20000)]
Note = Annotated[str, bounds(5000)]
Number = Annotated[Decimal, Field(max_digits=12, decimal_places=4)]


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _omit(**bounds_: Any) -> Any:
    """Like ``omittable()`` for numbers with bounds: absent means "leave as it is"."""
    return Field(default=None, json_schema_extra=_drop_default, **bounds_)


# --- output ----------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    display_name: str


class VersionRef(Schema):
    id: int
    number: int
    status: VersionStatus
    effective_from: dt.date | None
    effective_until: dt.date | None


class StandardOut(Schema):
    id: int
    code: str
    category: StandardCategory
    name: str
    name_zh: str
    name_en: str
    is_retired: bool
    in_force: VersionRef | None = Field(
        default=None, description="The version in force on the day asked (default today)."
    )

    @staticmethod
    def resolve_in_force(obj: Any) -> Any:
        return getattr(obj, "in_force", None)


class StandardListOut(Schema):
    count: int
    on: dt.date
    items: list[StandardOut]


class StandardDetailOut(StandardOut):
    owner: UserRef | None
    versions: list[VersionRef]

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        rows = getattr(obj, "versions_list", None)
        return rows if rows is not None else list(obj.versions.order_by("-number"))


class ClauseOut(Schema):
    id: int
    number: str
    position: int
    title: str
    title_zh: str
    title_en: str
    body: str
    body_zh: str
    body_en: str
    sop_kind: str
    ticket_types: list[str]


class IndicatorOut(Schema):
    id: int
    code: str
    position: int
    name: str
    name_zh: str
    name_en: str
    kpi: KpiCode
    unit: str
    direction: str
    target: Decimal
    yellow: Decimal
    orange: Decimal
    red: Decimal
    weight: Decimal
    scope: ScopeDimension
    scope_key: str
    min_volume: int
    review_margin: Decimal
    review_periods: int


class SlaTermOut(Schema):
    id: int
    policy_code: str
    name: str
    ticket_type: str
    priority: str
    tier: str
    response_minutes: int
    resolution_minutes: int
    warn_fraction: Decimal
    escalate_after_minutes: int
    calendar_id: int | None
    policy_id: int | None
    policy_version: int | None = None

    @staticmethod
    def resolve_policy_version(obj: Any) -> int | None:
        return obj.policy.version if obj.policy_id else None


class VersionOut(VersionRef):
    standard: StandardOut
    title: str
    title_zh: str
    title_en: str
    purpose_zh: str
    purpose_en: str
    change_note: str
    proposal_id: int | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: UserRef | None
    review_note: str
    clauses: list[ClauseOut]
    indicators: list[IndicatorOut]
    sla_terms: list[SlaTermOut]

    @staticmethod
    def resolve_clauses(obj: Any) -> list[Any]:
        return list(obj.clauses.all())

    @staticmethod
    def resolve_indicators(obj: Any) -> list[Any]:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_sla_terms(obj: Any) -> list[Any]:
        return list(obj.sla_terms.all())


class InForceIndicatorOut(IndicatorOut):
    standard_id: int
    standard_code: str
    version_id: int
    version_number: int

    @staticmethod
    def resolve_standard_id(obj: Any) -> int:
        return int(obj.version.standard_id)

    @staticmethod
    def resolve_standard_code(obj: Any) -> str:
        return str(obj.version.standard.code)

    @staticmethod
    def resolve_version_number(obj: Any) -> int:
        return int(obj.version.number)


class EvidenceOut(Schema):
    kind: str
    reference: str
    note: str = ""


class ProposalOut(Schema):
    id: int
    standard_id: int
    standard_code: str
    base_version: VersionRef
    indicator_code: str
    kind: ProposalKind
    status: ProposalStatus
    title: str
    heading: str
    rationale: str
    evidence: list[EvidenceOut]
    is_automatic: bool
    raised_by: UserRef | None
    created_at: dt.datetime
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_note: str
    result_version_id: int | None

    @staticmethod
    def resolve_standard_code(obj: Any) -> str:
        return str(obj.standard.code)


class ProposalListOut(Schema):
    count: int
    items: list[ProposalOut]


class SopOut(Schema):
    id: int
    number: str
    title: str
    body: str
    sop_kind: SopKind
    ticket_types: list[str]
    standard_id: int
    standard_code: str
    version_id: int
    version_number: int

    @staticmethod
    def resolve_standard_id(obj: Any) -> int:
        return int(obj.version.standard_id)

    @staticmethod
    def resolve_standard_code(obj: Any) -> str:
        return str(obj.version.standard.code)

    @staticmethod
    def resolve_version_number(obj: Any) -> int:
        return int(obj.version.number)


class SegmentOut(Schema):
    op: str
    text: str


class FieldChangeOut(Schema):
    field: str
    label: str
    before: str
    after: str
    segments: list[SegmentOut] | None = None


class ItemDiffOut(Schema):
    key: str
    label: str
    status: str
    changes: list[FieldChangeOut]


class DiffVersionOut(Schema):
    id: int
    number: int
    status: VersionStatus


class DiffOut(Schema):
    old: DiffVersionOut
    new: DiffVersionOut
    has_changes: bool
    header: list[FieldChangeOut]
    clauses: list[ItemDiffOut]
    indicators: list[ItemDiffOut]
    sla_terms: list[ItemDiffOut]


# --- input ------------------------------------------------------------------------------------------


class StandardFilters(InputSchema):
    q: Annotated[str, bounds(100)] = Field(default="", description="Part of the code or name.")
    category: StandardCategory | None = None
    include_retired: bool = False
    on: dt.date | None = Field(default=None, description="Which day's version in force to show (default today).")


class OnDay(InputSchema):
    on: dt.date | None = Field(default=None, description="The day (default today).")


class DiffQuery(InputSchema):
    a: int | None = Field(default=None, ge=1, description="Version id to compare from (default: the one before b).")
    b: int | None = Field(default=None, ge=1, description="Version id to compare to (default: the latest).")


class StandardCreateIn(InputSchema):
    code: Code
    category: StandardCategory
    name_zh: Name
    name_en: Name
    purpose_zh: Text = ""
    purpose_en: Text = ""


class RetireIn(InputSchema):
    note: Annotated[str, bounds(2000)] = ""


class VersionPatchIn(InputSchema):
    title_zh: Annotated[str, bounds(200, min_length=1)] = omittable()
    title_en: Title = omittable()
    purpose_zh: Text = omittable()
    purpose_en: Text = omittable()
    change_note: Text = omittable()


class ClauseIn(InputSchema):
    number: Annotated[str, bounds(20, min_length=1)]
    title_zh: Annotated[str, bounds(200, min_length=1)]
    title_en: Title = ""
    body_zh: Annotated[str, bounds(20000, min_length=1)]
    body_en: Text = ""
    sop_kind: SopKind = SopKind.NONE
    ticket_types: list[Annotated[str, bounds(16)]] = Field(default_factory=list, max_length=10)


class ClausePatchIn(InputSchema):
    number: Annotated[str, bounds(20, min_length=1)] = omittable()
    title_zh: Annotated[str, bounds(200, min_length=1)] = omittable()
    title_en: Title = omittable()
    body_zh: Annotated[str, bounds(20000, min_length=1)] = omittable()
    body_en: Text = omittable()
    sop_kind: SopKind = omittable()
    ticket_types: list[Annotated[str, bounds(16)]] = omittable()


class IndicatorIn(InputSchema):
    code: Code
    name_zh: Name
    name_en: Name
    kpi: KpiCode
    unit: Annotated[str, bounds(30)] = Field(default="", description="Blank: the KPI's own unit.")
    target: Number
    yellow: Number
    orange: Number
    red: Number
    weight: Annotated[Decimal, Field(max_digits=6, decimal_places=2)]
    scope: ScopeDimension = ScopeDimension.CENTRE
    scope_key: Annotated[str, bounds(40)] = ""
    min_volume: int = Field(default=30, ge=0, le=1_000_000)
    review_margin: Annotated[Decimal, Field(max_digits=5, decimal_places=3)] = Decimal("0.1")
    review_periods: int = Field(default=3, ge=1, le=24)


class IndicatorPatchIn(InputSchema):
    code: Code = omittable()
    name_zh: Name = omittable()
    name_en: Name = omittable()
    kpi: KpiCode = omittable()
    unit: Annotated[str, bounds(30)] = omittable()
    target: Number = omittable()
    yellow: Number = omittable()
    orange: Number = omittable()
    red: Number = omittable()
    weight: Annotated[Decimal, Field(max_digits=6, decimal_places=2)] = omittable()
    scope: ScopeDimension = omittable()
    scope_key: Annotated[str, bounds(40)] = omittable()
    min_volume: int = _omit(ge=0, le=1_000_000)
    review_margin: Annotated[Decimal, Field(max_digits=5, decimal_places=3)] = omittable()
    review_periods: int = _omit(ge=1, le=24)


class SlaTermIn(InputSchema):
    policy_code: Code
    name: Annotated[str, bounds(100, min_length=1)]
    ticket_type: Annotated[str, bounds(16)] = ""
    priority: Annotated[str, bounds(8)] = ""
    tier: Annotated[str, bounds(20)] = ""
    response_minutes: int = Field(ge=1, le=525_600)
    resolution_minutes: int = Field(ge=1, le=5_256_000)
    warn_fraction: Annotated[Decimal, Field(max_digits=4, decimal_places=2)] = Decimal("0.75")
    escalate_after_minutes: int = Field(default=60, ge=0, le=100_000)
    calendar_id: int | None = Field(default=None, ge=1)


class SlaTermPatchIn(InputSchema):
    policy_code: Code = omittable()
    name: Annotated[str, bounds(100, min_length=1)] = omittable()
    ticket_type: Annotated[str, bounds(16)] = omittable()
    priority: Annotated[str, bounds(8)] = omittable()
    tier: Annotated[str, bounds(20)] = omittable()
    response_minutes: int = _omit(ge=1, le=525_600)
    resolution_minutes: int = _omit(ge=1, le=5_256_000)
    warn_fraction: Annotated[Decimal, Field(max_digits=4, decimal_places=2)] = omittable()
    escalate_after_minutes: int = _omit(ge=0, le=100_000)
    calendar_id: int | None = Field(default=None, ge=1, description="null: the team's or centre's calendar.")


class ApproveIn(InputSchema):
    effective_from: dt.date
    note: Note = ""


class NoteIn(InputSchema):
    note: Note = ""


class RequiredNoteIn(InputSchema):
    note: Annotated[str, bounds(5000, min_length=1)]


class EvidenceIn(InputSchema):
    kind: EvidenceKind
    reference: Annotated[str, bounds(300, min_length=1)]
    note: Annotated[str, bounds(2000)] = ""


class ProposalCreateIn(InputSchema):
    standard_id: int = Field(ge=1)
    base_version_id: int | None = Field(default=None, ge=1, description="Default: the version in force today.")
    indicator_code: Annotated[str, bounds(40)] = ""
    title: Annotated[str, bounds(200, min_length=1)]
    rationale: Annotated[str, bounds(10000, min_length=1)]
    evidence: list[EvidenceIn] = Field(max_length=20, description="At least one item.")


class ProposalFilters(InputSchema):
    status: ProposalStatus | None = None
    kind: ProposalKind | None = None
    standard_id: int | None = Field(default=None, ge=1)
    automatic: bool | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class SopFilters(InputSchema):
    ticket_type: Annotated[str, bounds(16)] | None = Field(
        default=None, description="Only SOPs that apply to this type."
    )
    category: StandardCategory | None = None
    q: Annotated[str, bounds(100)] = ""
