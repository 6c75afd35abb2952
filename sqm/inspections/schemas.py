"""Request and response shapes of the quality-inspection API (``/api/inspections``).

Inputs forbid unknown fields and bound every length and range (422 naming the field); the rules
that need the database (points within an item's scale, the appeal deadline, who may appeal or
decide) are the services' and answer 400 naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from sqm.inspections.models import (
    AppealOutcome,
    CalibrationStatus,
    InspectionStatus,
    PlanStatus,
    SampleReason,
    ScorecardStatus,
)
from sqm.org.schemas import Id, InputSchema, bounds, omittable

Code = Annotated[str, bounds(40, min_length=1)]
Name = Annotated[str, bounds(120, min_length=1)]
OptionalName = Annotated[str, bounds(120)]
ShortText = Annotated[str, bounds(200, min_length=1)]
OptionalShort = Annotated[str, bounds(200)]
LongText = Annotated[str, bounds(4000)]
RequiredLong = Annotated[str, bounds(4000, min_length=1)]
Weight = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
Points = Annotated[int, Field(ge=0, le=10)]
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]


# --- references ----------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    display_name: str


class TeamRef(Schema):
    id: int
    code: str
    name: str


class TicketRef(Schema):
    id: int
    number: str
    subject: str
    type: str


# --- scorecards ------------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    section_id: int
    position: int
    text: str
    text_zh: str
    text_en: str
    guidance_zh: str
    guidance_en: str
    weight: Decimal
    critical: bool
    max_points: int


class SectionOut(Schema):
    id: int
    position: int
    name: str
    name_zh: str
    name_en: str
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())


class ScorecardOut(Schema):
    id: int
    code: str
    version: int
    name: str
    status: ScorecardStatus
    effective_from: dt.date | None
    effective_until: dt.date | None


class ScorecardDetailOut(ScorecardOut):
    name_zh: str
    name_en: str
    change_note: str
    weight_sum: Decimal
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj: Any) -> list[Any]:
        return list(obj.sections.all())

    @staticmethod
    def resolve_weight_sum(obj: Any) -> Decimal:
        from sqm.inspections.selectors import weight_sum

        return weight_sum(obj)


class ScorecardCreateIn(InputSchema):
    code: Code
    name_zh: Name
    name_en: OptionalName = ""
    change_note: LongText = ""


class SectionIn(InputSchema):
    name_zh: Annotated[str, bounds(100, min_length=1)]
    name_en: Annotated[str, bounds(100)] = ""
    position: Annotated[int, Field(ge=0, le=32767)] | None = None


class ItemIn(InputSchema):
    section_id: Id
    text_zh: ShortText
    text_en: OptionalShort = ""
    guidance_zh: LongText = ""
    guidance_en: LongText = ""
    weight: Weight
    critical: bool = False
    max_points: Annotated[int, Field(ge=1, le=10)] | None = None
    position: Annotated[int, Field(ge=0, le=32767)] | None = None


class ItemPatchIn(InputSchema):
    text_zh: ShortText = omittable()
    text_en: OptionalShort = omittable()
    guidance_zh: LongText = omittable()
    guidance_en: LongText = omittable()
    weight: Weight = omittable()
    critical: bool = omittable()
    max_points: Annotated[int, Field(ge=1, le=10)] = omittable()
    position: Annotated[int, Field(ge=0, le=32767)] = omittable()


class PublishIn(InputSchema):
    effective_from: dt.date | None = None


class NewVersionIn(InputSchema):
    change_note: LongText = ""


# --- plans -------------------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    name: str
    period_start: dt.date
    period_end: dt.date
    rate: Decimal
    include_complaints: bool
    include_low_ratings: bool
    low_rating_max: int
    scorecard: ScorecardOut | None
    status: PlanStatus
    seed: int | None = Field(description="The seed the draw used (re-check the draw with it).")
    population: int
    sampled: int
    done: int = 0
    achieved_rate: Decimal | None = Field(None, description="Drawn tickets ÷ handled tickets, in per cent.")
    drawn_at: dt.datetime | None

    @staticmethod
    def resolve_done(obj: Any) -> int:
        return getattr(obj, "done", 0)

    @staticmethod
    def resolve_achieved_rate(obj: Any) -> Decimal | None:
        from sqm.inspections.selectors import percent

        return percent(obj.sampled, obj.population)


class StratumOut(Schema):
    agent: PersonRef
    team: TeamRef | None
    ticket_type: str
    handled: int
    quota: int
    sampled: int
    done: int
    sampled_rate: Decimal | None
    done_rate: Decimal | None


class WorkloadOut(Schema):
    inspector_id: int
    name: str
    total: int
    done: int


class PlanDetailOut(PlanOut):
    inputs_digest: str
    result_digest: str
    strata: list[StratumOut]
    workload: list[WorkloadOut]

    @staticmethod
    def resolve_strata(obj: Any) -> list[Any]:
        return obj.strata_rows


class PlanCreateIn(InputSchema):
    period_start: dt.date
    period_end: dt.date | None = None
    name: OptionalName = ""
    rate: Annotated[Decimal, Field(gt=0, le=1, max_digits=5, decimal_places=4)] = Decimal("0.2")
    include_complaints: bool = True
    include_low_ratings: bool = True
    low_rating_max: Annotated[int, Field(ge=1, le=4)] = 2
    scorecard_id: Id | None = None


class DrawIn(InputSchema):
    seed: Seed | None = None


class VerifyOut(Schema):
    ok: bool
    drawn: bool
    seed: int | None
    inputs_ok: bool
    result_ok: bool
    recomputed_digest: str = ""
    stored_digest: str = ""
    reassigned: list[list[int]] = Field(
        default_factory=list, description="[ticket id, drawn inspector id, current inspector id]"
    )
    missing: list[int] = Field(default_factory=list)


# --- inspections ----------------------------------------------------------------------------------------


class AnswerIn(InputSchema):
    item_id: Id
    points: Points | None = None
    not_applicable: bool = False
    comment: LongText = ""
    evidence: Annotated[list[Id], Field(max_length=50)] = Field(default_factory=list)


class AnswersIn(InputSchema):
    answers: Annotated[list[AnswerIn], Field(max_length=200)] = Field(default_factory=list)
    summary: LongText | None = None


class SubmitIn(InputSchema):
    answers: Annotated[list[AnswerIn], Field(max_length=200)] | None = None
    summary: LongText | None = None


class AnswerOut(Schema):
    item_id: int
    stage: str
    points: int | None
    comment: str
    evidence: list[int]


class AppealOut(Schema):
    id: int
    reason: str
    filed_at: dt.datetime
    filed_by: PersonRef
    decided_by: PersonRef | None
    decided_at: dt.datetime | None
    outcome: AppealOutcome | None
    decision_note: str
    original_score: Decimal
    revised_score: Decimal | None

    @staticmethod
    def resolve_outcome(obj: Any) -> str | None:
        return obj.outcome or None


class InspectionOut(Schema):
    id: int
    ticket: TicketRef
    agent: PersonRef
    team: TeamRef | None
    inspector: PersonRef
    scorecard: ScorecardOut
    plan_id: int | None
    calibration_id: int | None
    reason: SampleReason
    status: InspectionStatus
    score: Decimal | None
    failed_critical: bool
    original_score: Decimal | None
    assigned_at: dt.datetime
    submitted_at: dt.datetime | None
    appeal_deadline: dt.datetime | None
    finalised_at: dt.datetime | None


class InspectionDetailOut(InspectionOut):
    summary: str
    answers: list[AnswerOut]
    appeal: AppealOut | None

    @staticmethod
    def resolve_answers(obj: Any) -> list[Any]:
        return list(obj.answers.all())

    @staticmethod
    def resolve_appeal(obj: Any) -> Any:
        return getattr(obj, "appeal", None)


class InspectionListOut(Schema):
    count: int
    items: list[InspectionOut]


class InspectionFilters(Schema):
    agent_id: Id | None = None
    team_id: Id | None = None
    plan_id: Id | None = None
    inspector_id: Id | None = None
    status: InspectionStatus | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class Paging(Schema):
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class AppealIn(InputSchema):
    reason: RequiredLong


class AppealQueueOut(Schema):
    id: int
    inspection: InspectionOut
    reason: str
    filed_at: dt.datetime


class DecideIn(InputSchema):
    outcome: AppealOutcome
    note: RequiredLong
    answers: Annotated[list[AnswerIn], Field(max_length=200)] = Field(default_factory=list)


# --- calibration ---------------------------------------------------------------------------------------


class CalibrationOut(Schema):
    id: int
    name: str
    scorecard: ScorecardOut
    status: CalibrationStatus
    created_at: dt.datetime
    total: int = 0
    done: int = 0

    @staticmethod
    def resolve_total(obj: Any) -> int:
        return getattr(obj, "total", 0)

    @staticmethod
    def resolve_done(obj: Any) -> int:
        return getattr(obj, "done", 0)


class CalibrationCreateIn(InputSchema):
    name: Name
    ticket_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
    inspector_ids: Annotated[list[Id], Field(min_length=2, max_length=12)]
    scorecard_id: Id | None = None
    note: LongText = ""


class ItemAgreementOut(Schema):
    item_id: int
    text: str
    scores: dict[str, list[int | None]] = Field(description="inspector id → points per ticket, in ticket order")
    sd: Decimal | None
    range: Decimal | None
    alpha: Decimal | None


class DeviationOut(Schema):
    inspector: PersonRef
    scored: int
    mean_deviation: Decimal | None
    mean_abs_deviation: Decimal | None
    alpha_without: Decimal | None


class CalibrationReportOut(Schema):
    session: CalibrationOut
    ticket_ids: list[int]
    inspectors: list[PersonRef]
    items: list[ItemAgreementOut]
    alpha_overall: Decimal | None
    alpha_scores: Decimal | None
    deviations: list[DeviationOut]
    submitted: int
    expected: int


# --- agents ---------------------------------------------------------------------------------------------


class TrainingNeedOut(Schema):
    id: int
    item_id: int
    item_text: str
    inspection_id: int
    note: str
    status: str
    created_at: dt.datetime

    @staticmethod
    def resolve_item_text(obj: Any) -> str:
        return obj.item.text


class AgentOut(Schema):
    agent: PersonRef
    count: int
    average: Decimal | None
    failed_critical: int
    appealed: int
    training_needs: list[TrainingNeedOut]
