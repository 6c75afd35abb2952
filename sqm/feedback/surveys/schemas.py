"""Request and response shapes of the survey, return-visit and mystery-shopper API.

Inputs forbid unknown fields and bound lengths (422 naming the field); the rules that need the
survey's questions (values within a question's scale, options offered, weights adding up to 100,
questions of this survey) or the database are the services' and answer 400 naming the field,
e.g. ``answers.12.perception``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from sqm.feedback.surveys.models import (
    Dimension,
    MysteryChannel,
    QuestionKind,
    SurveyKind,
    VisitOutcome,
)
from sqm.org.schemas import Id, InputSchema, bounds, omittable

Title = Annotated[str, bounds(200, min_length=1)]
OptionalTitle = Annotated[str, bounds(200)]
LongText = Annotated[str, bounds(2000)]
RequiredLong = Annotated[str, bounds(2000, min_length=1)]
Wording = Annotated[str, bounds(500, min_length=1)]
OptionalWording = Annotated[str, bounds(500)]
Code = Annotated[str, bounds(20)]
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]
SurveyKindIn = Literal[tuple(SurveyKind.values)]  # type: ignore[valid-type]
QuestionKindIn = Literal[tuple(QuestionKind.values)]  # type: ignore[valid-type]
DimensionIn = Literal[tuple(["", *Dimension.values])]  # type: ignore[valid-type]
OutcomeChoice = Literal[tuple(VisitOutcome.values)]  # type: ignore[valid-type]
ChannelIn = Literal[tuple(MysteryChannel.values)]  # type: ignore[valid-type]


class PersonRef(Schema):
    id: int
    display_name: str


# --- surveys ---------------------------------------------------------------------------------------


class OptionSchema(InputSchema):
    code: Annotated[str, bounds(20, min_length=1)]
    zh: Annotated[str, bounds(100, min_length=1)]
    en: Annotated[str, bounds(100)] = ""


class QuestionOut(Schema):
    id: int
    position: int
    code: str
    kind: str
    text_zh: str
    text_en: str
    required: bool
    scale_max: int | None = Field(description="5 or 7 for rating scales and SERVQUAL items, 10 for NPS.")
    dimension: str = Field(description="SERVQUAL dimension of an expectation/perception item.")
    options: list[dict[str, str]]


class DistributionOut(Schema):
    id: int
    created_at: dt.datetime
    closed_from: dt.date
    closed_to: dt.date
    team_id: int | None
    ticket_type: str
    sample_size: int
    seed: int = Field(description="Draw the same sample again: random.Random(seed).sample(population, n).")
    population: int
    population_sha256: str = Field(description="SHA-256 over the ascending customer ids, comma-separated.")
    invited: int
    expires_at: dt.datetime


class SurveyBriefOut(Schema):
    id: int
    kind: str
    title_zh: str
    title_en: str
    status: str
    is_template: bool
    template_code: str
    questions: int
    invited: int
    responses: int
    created_at: dt.datetime

    @staticmethod
    def resolve_questions(obj: Any) -> int:
        return int(getattr(obj, "n_questions", 0))

    @staticmethod
    def resolve_invited(obj: Any) -> int:
        return int(getattr(obj, "n_invited", 0))

    @staticmethod
    def resolve_responses(obj: Any) -> int:
        return int(getattr(obj, "n_responses", 0))


class SurveyOut(Schema):
    id: int
    kind: str
    title_zh: str
    title_en: str
    intro_zh: str
    intro_en: str
    status: str
    is_template: bool
    template_code: str
    source_id: int | None
    created_at: dt.datetime
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    questions: list[QuestionOut]
    distributions: list[DistributionOut]

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return list(obj.questions.all())

    @staticmethod
    def resolve_distributions(obj: Any) -> list[Any]:
        return list(obj.distributions.all())


class SurveyIn(InputSchema):
    title_zh: Title
    title_en: OptionalTitle = ""
    intro_zh: LongText = ""
    intro_en: LongText = ""
    kind: SurveyKindIn = "custom"


class SurveyPatchIn(InputSchema):
    title_zh: Title = omittable()
    title_en: OptionalTitle = omittable()
    intro_zh: LongText = omittable()
    intro_en: LongText = omittable()


class QuestionIn(InputSchema):
    kind: QuestionKindIn
    text_zh: Wording
    text_en: OptionalWording = ""
    required: bool = True
    scale_max: int | None = Field(default=None, description="5 or 7 (rating scales, SERVQUAL items).")
    dimension: DimensionIn = ""
    options: list[OptionSchema] | None = Field(default=None, max_length=20)
    code: Code = ""


class QuestionPatchIn(InputSchema):
    kind: QuestionKindIn = omittable()
    text_zh: Wording = omittable()
    text_en: OptionalWording = omittable()
    required: bool = omittable()
    scale_max: int = omittable()
    dimension: DimensionIn = omittable()
    options: Annotated[list[OptionSchema], Field(max_length=20)] = omittable()
    code: Code = omittable()
    position: Annotated[int, Field(ge=1, le=100, description="Move the question here (1 is first).")] = omittable()


class DistributionIn(InputSchema):
    closed_from: dt.date = Field(description="Customers with a ticket closed on or after this day…")
    closed_to: dt.date = Field(description="…and on or before this day (centre time).")
    sample_size: int = Field(ge=1, le=5000)
    team_id: Id | None = None
    ticket_type: Annotated[str, bounds(16)] = ""
    seed: Seed | None = Field(default=None, description="Leave out to draw one at random (it is recorded).")
    days: int | None = Field(default=None, ge=1, le=90, description="How long the links work (default 14 days).")


class BarOut(Schema):
    label: str
    count: int
    share: Decimal | None = Field(description="Per cent of the question's answers.")


class WeightOut(Schema):
    label: str
    points: Decimal | None


class QuestionResultOut(Schema):
    question_id: int
    kind: str
    text: str
    dimension: str
    answered: int
    average: Decimal | None
    nps: Decimal | None = Field(description="% promoters (9–10) − % detractors (0–6).")
    promoters: int
    passives: int
    detractors: int
    mean_expectation: Decimal | None
    mean_perception: Decimal | None
    gap: Decimal | None = Field(description="Mean perception − mean expectation.")
    bars: list[BarOut]
    texts: list[str]
    weights: list[WeightOut]


class DimensionOut(Schema):
    code: str
    label: str
    items: int
    mean_expectation: Decimal | None
    mean_perception: Decimal | None
    gap: Decimal | None
    weight: Decimal | None = Field(description="Mean importance points (of 100).")


class ServqualOut(Schema):
    dimensions: list[DimensionOut]
    overall_gap: Decimal | None = Field(description="Mean of the five dimension gaps.")
    weighted: Decimal | None = Field(description="Mean over respondents of Σ weight × dimension gap / 100.")
    weighted_respondents: int


class ResultsOut(Schema):
    survey_id: int
    invited: int
    responded: int
    response_rate: Decimal | None = Field(description="Per cent of the invited who answered.")
    questions: list[QuestionResultOut]
    servqual: ServqualOut | None


# --- answering (public) ------------------------------------------------------------------------------


class PublicOptionOut(Schema):
    code: str
    label: str


class PublicQuestionOut(Schema):
    id: int
    kind: str
    text: str
    required: bool
    scale: list[int] = Field(description="The values accepted (ratings, NPS, SERVQUAL items).")
    dimension: str
    options: list[PublicOptionOut]


class PublicSurveyOut(Schema):
    title: str
    intro: str
    expires_at: dt.datetime
    questions: list[PublicQuestionOut]


class AnswerItemIn(InputSchema):
    question_id: Id
    value: int | None = Field(default=None, description="Rating scale or NPS.")
    expectation: int | None = Field(default=None, description="SERVQUAL item: what an excellent centre would do.")
    perception: int | None = Field(default=None, description="SERVQUAL item: what this centre does.")
    choices: list[Annotated[str, bounds(20)]] = Field(default_factory=list, max_length=20)
    text: Annotated[str, bounds(2000)] = ""
    points: dict[Annotated[str, bounds(20)], int] = Field(
        default_factory=dict, description="Importance weights: dimension → points, 100 in all."
    )


class ResponseIn(InputSchema):
    token: Annotated[str, bounds(300, min_length=1)] = Field(description="The token of the invitation link.")
    language: Literal["zh-hans", "en", ""] = ""
    answers: list[AnswerItemIn] = Field(max_length=100)


class ResponseOut(Schema):
    id: int
    survey_id: int
    submitted_at: dt.datetime
    answers: int

    @staticmethod
    def resolve_answers(obj: Any) -> int:
        return obj.answers.count()


# --- return visits ---------------------------------------------------------------------------------


class CustomerRef(Schema):
    id: int
    display_name: str
    phone: str


class TicketRef(Schema):
    id: int
    number: str
    subject: str
    status: str
    customer: CustomerRef


class CallOut(Schema):
    at: dt.datetime
    agent_id: int | None
    outcome: str
    notes: str


class ReturnVisitOut(Schema):
    id: int
    ticket: TicketRef
    closed_at: dt.datetime
    team_id: int | None
    agent: PersonRef | None
    handled_by: PersonRef | None
    due_on: dt.date
    status: str
    attempts: int
    outcome: str
    notes: str
    reopened: bool
    calls: list[CallOut]
    created_at: dt.datetime
    completed_at: dt.datetime | None

    @staticmethod
    def resolve_calls(obj: Any) -> list[Any]:
        return list(obj.calls.all())


class ReturnVisitPageOut(Schema):
    items: list[ReturnVisitOut]
    count: int


class OutcomeIn(InputSchema):
    outcome: OutcomeChoice
    notes: LongText = ""


class ReassignIn(InputSchema):
    agent_id: Id


# --- mystery shoppers ----------------------------------------------------------------------------


class EvidenceIn(InputSchema):
    name: Annotated[str, bounds(200, min_length=1)]
    content_base64: str = Field(description="The file, base64-encoded (the request body is limited to 5 MB).")


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


class MysteryIn(InputSchema):
    channel: ChannelIn
    visited_at: dt.datetime = Field(description="With its time zone, e.g. 2026-05-04T10:30:00+08:00.")
    scenario: RequiredLong
    team_id: Id | None = None
    place: OptionalTitle = ""
    agent_id: Id | None = None
    attitude: int = Field(ge=1, le=5)
    attitude_comment: LongText = ""
    professionalism: int = Field(ge=1, le=5)
    professionalism_comment: LongText = ""
    timeliness: int = Field(ge=1, le=5)
    timeliness_comment: LongText = ""
    environment: int = Field(ge=1, le=5)
    environment_comment: LongText = ""
    sop: int = Field(ge=1, le=5, description="Compliance with the SOP.")
    sop_comment: LongText = ""
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=10)


class EvidenceAddIn(InputSchema):
    files: list[EvidenceIn] = Field(min_length=1, max_length=10)


class ReviewIn(InputSchema):
    verdict: Literal["accepted", "rejected"]
    note: LongText = ""


class MysteryOut(Schema):
    id: int
    shopper: PersonRef
    channel: str
    team_id: int | None
    place: str
    agent: PersonRef | None
    visited_at: dt.datetime
    scenario: str
    attitude: int
    attitude_comment: str
    professionalism: int
    professionalism_comment: str
    timeliness: int
    timeliness_comment: str
    environment: int
    environment_comment: str
    sop: int
    sop_comment: str
    total: int = Field(description="Sum of the five scores (5–25).")
    percent: Decimal
    status: str
    reviewed_by: PersonRef | None
    reviewed_at: dt.datetime | None
    review_note: str
    evidence: list[EvidenceOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_evidence(obj: Any) -> list[Any]:
        return list(obj.evidence.all())
