"""Reads of surveys, return visits and mystery shoppers, and the survey results.

Results are exact: counts are integers, averages and gaps are computed as fractions and rounded
once, to two decimals (half up), when they are shown.

**SERVQUAL** (Zeithaml, Parasuraman and Berry, *Delivering Quality Service*, 1990): for each item
the gap is P − E (perception minus expectation); the survey's item gap is the mean perception
minus the mean expectation over the respondents who answered it; a dimension's gap is the mean of
its items' gaps; the overall (unweighted) gap is the mean of the five dimension gaps. The weighted
score uses each customer's own importance weights (100 points over the five dimensions): for each
respondent who gave weights, Σ weight_d × gap_d / 100 over the dimensions, with gap_d the mean of
that respondent's item gaps in d; the survey's weighted score is the mean over those respondents.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from sqm.core.roles import Cap, can
from sqm.feedback.surveys.models import (
    Answer,
    Dimension,
    Distribution,
    Invitation,
    MysteryVisit,
    Question,
    QuestionKind,
    ReturnVisit,
    ReturnVisitAttempt,
    ReturnVisitStatus,
    Survey,
    SurveyResponse,
)

CENT = Decimal("0.01")
LATEST_TEXTS = 20
PAGE_SIZE = 50


def exact(value: Fraction | int | None, places: Decimal = CENT) -> Decimal | None:
    """A fraction as a decimal rounded half up (None stays None)."""
    if value is None:
        return None
    fraction = Fraction(value)
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(places, ROUND_HALF_UP)


def mean(values: Iterable[Fraction | int]) -> Fraction | None:
    items = [Fraction(v) for v in values]
    return sum(items, Fraction(0)) / len(items) if items else None


def percent(part: int, whole: int) -> Decimal | None:
    return exact(Fraction(part * 100, whole)) if whole else None


# --- surveys ---------------------------------------------------------------------------------------


def surveys() -> QuerySet[Survey]:
    """Surveys, templates last, newest first, with invitation and response counts."""
    return (
        Survey.objects.select_related("created_by")
        .annotate(
            n_questions=_count(Question.objects.filter(survey=OuterRef("pk"))),
            n_invited=_count(Invitation.objects.filter(survey=OuterRef("pk"))),
            n_responses=_count(SurveyResponse.objects.filter(survey=OuterRef("pk"))),
        )
        .order_by("is_template", "-created_at", "-id")
    )


def _count(qs: QuerySet[Any]) -> Any:
    """A correlated COUNT subquery (three joined COUNTs would multiply the rows)."""
    return Coalesce(
        Subquery(qs.order_by().values("survey").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def survey_by_pk(pk: int) -> Survey | None:
    """One survey with its questions (in order) and distributions."""
    return (
        Survey.objects.select_related("created_by", "source")
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id")),
            Prefetch("distributions", queryset=Distribution.objects.select_related("created_by", "team")),
        )
        .filter(pk=pk)
        .first()
    )


def question_by_pk(survey_id: int, pk: int) -> Question | None:
    return Question.objects.select_related("survey").filter(survey_id=survey_id, pk=pk).first()


def invitation_counts(survey_id: int) -> tuple[int, int]:
    """(invited, responded) of a survey."""
    row = Invitation.objects.filter(survey_id=survey_id).aggregate(
        invited=Count("id"), responded=Count("id", filter=Q(responded_at__isnull=False))
    )
    return int(row["invited"] or 0), int(row["responded"] or 0)


@dataclass
class Bar:
    """One bar of a distribution: label, count, share of the answers (per cent)."""

    label: str
    count: int
    share: Decimal | None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    average: Decimal | None = None
    nps: Decimal | None = None  # % promoters − % detractors
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    mean_expectation: Decimal | None = None
    mean_perception: Decimal | None = None
    gap: Decimal | None = None
    texts: list[str] = field(default_factory=list)
    weights: list[tuple[str, Decimal | None]] = field(default_factory=list)  # mean points per dimension


@dataclass
class DimensionResult:
    code: str
    label: str
    items: int
    mean_expectation: Decimal | None
    mean_perception: Decimal | None
    gap: Decimal | None
    weight: Decimal | None  # mean importance points (of 100)


@dataclass
class ServqualResult:
    dimensions: list[DimensionResult]
    overall_gap: Decimal | None  # mean of the dimension gaps
    weighted: Decimal | None  # mean over respondents of Σ w_d × gap_d / 100
    weighted_respondents: int
    raw: dict[str, Any] = field(default_factory=dict)  # the exact fractions, for tests and exports


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    responded: int
    response_rate: Decimal | None
    questions: list[QuestionResult]
    servqual: ServqualResult | None


def _bars(labels: list[tuple[Any, str]], counts: Counter[Any], answered: int) -> list[Bar]:
    return [Bar(label, counts.get(key, 0), percent(counts.get(key, 0), answered)) for key, label in labels]


def servqual_scores(
    items: dict[int, str], answers: Iterable[tuple[int, int, int, int]], weights: dict[int, dict[str, int]]
) -> dict[str, Any]:
    """SERVQUAL arithmetic on plain numbers (exact fractions).

    ``items``: question id → dimension; ``answers``: (response id, question id, expectation,
    perception); ``weights``: response id → {dimension: points}. Returns item gaps, dimension
    means and gaps, the overall gap and the weighted score (see the module docstring).
    """
    per_item_e: dict[int, list[int]] = defaultdict(list)
    per_item_p: dict[int, list[int]] = defaultdict(list)
    per_respondent: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for response_id, qid, expectation, perception in answers:
        if qid not in items:
            continue
        per_item_e[qid].append(expectation)
        per_item_p[qid].append(perception)
        per_respondent[response_id][items[qid]].append(perception - expectation)
    item_gap: dict[int, Fraction] = {}
    for qid in items:
        if per_item_e[qid]:
            item_gap[qid] = (mean(per_item_p[qid]) or Fraction(0)) - (mean(per_item_e[qid]) or Fraction(0))
    dims = [d for d in Dimension.values if d in items.values()]
    dim_gap: dict[str, Fraction] = {}
    dim_e: dict[str, Fraction] = {}
    dim_p: dict[str, Fraction] = {}
    for dim in dims:
        qids = [qid for qid, d in items.items() if d == dim and qid in item_gap]
        if not qids:
            continue
        dim_gap[dim] = mean(item_gap[q] for q in qids) or Fraction(0)
        dim_e[dim] = mean(mean(per_item_e[q]) or Fraction(0) for q in qids) or Fraction(0)
        dim_p[dim] = mean(mean(per_item_p[q]) or Fraction(0) for q in qids) or Fraction(0)
    overall = mean(dim_gap.values())
    weighted_scores = []
    for response_id, points in weights.items():
        gaps = per_respondent.get(response_id)
        if not gaps:
            continue
        total = Fraction(0)
        complete = True
        for dim in dims:
            weight = points.get(dim, 0)
            if not gaps.get(dim):
                if weight:
                    complete = False
                continue
            total += Fraction(weight) * (mean(gaps[dim]) or Fraction(0)) / 100
        if complete:
            weighted_scores.append(total)
    weight_means = {dim: mean(p.get(dim, 0) for p in weights.values()) for dim in dims} if weights else {}
    return {
        "item_gap": item_gap,
        "dimension_gap": dim_gap,
        "dimension_expectation": dim_e,
        "dimension_perception": dim_p,
        "overall_gap": overall,
        "weighted": mean(weighted_scores),
        "weighted_respondents": len(weighted_scores),
        "weight_means": weight_means,
    }


def survey_results(survey: Survey) -> SurveyResults:
    """Per-question distributions and averages, NPS, SERVQUAL gaps and the response rate.
    A fixed number of queries whatever the number of responses."""
    questions = list(survey.questions.order_by("position", "id"))
    invited, responded = invitation_counts(survey.pk)
    rows = list(
        Answer.objects.filter(response__survey_id=survey.pk)
        .order_by("-response__submitted_at", "-response_id")
        .values_list("response_id", "question_id", "number", "expectation", "perception", "choices", "text", "points")
    )
    by_question: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_question[row[1]].append(row)
    results = []
    gap_items: dict[int, str] = {}
    gap_answers: list[tuple[int, int, int, int]] = []
    weights: dict[int, dict[str, int]] = {}
    for question in questions:
        answers = by_question.get(question.pk, [])
        result = QuestionResult(question=question, answered=len(answers))
        kind = question.kind
        if kind in (QuestionKind.RATING, QuestionKind.NPS):
            numbers = [a[2] for a in answers if a[2] is not None]
            counts = Counter(numbers)
            result.bars = _bars([(v, str(v)) for v in question.scale], counts, len(numbers))
            result.average = exact(mean(numbers))
            if kind == QuestionKind.NPS and numbers:
                result.promoters = sum(1 for n in numbers if n >= 9)
                result.detractors = sum(1 for n in numbers if n <= 6)
                result.passives = len(numbers) - result.promoters - result.detractors
                result.nps = exact(Fraction((result.promoters - result.detractors) * 100, len(numbers)))
        elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = Counter(code for a in answers for code in (a[5] or []))
            result.bars = _bars(question.choices, counts, len(answers))
        elif kind == QuestionKind.TEXT:
            result.texts = [a[6] for a in answers[:LATEST_TEXTS] if a[6]]
        elif kind == QuestionKind.GAP:
            pairs = [(a[3], a[4]) for a in answers if a[3] is not None and a[4] is not None]
            result.mean_expectation = exact(mean(e for e, _p in pairs))
            result.mean_perception = exact(mean(p for _e, p in pairs))
            if pairs:
                result.gap = exact(
                    (mean(p for _e, p in pairs) or Fraction(0)) - (mean(e for e, _p in pairs) or Fraction(0))
                )
            if question.dimension:
                gap_items[question.pk] = question.dimension
                gap_answers.extend(
                    (a[0], question.pk, a[3], a[4]) for a in answers if a[3] is not None and a[4] is not None
                )
        elif kind == QuestionKind.WEIGHTS:
            for a in answers:
                weights[a[0]] = {str(k): int(v) for k, v in (a[7] or {}).items()}
            result.weights = [
                (label, exact(mean(int((a[7] or {}).get(code, 0)) for a in answers)))
                for code, label in question.choices
            ]
        results.append(result)
    servqual = None
    if gap_items:
        scores = servqual_scores(gap_items, gap_answers, weights)
        servqual = ServqualResult(
            dimensions=[
                DimensionResult(
                    code=dim,
                    label=str(Dimension(dim).label),
                    items=sum(1 for d in gap_items.values() if d == dim),
                    mean_expectation=exact(scores["dimension_expectation"].get(dim)),
                    mean_perception=exact(scores["dimension_perception"].get(dim)),
                    gap=exact(scores["dimension_gap"].get(dim)),
                    weight=exact(scores["weight_means"].get(dim)),
                )
                for dim in Dimension.values
                if dim in gap_items.values()
            ],
            overall_gap=exact(scores["overall_gap"]),
            weighted=exact(scores["weighted"]),
            weighted_respondents=scores["weighted_respondents"],
            raw=scores,
        )
    return SurveyResults(
        survey=survey,
        invited=invited,
        responded=responded,
        response_rate=percent(responded, invited),
        questions=results,
        servqual=servqual,
    )


def responses(survey_id: int) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(survey_id=survey_id).select_related("customer").order_by("-submitted_at")


# --- return visits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFilters:
    status: str = ""
    team_id: int | None = None
    agent_id: int | None = None
    due_to: dt.date | None = None  # due on or before


def sees_all_return_visits(user: Any) -> bool:
    """Agents (who make the calls) see their own visits; team leads, quality managers, auditors
    and admins see every visit."""
    return can(user, Cap.RETURN_VISIT_VIEW) and not can(user, Cap.RETURN_VISIT_RECORD)


def return_visits(user: Any, filters: VisitFilters | None = None) -> QuerySet[ReturnVisit]:
    """Return visits ``user`` may see, due first, with ticket, customer, team and agent loaded."""
    f = filters or VisitFilters()
    qs = ReturnVisit.objects.select_related(
        "ticket", "ticket__customer", "team", "agent", "handled_by"
    ).prefetch_related(Prefetch("calls", queryset=ReturnVisitAttempt.objects.select_related("agent")))
    if not can(user, Cap.RETURN_VISIT_VIEW):
        return qs.none()
    if not sees_all_return_visits(user):
        qs = qs.filter(agent_id=user.pk)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.team_id is not None:
        qs = qs.filter(team_id=f.team_id)
    if f.agent_id is not None:
        qs = qs.filter(agent_id=f.agent_id)
    if f.due_to is not None:
        qs = qs.filter(due_on__lte=f.due_to)
    return qs.order_by("due_on", "id")


def return_visit_for(user: Any, pk: int) -> ReturnVisit | None:
    return return_visits(user).filter(pk=pk).first()


def return_visit_counts(user: Any) -> dict[str, int]:
    qs = return_visits(user).order_by()
    rows = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: int(rows.get(status, 0)) for status in ReturnVisitStatus.values}


# --- mystery shoppers ------------------------------------------------------------------------------


def sees_all_mystery_visits(user: Any) -> bool:
    """Mystery shoppers see their own visits; reviewers and other readers see all."""
    return can(user, Cap.MYSTERY_VISIT_VIEW) and not can(user, Cap.MYSTERY_VISIT_RECORD)


def mystery_visits(user: Any, *, status: str = "", team_id: int | None = None) -> QuerySet[MysteryVisit]:
    """Visits ``user`` may see, newest first, with shopper, team, agent, reviewer and evidence."""
    qs = MysteryVisit.objects.select_related("shopper", "team", "agent", "reviewed_by").annotate(
        n_evidence=Count("evidence")
    )
    if not can(user, Cap.MYSTERY_VISIT_VIEW):
        return qs.none()
    if not sees_all_mystery_visits(user):
        qs = qs.filter(shopper_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("-visited_at", "-id")


def mystery_visit_for(user: Any, pk: int) -> MysteryVisit | None:
    return mystery_visits(user).prefetch_related("evidence").filter(pk=pk).first()


def mystery_averages(user: Any) -> dict[str, Decimal | None]:
    """Mean score per criterion over the accepted and awaiting visits ``user`` sees (rejected ones
    left out), two decimals."""
    from sqm.feedback.surveys.models import SCORE_FIELDS, MysteryStatus

    rows = list(mystery_visits(user).exclude(status=MysteryStatus.REJECTED).values_list(*SCORE_FIELDS))
    return {name: exact(mean(row[n] for row in rows)) for n, name in enumerate(SCORE_FIELDS)}


def evidence_for(user: Any, pk: int) -> Any:
    """An evidence file, if ``user`` may see its visit."""
    from sqm.feedback.surveys.models import MysteryEvidence

    row = MysteryEvidence.objects.select_related("visit").filter(pk=pk).first()
    if row is None or not can(user, Cap.MYSTERY_VISIT_VIEW):
        return None
    if not sees_all_mystery_visits(user) and row.visit.shopper_id != user.pk:
        return None
    return row
