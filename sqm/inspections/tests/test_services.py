"""The services of quality inspection, rule by rule, on the database."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.feedback.models import Rating, RatingSource
from sqm.inspections import sampling, selectors, services, tasks
from sqm.inspections.models import (
    AnswerStage,
    AppealOutcome,
    Inspection,
    InspectionStatus,
    PlanStatus,
    SampleReason,
    SamplingPlan,
    Scorecard,
    ScorecardStatus,
    TrainingNeed,
)
from sqm.inspections.services import AnswerIn
from sqm.inspections.tests.factories import (
    PERIOD,
    UserFactory,
    full_answers,
    handled_ticket,
    local,
    make_inspection,
)
from sqm.tickets.models import Notification, TicketMessage, TicketType

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo) -> dict:
    return {field: [str(m) for m in msgs] for field, msgs in exc.value.errors.items()}


# --- scorecards ---------------------------------------------------------------------------------------


def _draft_with(qm, weights):
    card = services.scorecard_create(actor=qm, code="qa-phone", name_zh="电话质检")
    section = services.scorecard_section_add(actor=qm, scorecard=card, name_zh="服务态度")
    for n, w in enumerate(weights):
        services.scorecard_item_add(actor=qm, section=section, text_zh=f"项目{n}", weight=w)
    return card


def test_publish_refuses_weights_that_do_not_add_up_naming_the_sum(centre):
    card = _draft_with(centre.qm, ["40", "35", "20"])
    with pytest.raises(DomainError) as exc:
        services.scorecard_publish(actor=centre.qm, scorecard=card)
    errors = _errors(exc)
    assert list(errors) == ["weight"] and "95" in errors["weight"][0] and "100" in errors["weight"][0]
    assert Scorecard.objects.get(pk=card.pk).status == ScorecardStatus.DRAFT


def test_publish_makes_it_effective_and_supersedes_the_previous_version(centre):
    card = _draft_with(centre.qm, ["60", "40"])
    assert card.code == "QA-PHONE"
    services.scorecard_publish(actor=centre.qm, scorecard=card, effective_from=dt.date(2026, 1, 1))
    draft = services.scorecard_new_version(actor=centre.qm, scorecard=card)
    assert (draft.version, draft.status, draft.items.count()) == (2, "draft", 2)
    item = draft.items.first()
    services.scorecard_item_update(actor=centre.qm, item=item, weight="50")
    with pytest.raises(DomainError):
        services.scorecard_publish(actor=centre.qm, scorecard=draft)  # 90
    services.scorecard_item_update(actor=centre.qm, item=draft.items.last(), weight="50")
    services.scorecard_publish(actor=centre.qm, scorecard=draft, effective_from=dt.date(2026, 6, 1))
    card.refresh_from_db()
    assert (card.status, card.effective_until) == (ScorecardStatus.SUPERSEDED, dt.date(2026, 6, 1))
    assert services.scorecard_in_force(dt.date(2026, 3, 1), "QA-PHONE") == card
    assert services.scorecard_in_force(dt.date(2026, 7, 1), "QA-PHONE").version == 2
    assert AuditEntry.objects.filter(action="publish", object_type="inspections.scorecard").count() == 2


def test_a_published_version_is_frozen(centre):
    card = _draft_with(centre.qm, ["100"])
    services.scorecard_publish(actor=centre.qm, scorecard=card)
    with pytest.raises(DomainError) as exc:
        services.scorecard_item_update(actor=centre.qm, item=card.items.get(), weight="50")
    assert exc.value.code == "not_draft"
    draft = services.scorecard_new_version(actor=centre.qm, scorecard=card)
    assert services.scorecard_new_version(actor=centre.qm, scorecard=card) == draft  # one draft per code


def test_critical_items_are_pass_fail_and_weights_are_bounded(centre):
    card = services.scorecard_create(actor=centre.qm, code="X1", name_zh="x")
    section = services.scorecard_section_add(actor=centre.qm, scorecard=card, name_zh="合规")
    item = services.scorecard_item_add(
        actor=centre.qm, section=section, text_zh="未泄露客户信息", weight="10", critical=True
    )
    assert item.max_points == 1
    with pytest.raises(DomainError) as exc:
        services.scorecard_item_add(
            actor=centre.qm, section=section, text_zh="x", weight="5", critical=True, max_points=4
        )
    assert "max_points" in exc.value.errors
    for bad in ("0", "100.5", "12.345", "abc"):
        with pytest.raises(DomainError) as exc:
            services.scorecard_item_add(actor=centre.qm, section=section, text_zh="x", weight=bad)
        assert "weight" in exc.value.errors


def test_only_the_quality_manager_edits_scorecards(centre):
    for user in (centre.inspectors[0], centre.agents[0], centre.lead_a):
        with pytest.raises(PermissionDeniedError):
            services.scorecard_create(actor=user, code="NOPE", name_zh="x")


# --- plans and the draw ----------------------------------------------------------------------------------


def _month_of_tickets(centre, *, per_agent=11):
    tickets = []
    for agent in centre.agents:
        for k in range(per_agent):
            kind = TicketType.COMPLAINT if k == 0 else (TicketType.CONSULTATION if k % 2 else TicketType.FAULT)
            tickets.append(handled_ticket(agent, ticket_type=kind, day=PERIOD[0] + dt.timedelta(days=k)))
    return tickets


def _plan(centre, **kwargs):
    return services.plan_create(actor=centre.qm, period_start=PERIOD[0], scorecard=centre.card, **kwargs)


def test_plan_covers_the_calendar_month_and_never_overlaps(centre):
    plan = _plan(centre)
    assert (plan.period_start, plan.period_end, plan.rate) == (PERIOD[0], PERIOD[1], Decimal("0.2"))
    assert plan.name == "QA sample 2024-03" or "2024-03" in plan.name
    with pytest.raises(DomainError) as exc:
        services.plan_create(actor=centre.qm, period_start=dt.date(2024, 3, 15))
    assert "period_start" in exc.value.errors
    for rate in ("0", "1.5", "0.12345"):
        with pytest.raises(DomainError) as exc:
            services.plan_create(actor=centre.qm, period_start=dt.date(2024, 5, 1), rate=rate)
        assert "rate" in exc.value.errors


def test_draw_covers_every_agent_and_type_at_the_rate_plus_every_complaint_and_low_rating(centre):
    tickets = _month_of_tickets(centre)
    low = tickets[3]  # a consultation of agent a0, rated 1
    Rating.objects.create(
        ticket=low,
        agent=low.assignee,
        source=RatingSource.PORTAL,
        score=1,
        created_at=local(PERIOD[0]),
        updated_at=local(PERIOD[0]),
    )
    earlier = handled_ticket(centre.agents[1], day=dt.date(2024, 2, 20))  # handled in February, rated in March
    Rating.objects.create(
        ticket=earlier,
        source=RatingSource.PORTAL,
        score=2,
        created_at=local(dt.date(2024, 3, 2)),
        updated_at=local(dt.date(2024, 3, 2)),
    )
    plan = services.plan_draw(actor=centre.qm, plan=_plan(centre), seed=20240301)
    assert (plan.status, plan.seed, plan.population) == (PlanStatus.DRAWN, 20240301, len(tickets))
    drawn = {i.ticket_id: i for i in Inspection.objects.filter(plan=plan)}
    assert plan.sampled == len(drawn)
    complaints = {t.pk for t in tickets if t.type == TicketType.COMPLAINT}
    assert complaints <= set(drawn) and all(drawn[pk].reason == SampleReason.COMPLAINT for pk in complaints)
    assert drawn[low.pk].reason == SampleReason.LOW_RATING
    assert drawn[earlier.pk].reason == SampleReason.LOW_RATING
    rows = selectors.plan_strata(plan)
    assert {r.agent.pk for r in rows} == {a.pk for a in centre.agents}
    for row in rows:
        assert row.sampled >= row.quota >= 1
        assert row.sampled_rate >= Decimal("20.0")
    assert selectors.percent(plan.sampled, plan.population) >= Decimal("20.0")


def test_draw_never_gives_own_or_own_team_work_and_spreads_the_load(centre):
    _month_of_tickets(centre)
    centre.inspectors[0].team = centre.team_a  # an inspector seconded from team A
    centre.inspectors[0].save()
    plan = services.plan_draw(actor=centre.qm, plan=_plan(centre), seed=7)
    rows = Inspection.objects.filter(plan=plan).select_related("agent", "inspector")
    for inspection in rows:
        assert inspection.inspector_id != inspection.agent_id
        assert inspection.inspector.role == Role.QA_INSPECTOR
        assert inspection.inspector.team_id is None or inspection.inspector.team_id != inspection.agent.team_id
    team_a = {i.inspector_id for i in rows if i.team_id == centre.team_a.pk}
    assert centre.inspectors[0].pk not in team_a
    loads = Counter(i.inspector_id for i in rows)
    assert max(loads.values()) - min(loads.values()) <= 1


def test_a_redraw_with_the_same_seed_and_inputs_gives_the_same_result(centre):
    _month_of_tickets(centre)
    plan = services.plan_draw(actor=centre.qm, plan=_plan(centre), seed=99)
    stored = sorted(Inspection.objects.filter(plan=plan).values_list("ticket_id", "inspector_id", "reason"))
    # the inputs the draw stored, drawn again with the same seed:
    fresh = plan.inputs
    redo = sampling.draw(sampling.DrawInputs.from_json(fresh), 99)
    assert sorted(tuple(r) for r in redo.rows()) == [tuple(r) for r in stored]
    check = selectors.plan_verify(plan.pk)
    assert check.ok and check.reassigned == [] and check.missing == []
    other = sampling.draw(sampling.DrawInputs.from_json(fresh), 100)
    assert other.rows() != redo.rows()


def test_the_same_seed_on_an_identical_centre_draws_the_same(centre):
    """Inputs read from the database the same way give the same draw: a plan drawn, undone, redrawn."""
    _month_of_tickets(centre)
    plan = _plan(centre)
    first = sampling.draw(services.draw_inputs(plan), 5)
    services.plan_draw(actor=centre.qm, plan=plan, seed=5)
    assert sorted(Inspection.objects.filter(plan=plan).values_list("ticket_id", "inspector_id")) == [
        (p.ticket_id, p.inspector_id) for p in first.picks
    ]


def test_verify_detects_tampering_and_lists_reassignments(centre):
    _month_of_tickets(centre)
    plan = services.plan_draw(actor=centre.qm, plan=_plan(centre), seed=3)
    inspection = Inspection.objects.filter(plan=plan).first()
    other = next(u for u in centre.inspectors if u.pk != inspection.inspector_id)
    services.inspection_reassign(actor=centre.qm, inspection=inspection, inspector=other)
    check = selectors.plan_verify(plan.pk)
    assert check.ok and check.reassigned == [(inspection.ticket_id, inspection.inspector_id, other.pk)]
    plan.refresh_from_db()
    plan.inputs["tickets"] = plan.inputs["tickets"][1:]
    plan.save()
    assert not selectors.plan_verify(plan.pk).ok


def test_draw_refusals(centre):
    _month_of_tickets(centre)
    current = services.plan_create(actor=centre.qm, period_start=timezone.localdate(), scorecard=centre.card)
    with pytest.raises(DomainError) as exc:
        services.plan_draw(actor=centre.qm, plan=current)
    assert "period_end" in exc.value.errors
    plan = _plan(centre)
    with pytest.raises(DomainError) as exc:
        services.plan_draw(actor=centre.qm, plan=plan, seed=-1)
    assert "seed" in exc.value.errors
    with pytest.raises(PermissionDeniedError):
        services.plan_draw(actor=centre.inspectors[0], plan=plan)
    services.plan_draw(actor=centre.qm, plan=plan, seed=1)
    with pytest.raises(DomainError) as exc:
        services.plan_draw(actor=centre.qm, plan=plan, seed=1)
    assert exc.value.code == "drawn"


def test_draw_needs_an_inspector_outside_the_team(centre):
    handled_ticket(centre.agents[0])
    for inspector in centre.inspectors:
        inspector.team = centre.team_a
        inspector.save()
    with pytest.raises(DomainError) as exc:
        services.plan_draw(actor=centre.qm, plan=_plan(centre), seed=1)
    assert list(exc.value.errors) == ["inspectors"]
    assert Inspection.objects.count() == 0


def test_inspectors_on_leave_are_not_drawn(centre):
    _month_of_tickets(centre, per_agent=3)
    away = centre.inspectors[2]
    away.profile.status = "on_leave"
    away.profile.save()
    plan = services.plan_draw(actor=centre.qm, plan=_plan(centre), seed=2)
    assert away.pk not in set(Inspection.objects.filter(plan=plan).values_list("inspector_id", flat=True))


def test_drawn_tickets_are_not_drawn_again_and_inspectors_are_told(centre, django_capture_on_commit_callbacks):
    tickets = _month_of_tickets(centre, per_agent=2)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_draw(actor=centre.qm, plan=_plan(centre), seed=4)
    assert Notification.objects.filter(kind="qa_assigned").count() == len(
        set(Inspection.objects.filter(plan=plan).values_list("inspector_id", flat=True))
    )
    again = SamplingPlan(period_start=PERIOD[0], period_end=PERIOD[1], rate=Decimal("1"), low_rating_max=2)
    candidates = {c.ticket_id for c in services.draw_inputs(again).candidates}
    drawn = set(Inspection.objects.filter(plan=plan).values_list("ticket_id", flat=True))
    assert candidates == {t.pk for t in tickets} - drawn


def test_monthly_task_creates_once_and_draws(centre):
    Scorecard.objects.exclude(pk=centre.card.pk).update(
        status=ScorecardStatus.SUPERSEDED, effective_until=dt.date(2000, 1, 1)
    )
    _month_of_tickets(centre, per_agent=2)
    first = tasks.monthly_plan(today=dt.date(2024, 4, 1))
    again = tasks.monthly_plan(today=dt.date(2024, 4, 1))
    assert first == again
    plan = selectors.plan_by_pk(first)
    assert (plan.period_start, plan.status, plan.drawn_by_id) == (PERIOD[0], PlanStatus.DRAWN, None)
    assert plan.seed is not None and plan.sampled >= len(centre.agents)


# --- scoring ------------------------------------------------------------------------------------------------


@pytest.fixture
def inspection(centre):
    return make_inspection(inspector=centre.inspectors[0], agent=centre.agents[0], scorecard=centre.card)


def test_save_keeps_partial_answers_and_marks_in_progress(centre, inspection):
    item = centre.card.items.order_by("position").first()
    services.inspection_save(actor=centre.inspectors[0], inspection=inspection, answers={item.pk: AnswerIn(points=2)})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS and inspection.answers.count() == 1


def test_submit_computes_the_score_and_opens_the_appeal_period(centre, inspection, django_capture_on_commit_callbacks):
    answers = full_answers(centre.card, {1: 3, 2: 1, 3: 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_submit(
            actor=centre.inspectors[0], inspection=inspection, answers=answers, summary="总体良好"
        )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.score == inspection.original_score == Decimal("55.00")
    assert inspection.appeal_deadline - inspection.submitted_at == dt.timedelta(days=5)
    note = Notification.objects.get(kind="qa_result", user=centre.agents[0])
    assert str(inspection.ticket.number) in note.text


def test_a_failed_critical_item_fails_the_inspection(centre, inspection):
    services.inspection_submit(
        actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card, {4: 0})
    )
    inspection.refresh_from_db()
    assert inspection.score == Decimal("0.00") and inspection.failed_critical


def test_submit_rules_name_the_field(centre, inspection):
    items = list(centre.card.items.order_by("position"))
    answers = full_answers(centre.card)
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(
            actor=centre.inspectors[0], inspection=inspection, answers={**answers, items[0].pk: AnswerIn(points=5)}
        )
    assert (
        f"answers.{items[0].pk}.points" in exc.value.errors and "5" in _errors(exc)[f"answers.{items[0].pk}.points"][0]
    )
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(
            actor=centre.inspectors[0],
            inspection=inspection,
            answers={k: v for k, v in answers.items() if k != items[1].pk},
        )
    assert list(exc.value.errors) == [f"answers.{items[1].pk}.points"]
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(
            actor=centre.inspectors[0],
            inspection=inspection,
            answers={**answers, items[3].pk: AnswerIn(not_applicable=True)},
        )
    assert f"answers.{items[3].pk}.points" in exc.value.errors  # a critical item always applies
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(
            actor=centre.inspectors[0], inspection=inspection, answers={**answers, items[3].pk: AnswerIn(points=0)}
        )
    assert f"answers.{items[3].pk}.comment" in exc.value.errors  # say why it failed
    stranger = TicketMessage.objects.exclude(ticket=inspection.ticket).first() or TicketMessage.objects.create(
        ticket=handled_ticket(centre.agents[1]), kind="customer", body="x", created_at=timezone.now()
    )
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(
            actor=centre.inspectors[0],
            inspection=inspection,
            answers={**answers, items[0].pk: AnswerIn(points=4, evidence=[stranger.pk])},
        )
    assert f"answers.{items[0].pk}.evidence" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(
            actor=centre.inspectors[0], inspection=inspection, answers={**answers, 999999: AnswerIn(points=1)}
        )
    assert "answers.999999" in exc.value.errors
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.ASSIGNED


def test_evidence_from_the_thread_is_kept(centre, inspection):
    message = inspection.ticket.messages.get(kind="reply")
    item = centre.card.items.order_by("position").first()
    answers = {**full_answers(centre.card), item.pk: AnswerIn(points=3, comment="回复及时", evidence=[message.pk])}
    services.inspection_submit(actor=centre.inspectors[0], inspection=inspection, answers=answers)
    assert inspection.answers.get(item=item).evidence == [message.pk]


def test_only_the_assigned_inspector_scores_and_only_once(centre, inspection):
    with pytest.raises(PermissionDeniedError):
        services.inspection_submit(actor=centre.inspectors[1], inspection=inspection, answers=full_answers(centre.card))
    services.inspection_submit(actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card))
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card))
    assert exc.value.code == "submitted"


# --- appeals ---------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(centre, inspection):
    services.inspection_submit(
        actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card, {1: 1, 2: 2})
    )
    inspection.refresh_from_db()
    return inspection


def test_appeal_by_the_agent_within_the_deadline(centre, submitted):
    appeal = services.appeal_file(actor=centre.agents[0], inspection=submitted, reason="第1项我已按规范问候。")
    submitted.refresh_from_db()
    assert submitted.status == InspectionStatus.APPEALED and appeal.original_score == submitted.score


def test_appeal_by_someone_else_is_refused_naming_the_rule(centre, submitted):
    with pytest.raises(DomainError) as exc:
        services.appeal_file(actor=centre.agents[1], inspection=submitted, reason="不服")
    assert exc.value.code == "not_own" and "inspection" in exc.value.errors
    with pytest.raises(PermissionDeniedError):
        services.appeal_file(actor=centre.inspectors[1], inspection=submitted, reason="不服")


def test_appeal_after_the_deadline_is_refused(centre, submitted):
    Inspection.objects.filter(pk=submitted.pk).update(appeal_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(DomainError) as exc:
        services.appeal_file(actor=centre.agents[0], inspection=submitted, reason="迟到的申诉")
    assert list(exc.value.errors) == ["appeal_deadline"] and exc.value.code == "expired"


def test_the_first_inspector_cannot_decide_and_nor_can_the_agents_team(centre, submitted):
    appeal = services.appeal_file(actor=centre.agents[0], inspection=submitted, reason="第1项我已按规范问候。")
    with pytest.raises(DomainError) as exc:
        services.appeal_decide(actor=centre.inspectors[0], appeal=appeal, outcome="rejected", note="维持")
    assert list(exc.value.errors) == ["decided_by"] and exc.value.code == "same_inspector"
    seconded = centre.inspectors[1]
    seconded.team = centre.team_a
    seconded.save()
    with pytest.raises(DomainError) as exc:
        services.appeal_decide(actor=seconded, appeal=appeal, outcome="rejected", note="维持")
    assert exc.value.code == "own_team"
    with pytest.raises(PermissionDeniedError):
        services.appeal_decide(actor=centre.lead_b, appeal=appeal, outcome="rejected", note="维持")


def test_partly_upheld_keeps_the_original_and_makes_the_result_final(
    centre, submitted, django_capture_on_commit_callbacks
):
    appeal = services.appeal_file(actor=centre.agents[0], inspection=submitted, reason="第1项我已按规范问候。")
    item1 = centre.card.items.get(position=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            actor=centre.inspectors[2],
            appeal=appeal,
            outcome=AppealOutcome.PARTLY_UPHELD,
            note="第1项改为3分",
            answers={item1.pk: AnswerIn(points=3)},
        )
    submitted.refresh_from_db()
    appeal.refresh_from_db()
    assert submitted.status == InspectionStatus.FINAL and submitted.finalised_at is not None
    # original: 40×1/4 + 30×2/4 + 25 + 5 = 55; after: 40×3/4 + 15 + 25 + 5 = 75
    assert (appeal.original_score, appeal.revised_score, submitted.score, submitted.original_score) == (
        Decimal("55.00"),
        Decimal("75.00"),
        Decimal("75.00"),
        Decimal("55.00"),
    )
    assert submitted.answers.get(item=item1, stage=AnswerStage.INSPECTOR).points == 1
    assert submitted.answers.get(item=item1, stage=AnswerStage.APPEAL).points == 3
    assert Notification.objects.filter(kind="qa_appeal", user=centre.agents[0]).exists()
    # item 2 (2 of 4) is not below half; nothing failed after the decision
    assert not TrainingNeed.objects.filter(inspection=submitted).exists()


def test_outcome_and_changes_must_agree(centre, submitted):
    appeal = services.appeal_file(actor=centre.agents[0], inspection=submitted, reason="不服")
    item1 = centre.card.items.get(position=1)
    with pytest.raises(DomainError) as exc:
        services.appeal_decide(
            actor=centre.qm, appeal=appeal, outcome="rejected", note="x", answers={item1.pk: AnswerIn(points=4)}
        )
    assert "answers" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.appeal_decide(actor=centre.qm, appeal=appeal, outcome="upheld", note="x")
    assert "answers" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.appeal_decide(actor=centre.qm, appeal=appeal, outcome="maybe", note="x")
    assert "outcome" in exc.value.errors
    services.appeal_decide(actor=centre.qm, appeal=appeal, outcome="rejected", note="证据不足，维持原评分")
    submitted.refresh_from_db()
    assert submitted.status == InspectionStatus.FINAL and submitted.score == Decimal("55.00")
    need = TrainingNeed.objects.get(inspection=submitted)
    assert (need.agent, need.item.position, need.status) == (centre.agents[0], 1, "proposed")
    with pytest.raises(DomainError) as exc:
        services.appeal_decide(actor=centre.inspectors[1], appeal=appeal, outcome="rejected", note="x")
    assert exc.value.code == "decided"


def test_accept_finalises_at_once_and_only_for_the_agent(centre, submitted):
    with pytest.raises(DomainError):
        services.inspection_accept(actor=centre.agents[1], inspection=submitted)
    services.inspection_accept(actor=centre.agents[0], inspection=submitted)
    submitted.refresh_from_db()
    assert submitted.status == InspectionStatus.FINAL
    with pytest.raises(DomainError) as exc:
        services.appeal_file(actor=centre.agents[0], inspection=submitted, reason="反悔")
    assert "inspection" in exc.value.errors


def test_unappealed_results_become_final_after_the_deadline_once(centre, submitted):
    assert services.finalise_expired() == 0
    later = submitted.appeal_deadline + dt.timedelta(seconds=1)
    assert services.finalise_expired(now=later) == 1
    assert services.finalise_expired(now=later) == 0
    submitted.refresh_from_db()
    assert submitted.status == InspectionStatus.FINAL
    assert TrainingNeed.objects.filter(inspection=submitted, item__position=1).exists()
    rows = list(selectors.inspection_scores_for_kpis())
    assert rows == [
        (
            submitted.pk,
            submitted.ticket_id,
            centre.agents[0].pk,
            centre.team_a.pk,
            Decimal("55.00"),
            timezone.localtime(submitted.finalised_at).date(),
        )
    ]
    assert (
        list(selectors.inspection_scores_for_kpis(changed_since=submitted.finalised_at + dt.timedelta(seconds=1))) == []
    )


# --- calibration ----------------------------------------------------------------------------------------


def test_calibration_session_scores_and_agreement(centre):
    tickets = [handled_ticket(centre.agents_b[0], day=dt.date(2024, 3, d)) for d in (4, 5, 6)]
    people = [*centre.inspectors, centre.qm]
    session = services.calibration_create(
        actor=centre.qm, name="三月校准", tickets=tickets, inspectors=people, scorecard=centre.card
    )
    rows = Inspection.objects.filter(calibration=session)
    assert rows.count() == 12 and set(rows.values_list("reason", flat=True)) == {"calibration"}
    # three inspectors agree, the quality manager scores item 1 two points lower every time
    for row in rows:
        low = row.inspector_id == centre.qm.pk
        points = {1: 2 if low else 4, 2: 3 if row.ticket_id != tickets[0].pk else 2}
        services.inspection_submit(actor=row.inspector, inspection=row, answers=full_answers(centre.card, points))
    report = selectors.calibration_report(session)
    assert report.submitted == report.expected == 12
    item1 = next(r for r in report.items if r.item.position == 1)
    assert item1.scores[centre.qm.pk] == [2, 2, 2] and item1.range == Decimal("2.00")
    assert item1.alpha is None or item1.alpha < Decimal("0.5")
    item2 = next(r for r in report.items if r.item.position == 2)
    assert item2.alpha == Decimal("1.000") and item2.sd == Decimal("0.00")
    deviations = {d.inspector.pk: d for d in report.deviations}
    assert deviations[centre.qm.pk].mean_deviation < 0 < deviations[centre.inspectors[0].pk].mean_deviation
    assert deviations[centre.qm.pk].alpha_without > report.alpha_overall
    assert not TrainingNeed.objects.exists()  # calibration never proposes training
    assert list(selectors.inspection_scores_for_kpis()) == []


def test_calibration_rules(centre):
    ticket = handled_ticket(centre.agents_a[0])
    with pytest.raises(DomainError) as exc:
        services.calibration_create(
            actor=centre.qm, name="x", tickets=[ticket], inspectors=[centre.inspectors[0]], scorecard=centre.card
        )
    assert "inspectors" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.calibration_create(
            actor=centre.qm,
            name="x",
            tickets=[ticket],
            inspectors=[centre.inspectors[0], centre.agents[1]],
            scorecard=centre.card,
        )
    assert "inspectors" in exc.value.errors
    with pytest.raises(DomainError) as exc:  # the lead of team A may not score team A's work
        services.calibration_create(
            actor=centre.qm,
            name="x",
            tickets=[ticket],
            inspectors=[centre.inspectors[0], UserFactory(role=Role.QA_INSPECTOR, team=centre.team_a)],
            scorecard=centre.card,
        )
    assert "inspectors" in exc.value.errors
    with pytest.raises(PermissionDeniedError):
        services.calibration_create(
            actor=centre.inspectors[0], name="x", tickets=[ticket], inspectors=centre.inspectors, scorecard=centre.card
        )


def test_a_closed_session_takes_no_more_scores(centre):
    ticket = handled_ticket(centre.agents_a[0])
    session = services.calibration_create(
        actor=centre.qm, name="x", tickets=[ticket], inspectors=centre.inspectors[:2], scorecard=centre.card
    )
    services.calibration_close(actor=centre.qm, session=session)
    row = Inspection.objects.filter(calibration=session).first()
    with pytest.raises(DomainError) as exc:
        services.inspection_submit(actor=row.inspector, inspection=row, answers=full_answers(centre.card))
    assert exc.value.code == "closed"


def test_the_default_scorecard_ships_with_weights_adding_up_to_100():
    card = Scorecard.objects.get(code="QA-DEFAULT", version=1)
    assert card.status == ScorecardStatus.EFFECTIVE
    services.check_weights(card)
    assert card.items.filter(critical=True).count() == 2
    assert card.sections.count() == 5


def test_tasks_are_scheduled_and_expire_appeals_through_the_queue(centre, submitted):
    from sqm import schedule

    assert {"inspections.monthly_plan", "inspections.expire_appeals"} <= set(schedule.PERIODIC)
    Inspection.objects.filter(pk=submitted.pk).update(appeal_deadline=timezone.now() - dt.timedelta(minutes=1))
    assert schedule.inspections_expire_appeals.call_local() == 1
    assert tasks.expire_appeals() == 0
    submitted.refresh_from_db()
    assert submitted.status == InspectionStatus.FINAL


def test_saving_answers_is_audited_and_submit_records_the_status_it_left(centre, inspection):
    item = centre.card.items.order_by("position").first()
    services.inspection_save(actor=centre.inspectors[0], inspection=inspection, answers={item.pk: AnswerIn(points=2)})
    saved = AuditEntry.objects.get(action="save", object_type="inspections.inspection", object_id=str(inspection.pk))
    assert saved.changes["status"] == {"before": "assigned", "after": "in_progress"}
    assert saved.changes["answers"]["after"] == {str(item.pk): {"points": 2, "comment": "", "evidence": []}}
    with pytest.raises(PermissionDeniedError):  # the capability is checked before anything else
        services.inspection_save(actor=centre.agents[0], inspection=inspection, answers={})
    direct = make_inspection(inspector=centre.inspectors[0], agent=centre.agents[1], scorecard=centre.card)
    services.inspection_submit(actor=centre.inspectors[0], inspection=direct, answers=full_answers(centre.card))
    submitted = AuditEntry.objects.get(action="submit", object_id=str(direct.pk))
    assert submitted.changes["status"] == {"before": "assigned", "after": "submitted"}


def test_the_appeal_period_comes_from_the_setting(centre, inspection, settings):
    settings.SQM_INSPECTION_APPEAL_DAYS = 2
    assert services.appeal_days() == 2
    services.inspection_submit(actor=centre.inspectors[0], inspection=inspection, answers=full_answers(centre.card))
    inspection.refresh_from_db()
    assert inspection.appeal_deadline - inspection.submitted_at == dt.timedelta(days=2)
    Inspection.objects.filter(pk=inspection.pk).update(
        appeal_deadline=timezone.now() - dt.timedelta(seconds=1), submitted_at=timezone.now() - dt.timedelta(days=2)
    )
    with pytest.raises(DomainError) as exc:
        services.appeal_file(actor=centre.agents[0], inspection=inspection, reason="第三天才申诉")
    assert exc.value.code == "expired"
