"""Survey results, computed by hand: SERVQUAL gaps per item, dimension and overall, the weighted
score from each customer's own importance points, NPS, averages, distributions, response rate."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from sqm.core.roles import Role
from sqm.feedback.surveys import selectors, services
from sqm.feedback.surveys.services import AnswerIn
from sqm.feedback.tests.surveys_factories import invite, simple_survey

pytestmark = pytest.mark.django_db

# Two customers, six items (two for tangibles, one for each other dimension).
#                  T1      T2      R1      S1      A1      E1     (expectation, perception)
A_ITEMS = [(7, 5), (6, 6), (7, 4), (6, 3), (5, 6), (6, 5)]
B_ITEMS = [(6, 6), (7, 4), (7, 7), (7, 4), (6, 6), (7, 6)]
A_POINTS = {"tangibles": 10, "reliability": 40, "responsiveness": 30, "assurance": 10, "empathy": 10}
B_POINTS = {"tangibles": 20, "reliability": 20, "responsiveness": 20, "assurance": 20, "empathy": 20}
DIMS = ["tangibles", "tangibles", "reliability", "responsiveness", "assurance", "empathy"]


@pytest.fixture
def servqual(make_user):
    manager = make_user(Role.QUALITY_MANAGER)
    survey = services.survey_create(actor=manager, title_zh="小型SERVQUAL", kind="servqual")
    items = [
        services.question_add(actor=manager, survey=survey, kind="gap", text_zh=f"第{n}项", dimension=dim)
        for n, dim in enumerate(DIMS, start=1)
    ]
    weights = services.question_add(actor=manager, survey=survey, kind="weights", text_zh="分配100分")
    services.survey_open(actor=manager, survey=survey)
    for pairs, points in ((A_ITEMS, A_POINTS), (B_ITEMS, B_POINTS)):
        answers = {q.pk: AnswerIn(expectation=e, perception=p) for q, (e, p) in zip(items, pairs, strict=True)}
        answers[weights.pk] = AnswerIn(points=points)
        services.response_submit(token=invite(survey), answers=answers)
    invite(survey)  # a third customer did not answer
    return survey


def test_servqual_gaps_and_weighted_score_by_hand(servqual, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        results = selectors.survey_results(servqual)
    sq = results.servqual
    # item gap = mean P − mean E: T1 5.5−6.5, T2 5−6.5, R1 5.5−7, S1 3.5−6.5, A1 6−5.5, E1 5.5−6.5
    item_gaps = [r.gap for r in results.questions if r.question.kind == "gap"]
    assert item_gaps == [Decimal(v) for v in ("-1.00", "-1.50", "-1.50", "-3.00", "0.50", "-1.00")]
    dims = {d.code: d for d in sq.dimensions}
    # dimension gap = mean of its items: tangibles (−1 − 1.5) / 2
    assert {code: d.gap for code, d in dims.items()} == {
        "tangibles": Decimal("-1.25"),
        "reliability": Decimal("-1.50"),
        "responsiveness": Decimal("-3.00"),
        "assurance": Decimal("0.50"),
        "empathy": Decimal("-1.00"),
    }
    assert dims["tangibles"].items == 2
    assert (dims["tangibles"].mean_expectation, dims["tangibles"].mean_perception) == (Decimal("6.50"), Decimal("5.25"))
    # overall = mean of the five dimension gaps: (−1.25 − 1.5 − 3 + 0.5 − 1) / 5
    assert sq.overall_gap == Decimal("-1.25")
    # weighted, per customer: A: (10×−1 + 40×−3 + 30×−3 + 10×1 + 10×−1) / 100 = −2.2
    #                         B: 20 × (−1.5 + 0 − 3 + 0 − 1) / 100 = −1.1;   mean −1.65
    assert sq.raw["weighted"] == Fraction(-165, 100)
    assert sq.weighted == Decimal("-1.65") and sq.weighted_respondents == 2
    assert {code: d.weight for code, d in dims.items()} == {
        "tangibles": Decimal("15.00"),
        "reliability": Decimal("30.00"),
        "responsiveness": Decimal("25.00"),
        "assurance": Decimal("15.00"),
        "empathy": Decimal("15.00"),
    }
    assert (results.invited, results.responded, results.response_rate) == (3, 2, Decimal("66.67"))


def test_weighted_score_leaves_out_customers_without_weights_or_a_weighted_dimension():
    items = {1: "tangibles", 2: "reliability"}
    answers = [(10, 1, 6, 4), (10, 2, 6, 6), (11, 1, 5, 5), (12, 1, 7, 1), (12, 2, 7, 7)]
    weights = {10: {"tangibles": 50, "reliability": 50}, 11: {"tangibles": 40, "reliability": 60}}
    scores = selectors.servqual_scores(items, answers, weights)
    # respondent 11 answered no reliability item but gave it 60 points: not comparable, left out;
    # respondent 12 gave no weights. Only 10 counts: (50 × −2 + 50 × 0) / 100 = −1.
    assert scores["weighted"] == Fraction(-1) and scores["weighted_respondents"] == 1
    # item 1: mean P (4 + 5 + 1) / 3 − mean E (6 + 5 + 7) / 3 = −8/3
    assert scores["item_gap"][1] == Fraction(-8, 3)
    assert selectors.exact(scores["item_gap"][1]) == Decimal("-2.67")
    assert scores["overall_gap"] == (Fraction(-8, 3) + 0) / 2


def test_rounding_is_half_up_on_exact_fractions():
    assert selectors.exact(Fraction(1, 3)) == Decimal("0.33")
    assert selectors.exact(Fraction(-2, 3)) == Decimal("-0.67")
    assert selectors.exact(Fraction(1, 200)) == Decimal("0.01")
    assert selectors.exact(Fraction(-1, 200)) == Decimal("-0.01")
    assert selectors.exact(None) is None


def test_ratings_nps_choices_and_texts(make_user):
    manager = make_user(Role.QUALITY_MANAGER)
    survey = simple_survey(manager)
    rating, nps, text = survey.questions.order_by("position")
    for value, recommend, comment in ((5, 10, "很满意"), (4, 9, ""), (2, 6, "等太久"), (5, 8, "")):
        answers = {rating.pk: AnswerIn(value=value), nps.pk: AnswerIn(value=recommend)}
        if comment:
            answers[text.pk] = AnswerIn(text=comment)
        services.response_submit(token=invite(survey), answers=answers)
    invite(survey)
    invite(survey)
    results = selectors.survey_results(survey)
    by_kind = {r.question.kind: r for r in results.questions}
    assert by_kind["rating"].average == Decimal("4.00")
    assert [(b.label, b.count, b.share) for b in by_kind["rating"].bars] == [
        ("1", 0, Decimal("0.00")),
        ("2", 1, Decimal("25.00")),
        ("3", 0, Decimal("0.00")),
        ("4", 1, Decimal("25.00")),
        ("5", 2, Decimal("50.00")),
    ]
    n = by_kind["nps"]
    assert (n.promoters, n.passives, n.detractors, n.nps) == (2, 1, 1, Decimal("25.00"))
    assert len(n.bars) == 11 and n.average == Decimal("8.25")
    assert sorted(by_kind["text"].texts) == sorted(["很满意", "等太久"]) and by_kind["text"].answered == 2
    assert (results.invited, results.responded, results.response_rate) == (6, 4, Decimal("66.67"))
    assert results.servqual is None
