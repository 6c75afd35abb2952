"""Survey services: the builder's rules, the lifecycle (questions frozen once open), templates,
the seeded draw of customers, signed single-use links, and every rule an answer must meet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.feedback.surveys import services
from sqm.feedback.surveys.models import (
    Answer,
    Distribution,
    Invitation,
    Question,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
from sqm.feedback.surveys.services import AnswerIn
from sqm.feedback.tests.surveys_factories import (
    ClosedTicketFactory,
    invite,
    servqual_survey,
    set_status,
    simple_survey,
)
from sqm.org.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.QUALITY_MANAGER)


def _errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.errors


# --- builder and lifecycle -------------------------------------------------------------------------


def test_only_quality_managers_build_surveys(make_user):
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.AUDITOR, Role.ADMIN, Role.CUSTOMER):
        with pytest.raises(PermissionDeniedError):
            services.survey_create(actor=make_user(role), title_zh="调查")


def test_templates_install_once_with_servqual_items(manager):
    first = services.survey_templates_install(actor=manager)
    again = services.survey_templates_install(actor=manager)
    assert [t.pk for t in first] == [t.pk for t in again]
    assert Survey.objects.filter(is_template=True).count() == 3
    servqual = next(t for t in first if t.template_code == "servqual")
    items = list(servqual.questions.filter(kind="gap").order_by("position"))
    assert len(items) == 22 and all(q.scale_max == 7 and q.text_zh and q.text_en for q in items)
    dims = [q.dimension for q in items]
    assert (
        dims == ["tangibles"] * 4 + ["reliability"] * 5 + ["responsiveness"] * 4 + ["assurance"] * 4 + ["empathy"] * 5
    )
    assert [q.code for q in items][:2] == ["SQ01", "SQ02"]
    weights = servqual.questions.get(kind="weights")
    assert [o["code"] for o in weights.options] == [
        "tangibles",
        "reliability",
        "responsiveness",
        "assurance",
        "empathy",
    ]
    with pytest.raises(DomainError) as exc:
        services.survey_open(actor=manager, survey=servqual)
    assert "survey" in _errors(exc)


def test_copy_makes_a_draft_with_the_same_questions(manager):
    survey = servqual_survey(manager, open_it=False)
    assert survey.status == SurveyStatus.DRAFT and not survey.is_template and survey.source.is_template
    assert survey.questions.count() == 24
    assert [q.position for q in survey.questions.order_by("position")] == list(range(1, 25))


def test_question_rules_name_the_field(manager):
    survey = services.survey_create(actor=manager, title_zh="调查")

    def refused(field: str, **kwargs) -> None:
        data = {"kind": "rating", "text_zh": "满意吗？", **kwargs}
        with pytest.raises(DomainError) as exc:
            services.question_add(actor=manager, survey=survey, **data)
        assert field in _errors(exc), _errors(exc)

    refused("scale_max", scale_max=10)
    refused("kind", kind="slider")
    refused("text_zh", text_zh=" ")
    refused("dimension", kind="gap", dimension="")
    refused("options", kind="single", options=[{"code": "a", "zh": "甲"}])
    refused("options", kind="multiple", options=[{"code": "A B", "zh": "甲"}, {"code": "b", "zh": "乙"}])
    refused("options", kind="single", options=[{"code": "a", "zh": "甲"}, {"code": "a", "zh": "乙"}])
    refused("options", kind="weights", options=[{"code": "speed", "zh": "速度"}] * 5)
    services.question_add(actor=manager, survey=survey, kind="weights", text_zh="分配100分")
    refused("kind", kind="weights")  # only once per survey
    nps = services.question_add(actor=manager, survey=survey, kind="nps", text_zh="推荐", scale_max=5)
    assert nps.scale_max == 10 and nps.scale == list(range(0, 11))
    gap = services.question_add(actor=manager, survey=survey, kind="gap", text_zh="按时办到", dimension="reliability")
    assert gap.scale_max == 7 and gap.scale == list(range(1, 8))


def test_questions_move_and_delete_renumber(manager):
    survey = simple_survey(manager, open_it=False)
    rating, nps, text = survey.questions.order_by("position")
    services.question_move(actor=manager, question=text, position=1)
    assert list(survey.questions.order_by("position").values_list("pk", flat=True)) == [text.pk, rating.pk, nps.pk]
    with pytest.raises(DomainError) as exc:
        services.question_move(actor=manager, question=text, position=4)
    assert "position" in _errors(exc)
    services.question_delete(actor=manager, question=rating)
    assert list(survey.questions.order_by("position").values_list("pk", "position")) == [(text.pk, 1), (nps.pk, 2)]
    assert AuditEntry.objects.filter(object_type="feedback.question", action="delete").count() == 1


def test_questions_are_frozen_once_open_and_lifecycle_is_one_way(manager):
    empty = services.survey_create(actor=manager, title_zh="空调查")
    with pytest.raises(DomainError) as exc:
        services.survey_open(actor=manager, survey=empty)
    assert "questions" in _errors(exc)
    survey = simple_survey(manager)
    question = survey.questions.first()
    attempts = [
        lambda: services.question_add(actor=manager, survey=survey, kind="text", text_zh="补充"),
        lambda: services.question_update(actor=manager, question=question, kind="rating", text_zh="改"),
        lambda: services.question_delete(actor=manager, question=question),
        lambda: services.question_move(actor=manager, question=question, position=2),
        lambda: services.survey_update(actor=manager, survey=survey, title_zh="新标题"),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as exc:
            attempt()
        assert "survey" in _errors(exc) and exc.value.code == "frozen"
    with pytest.raises(DomainError):
        services.survey_open(actor=manager, survey=survey)
    services.survey_close(actor=manager, survey=survey)
    with pytest.raises(DomainError) as exc:
        services.survey_close(actor=manager, survey=survey)
    assert "status" in _errors(exc)
    actions = list(
        AuditEntry.objects.filter(object_type="feedback.survey", object_id=str(survey.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "open", "close"]


# --- distribution ----------------------------------------------------------------------------------


def _customers_with_closed_tickets(n: int, *, days_ago: int = 3, team=None):
    customers = []
    for _ in range(n):
        customer = UserFactory(role=Role.CUSTOMER)
        kwargs = {"team": team, "assignee": UserFactory(role=Role.AGENT, team=team)} if team else {}
        ClosedTicketFactory(customer=customer, closed_at=timezone.now() - dt.timedelta(days=days_ago), **kwargs)
        customers.append(customer)
    return customers


def test_distribution_draws_a_reproducible_sample_and_records_the_seed(manager):
    customers = _customers_with_closed_tickets(30)
    _customers_with_closed_tickets(5, days_ago=40)  # closed before the period: not eligible
    inactive = _customers_with_closed_tickets(1)[0]
    inactive.is_active = False
    inactive.save()
    today = timezone.localdate()
    first = simple_survey(manager)
    second = simple_survey(manager)
    a = services.survey_distribute(
        actor=manager, survey=first, closed_from=today - dt.timedelta(days=7), closed_to=today, sample_size=10, seed=42
    )
    b = services.survey_distribute(
        actor=manager, survey=second, closed_from=today - dt.timedelta(days=7), closed_to=today, sample_size=10, seed=42
    )
    picked_a = sorted(Invitation.objects.filter(distribution=a).values_list("customer_id", flat=True))
    picked_b = sorted(Invitation.objects.filter(distribution=b).values_list("customer_id", flat=True))
    population = sorted(c.pk for c in customers)
    assert a.population == 30 and a.invited == 10 and a.seed == 42
    assert picked_a == picked_b == services.draw_sample(population, 10, 42)
    assert a.population_sha256 == services.population_digest(population)
    third = simple_survey(manager)
    c = services.survey_distribute(
        actor=manager, survey=third, closed_from=today - dt.timedelta(days=7), closed_to=today, sample_size=10, seed=7
    )
    assert sorted(Invitation.objects.filter(distribution=c).values_list("customer_id", flat=True)) != picked_a
    entry = AuditEntry.objects.get(object_type="feedback.distribution", object_id=str(a.pk))
    assert entry.changes["seed"] == 42 and entry.changes["population"] == 30
    # a second wave of the same survey leaves out the customers already invited
    again = services.survey_distribute(
        actor=manager, survey=first, closed_from=today - dt.timedelta(days=7), closed_to=today, sample_size=100
    )
    assert again.population == 20 and again.invited == 20 and again.seed is not None
    assert Invitation.objects.filter(survey=first).count() == 30
    with pytest.raises(DomainError) as exc:
        services.survey_distribute(
            actor=manager, survey=first, closed_from=today - dt.timedelta(days=7), closed_to=today, sample_size=5
        )
    assert "closed_from" in _errors(exc)


def test_distribution_filters_by_team_and_refuses_bad_input(manager):
    team = TeamFactory()
    mine = _customers_with_closed_tickets(3, team=team)
    _customers_with_closed_tickets(4)
    survey = simple_survey(manager)
    today = timezone.localdate()
    d = services.survey_distribute(
        actor=manager,
        survey=survey,
        closed_from=today - dt.timedelta(days=7),
        closed_to=today,
        sample_size=50,
        team=team,
    )
    assert set(Invitation.objects.filter(distribution=d).values_list("customer_id", flat=True)) == {c.pk for c in mine}
    base = {"actor": manager, "survey": survey, "closed_from": today - dt.timedelta(days=7), "closed_to": today}
    for field, kwargs in (
        ("sample_size", {"sample_size": 0}),
        ("sample_size", {"sample_size": services.MAX_SAMPLE + 1}),
        ("closed_to", {"sample_size": 5, "closed_to": today - dt.timedelta(days=30)}),
        ("ticket_type", {"sample_size": 5, "ticket_type": "rant"}),
        ("days", {"sample_size": 5, "days": 0}),
        ("seed", {"sample_size": 5, "seed": -1}),
    ):
        with pytest.raises(DomainError) as exc:
            services.survey_distribute(**{**base, **kwargs})
        assert field in _errors(exc), (field, _errors(exc))
    draft = simple_survey(manager, open_it=False)
    with pytest.raises(DomainError) as exc:
        services.survey_distribute(**{**base, "survey": draft, "sample_size": 5})
    assert "survey" in _errors(exc)


@pytest.mark.django_db(transaction=True)
def test_links_are_mailed_after_commit_once(manager, mailoutbox, settings):
    settings.SQM_PUBLIC_URL = "https://sqm.example/"
    customers = _customers_with_closed_tickets(3)
    customers[0].email = ""
    customers[0].save()
    customers[1].language = "en"
    customers[1].save()
    survey = simple_survey(manager)
    today = timezone.localdate()
    distribution = services.survey_distribute(
        actor=manager, survey=survey, closed_from=today - dt.timedelta(days=7), closed_to=today, sample_size=3
    )
    assert len(mailoutbox) == 2
    english = next(m for m in mailoutbox if m.to == [customers[1].email])
    assert "A short survey" in english.subject and "https://sqm.example/feedback/s/" in english.body
    from sqm.feedback.surveys.tasks import send_invitations

    assert send_invitations(distribution.pk) == 0, "nobody is mailed twice"
    assert Invitation.objects.filter(emailed_at__isnull=False).count() == 2


# --- links and answers -----------------------------------------------------------------------------


def test_signed_links_forged_expired_used_and_closed(manager):
    survey = simple_survey(manager)
    rating = survey.questions.get(kind="rating")
    token = invite(survey)
    assert services.invitation_check(token).survey_id == survey.pk
    invitation = Invitation.objects.get()
    for bad in ("", "nonsense", token[:-2] + "xx", signing.dumps([invitation.pk, invitation.nonce], salt="other")):
        with pytest.raises(DomainError) as exc:
            services.invitation_check(bad)
        assert exc.value.code == "forged" and "token" in _errors(exc)
    other = Invitation.objects.create(
        survey=survey, distribution=invitation.distribution, customer=UserFactory(role=Role.CUSTOMER),
        nonce="f" * 32, created_at=timezone.now(), expires_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:  # a genuine signature over another invitation's id
        services.invitation_check(signing.dumps([other.pk, invitation.nonce], salt=services.SIGNING_SALT))
    assert exc.value.code == "forged"
    with pytest.raises(DomainError) as exc:
        services.invitation_check(token, now=invitation.expires_at)
    assert exc.value.code == "expired"
    services.response_submit(token=token, answers={rating.pk: AnswerIn(value=5)})
    with pytest.raises(DomainError) as exc:
        services.response_submit(token=token, answers={rating.pk: AnswerIn(value=1)})
    assert exc.value.code == "used" and "token" in _errors(exc)
    assert SurveyResponse.objects.count() == 1 and Answer.objects.get().number == 5
    closed_token = invite(survey)
    services.survey_close(actor=manager, survey=survey)
    with pytest.raises(DomainError) as exc:
        services.response_submit(token=closed_token, answers={rating.pk: AnswerIn(value=4)})
    assert exc.value.code == "closed" and "survey" in _errors(exc)
    assert SurveyResponse.objects.count() == 1


def test_checking_a_link_writes_nothing(manager, django_assert_num_queries):
    survey = simple_survey(manager)
    token = invite(survey)
    entries = AuditEntry.objects.count()
    with django_assert_num_queries(1):
        services.invitation_check(token)
    invitation = Invitation.objects.get()
    assert invitation.responded_at is None and AuditEntry.objects.count() == entries


def test_answers_are_checked_against_their_own_questions(manager):
    survey = servqual_survey(manager)
    other = simple_survey(manager)
    foreign = other.questions.get(kind="rating")
    questions = {q.code or q.kind: q for q in survey.questions.all()}
    item, weights, text = questions["SQ01"], questions["SQW"], questions["text"]
    token = invite(survey)
    complete = {q.pk: AnswerIn(expectation=6, perception=5) for q in survey.questions.filter(kind="gap")}
    complete[weights.pk] = AnswerIn(
        points={"tangibles": 10, "reliability": 30, "responsiveness": 25, "assurance": 20, "empathy": 15}
    )

    def refused(changes: dict, field: str) -> None:
        answers = {**complete, **changes}
        with pytest.raises(DomainError) as exc:
            services.response_submit(token=token, answers=answers)
        assert field in _errors(exc), (field, _errors(exc))

    refused({item.pk: AnswerIn(expectation=8, perception=5)}, f"answers.{item.pk}.expectation")
    refused({item.pk: AnswerIn(expectation=6, perception=0)}, f"answers.{item.pk}.perception")
    refused({item.pk: AnswerIn(expectation="6", perception=5)}, f"answers.{item.pk}.expectation")
    refused({item.pk: AnswerIn(expectation=True, perception=5)}, f"answers.{item.pk}.expectation")
    refused({item.pk: AnswerIn(value=5)}, f"answers.{item.pk}")
    refused({item.pk: AnswerIn()}, f"answers.{item.pk}")  # required
    refused({foreign.pk: AnswerIn(value=5)}, f"answers.{foreign.pk}")  # another survey's question
    refused({999_999: AnswerIn(value=5)}, "answers.999999")
    bad_sum = {"tangibles": 10, "reliability": 30, "responsiveness": 25, "assurance": 20, "empathy": 20}
    refused({weights.pk: AnswerIn(points=bad_sum)}, f"answers.{weights.pk}.points")
    refused({weights.pk: AnswerIn(points={"speed": 100})}, f"answers.{weights.pk}.points")
    refused({weights.pk: AnswerIn(points={"tangibles": 101})}, f"answers.{weights.pk}.points")
    refused({weights.pk: AnswerIn(points={"tangibles": -5, "reliability": 105})}, f"answers.{weights.pk}.points")
    refused({text.pk: AnswerIn(text="x" * 2001)}, f"answers.{text.pk}.text")
    with pytest.raises(DomainError) as exc:  # every broken rule at once
        services.response_submit(
            token=token, answers={**complete, item.pk: AnswerIn(expectation=9, perception=9), weights.pk: AnswerIn()}
        )
    assert {f"answers.{item.pk}.expectation", f"answers.{item.pk}.perception", f"answers.{weights.pk}"} <= set(
        _errors(exc)
    )
    with pytest.raises(DomainError) as exc:
        services.response_submit(token=token, answers={**complete, weights.pk: AnswerIn(points=bad_sum)})
    assert "100" in str(_errors(exc)[f"answers.{weights.pk}.points"][0])
    assert not SurveyResponse.objects.exists() and Invitation.objects.get().responded_at is None
    response = services.response_submit(token=token, answers={**complete, text.pk: AnswerIn(text=" 很好 ")})
    assert response.answers.count() == 24
    assert response.answers.get(question=weights).points["reliability"] == 30
    assert response.answers.get(question=text).text == "很好"
    entry = AuditEntry.objects.get(object_type="feedback.surveyresponse")
    assert entry.action == "respond" and entry.changes["answers"] == 24 and entry.actor_id == response.customer_id
    assert "很好" not in str(entry.changes), "the chain keeps a digest, not the customer's words"


def test_choice_answers(manager):
    survey = services.survey_create(actor=manager, title_zh="渠道")
    single = services.question_add(
        actor=manager, survey=survey, kind="single", text_zh="解决了吗",
        options=[{"code": "yes", "zh": "是"}, {"code": "no", "zh": "否"}],
    )  # fmt: skip
    multiple = services.question_add(
        actor=manager, survey=survey, kind="multiple", text_zh="看重什么", required=False,
        options=[{"code": "speed", "zh": "速度"}, {"code": "courtesy", "zh": "态度"}, {"code": "price", "zh": "价格"}],
    )  # fmt: skip
    services.survey_open(actor=manager, survey=survey)
    token = invite(survey)
    for answers, field in (
        ({single.pk: AnswerIn(choices=["yes", "no"])}, f"answers.{single.pk}.choices"),
        ({single.pk: AnswerIn(choices=["maybe"])}, f"answers.{single.pk}.choices"),
        (
            {single.pk: AnswerIn(choices=["yes"]), multiple.pk: AnswerIn(choices=["speed", "speed"])},
            f"answers.{multiple.pk}.choices",
        ),
    ):
        with pytest.raises(DomainError) as exc:
            services.response_submit(token=token, answers=answers)
        assert field in _errors(exc)
    response = services.response_submit(
        token=token, answers={single.pk: AnswerIn(choices=["yes"]), multiple.pk: AnswerIn(choices=["price", "speed"])}
    )
    assert response.answers.get(question=multiple).choices == ["speed", "price"], "kept in the options' order"


def test_the_survey_question_rows_cannot_vanish_under_answers(manager):
    survey = simple_survey(manager)
    token = invite(survey)
    rating = survey.questions.get(kind="rating")
    services.response_submit(token=token, answers={rating.pk: AnswerIn(value=3)})
    set_status(survey, SurveyStatus.DRAFT)  # even if someone forced it back to draft
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Question.objects.filter(pk=rating.pk).delete()
    assert Distribution.objects.count() == 1
