"""REST endpoints of quality inspection (``/api/inspections``).

The capability is checked before anything is looked up, so a role without it gets 403 for every
id; an object outside the caller's scope (another team's result, someone else's assignment) is
404. Writes go through :mod:`sqm.inspections.services` (broken rules: 400 naming the field),
reads through :mod:`sqm.inspections.selectors`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.inspections import selectors, services
from sqm.inspections.models import CalibrationSession, Inspection, SamplingPlan, Scorecard
from sqm.inspections.schemas import (
    AgentOut,
    AnswerIn,
    AnswersIn,
    AppealIn,
    AppealOut,
    AppealQueueOut,
    CalibrationCreateIn,
    CalibrationOut,
    CalibrationReportOut,
    DecideIn,
    DrawIn,
    InspectionDetailOut,
    InspectionFilters,
    InspectionListOut,
    InspectionOut,
    ItemIn,
    ItemPatchIn,
    NewVersionIn,
    Paging,
    PlanCreateIn,
    PlanDetailOut,
    PlanOut,
    PublishIn,
    ScorecardCreateIn,
    ScorecardDetailOut,
    ScorecardOut,
    SectionIn,
    SubmitIn,
    VerifyOut,
)
from sqm.org.schemas import Id

router = Router()


def _require(request: HttpRequest, cap: Cap) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    if not can(actor, cap):
        raise PermissionDeniedError()
    return actor


def _found(obj: Any) -> Any:
    if obj is None:
        raise Http404(_("Not found."))
    return obj


@contextmanager
def _api_fields(**renames: str) -> Iterator[None]:
    """Name service errors after the request's fields (``section`` → ``section_id``)."""
    try:
        yield
    except DomainError as exc:
        if renames:
            exc.errors = {renames.get(field, field): messages for field, messages in exc.errors.items()}
        raise


def _answers(rows: Sequence[AnswerIn] | None) -> dict[int, services.AnswerIn] | None:
    if rows is None:
        return None
    result: dict[int, services.AnswerIn] = {}
    for index, row in enumerate(rows):
        if row.item_id in result:
            raise DomainError(_("This item is answered twice."), field=f"answers.{index}.item_id", code="duplicate")
        result[row.item_id] = services.AnswerIn(
            points=row.points, not_applicable=row.not_applicable, comment=row.comment, evidence=tuple(row.evidence)
        )
    return result


# --- scorecards ---------------------------------------------------------------------------------------


def _scorecard(pk: int) -> Scorecard:
    return _found(selectors.scorecard_detail(pk))


@router.get("/scorecards", response=list[ScorecardOut], summary="Scorecard versions")
def scorecards_list(request: HttpRequest) -> Any:
    """Every version of every scorecard, newest version of each code first."""
    _require(request, Cap.INSPECTION_VIEW)
    return list(selectors.scorecards())


@router.post("/scorecards", response={201: ScorecardDetailOut}, summary="Start a scorecard")
def scorecards_create(request: HttpRequest, payload: ScorecardCreateIn) -> Any:
    """A new scorecard code, as draft version 1."""
    actor = _require(request, Cap.INSPECTION_MANAGE)
    card = services.scorecard_create(actor=actor, **payload.model_dump())
    return Status(201, _scorecard(card.pk))


@router.get("/scorecards/{scorecard_id}", response=ScorecardDetailOut, summary="One scorecard version")
def scorecards_get(request: HttpRequest, scorecard_id: Id) -> Any:
    """Sections and items in order, with the sum of the weights."""
    _require(request, Cap.INSPECTION_VIEW)
    return _scorecard(scorecard_id)


@router.post("/scorecards/{scorecard_id}/sections", response={201: ScorecardDetailOut}, summary="Add a section")
def scorecards_section_add(request: HttpRequest, scorecard_id: Id, payload: SectionIn) -> Any:
    actor = _require(request, Cap.INSPECTION_MANAGE)
    card = _scorecard(scorecard_id)
    services.scorecard_section_add(actor=actor, scorecard=card, **payload.model_dump())
    return Status(201, _scorecard(scorecard_id))


@router.post("/scorecards/{scorecard_id}/items", response={201: ScorecardDetailOut}, summary="Add an item")
def scorecards_item_add(request: HttpRequest, scorecard_id: Id, payload: ItemIn) -> Any:
    """Add an item to a section of a draft. Critical items are scored pass/fail (0–1)."""
    actor = _require(request, Cap.INSPECTION_MANAGE)
    card = _scorecard(scorecard_id)
    data = payload.model_dump()
    section = selectors.section_by_pk(data.pop("section_id"))
    if section is None or section.scorecard_id != card.pk:
        raise DomainError(_("There is no such section on this scorecard."), field="section_id", code="not_found")
    services.scorecard_item_add(actor=actor, section=section, **data)
    return Status(201, _scorecard(scorecard_id))


@router.patch("/scorecards/items/{scorecard_item_id}", response=ScorecardDetailOut, summary="Change an item")
def scorecards_item_patch(request: HttpRequest, scorecard_item_id: Id, payload: ItemPatchIn) -> Any:
    actor = _require(request, Cap.INSPECTION_MANAGE)
    item = _found(selectors.item_by_pk(scorecard_item_id))
    services.scorecard_item_update(actor=actor, item=item, **payload.model_dump(exclude_unset=True))
    return _scorecard(item.scorecard_id)


@router.delete("/scorecards/items/{scorecard_item_id}", response={204: None}, summary="Remove an item")
def scorecards_item_delete(request: HttpRequest, scorecard_item_id: Id) -> Any:
    actor = _require(request, Cap.INSPECTION_MANAGE)
    services.scorecard_item_delete(actor=actor, item=_found(selectors.item_by_pk(scorecard_item_id)))
    return Status(204, None)


@router.post("/scorecards/{scorecard_id}/publish", response=ScorecardDetailOut, summary="Publish a draft")
def scorecards_publish(request: HttpRequest, scorecard_id: Id, payload: PublishIn) -> Any:
    """Make the draft the version in force; refused unless the item weights add up to 100."""
    actor = _require(request, Cap.INSPECTION_MANAGE)
    services.scorecard_publish(actor=actor, scorecard=_scorecard(scorecard_id), effective_from=payload.effective_from)
    return _scorecard(scorecard_id)


@router.post("/scorecards/{scorecard_id}/versions", response={201: ScorecardDetailOut}, summary="New version")
def scorecards_new_version(request: HttpRequest, scorecard_id: Id, payload: NewVersionIn) -> Any:
    """A draft copy of the latest version of this scorecard's code."""
    actor = _require(request, Cap.INSPECTION_MANAGE)
    card = services.scorecard_new_version(actor=actor, scorecard=_scorecard(scorecard_id), **payload.model_dump())
    return Status(201, _scorecard(card.pk))


# --- plans ----------------------------------------------------------------------------------------------


def _plan_detail(plan: SamplingPlan) -> SamplingPlan:
    """The plan with its strata and workload attached for :class:`PlanDetailOut`."""
    plan.strata_rows = [row.__dict__ for row in selectors.plan_strata(plan)]  # type: ignore[attr-defined]
    plan.workload = selectors.plan_workload(plan)  # type: ignore[attr-defined]
    return plan


@router.get("/plans", response=list[PlanOut], summary="Sampling plans")
def plans_list(request: HttpRequest, paging: Query[Paging]) -> Any:
    """Plans, newest period first, with their seed and achieved rate."""
    _require(request, Cap.INSPECTION_VIEW)
    return list(selectors.plans()[paging.offset : paging.offset + paging.limit])


@router.post("/plans", response={201: PlanDetailOut}, summary="Create a sampling plan")
def plans_create(request: HttpRequest, payload: PlanCreateIn) -> Any:
    """A plan for a period (default: the calendar month of ``period_start``)."""
    actor = _require(request, Cap.INSPECTION_MANAGE)
    data = payload.model_dump()
    scorecard_id = data.pop("scorecard_id")
    scorecard = None
    if scorecard_id is not None:
        scorecard = selectors.published_scorecards().filter(pk=scorecard_id).first()
        if scorecard is None:
            raise DomainError(_("There is no published scorecard with this id."), field="scorecard_id")
    with _api_fields(scorecard="scorecard_id"):
        plan = services.plan_create(actor=actor, scorecard=scorecard, **data)
    return Status(201, _plan_detail(_found(selectors.plan_detail(plan.pk))))


@router.get("/plans/{sampling_plan_id}", response=PlanDetailOut, summary="One plan with its achieved rates")
def plans_get(request: HttpRequest, sampling_plan_id: Id) -> Any:
    """Per agent and ticket type: handled, quota, drawn, inspected and the rates; per inspector the workload."""
    _require(request, Cap.INSPECTION_VIEW)
    return _plan_detail(_found(selectors.plan_detail(sampling_plan_id)))


@router.post("/plans/{sampling_plan_id}/draw", response=PlanDetailOut, summary="Draw the plan (double random)")
def plans_draw(request: HttpRequest, sampling_plan_id: Id, payload: DrawIn) -> Any:
    """Draw tickets and inspectors at random from ``seed`` (a new random one when omitted)."""
    actor = _require(request, Cap.INSPECTION_MANAGE)
    plan = _found(selectors.plan_by_pk(sampling_plan_id))
    with _api_fields(scorecard="scorecard_id"):
        services.plan_draw(actor=actor, plan=plan, seed=payload.seed)
    return _plan_detail(_found(selectors.plan_detail(sampling_plan_id)))


@router.post("/plans/{sampling_plan_id}/close", response=PlanDetailOut, summary="Close a plan")
def plans_close(request: HttpRequest, sampling_plan_id: Id) -> Any:
    actor = _require(request, Cap.INSPECTION_MANAGE)
    services.plan_close(actor=actor, plan=_found(selectors.plan_by_pk(sampling_plan_id)))
    return _plan_detail(_found(selectors.plan_detail(sampling_plan_id)))


@router.get("/plans/{sampling_plan_id}/verify", response=VerifyOut, summary="Re-check a draw from its seed")
def plans_verify(request: HttpRequest, sampling_plan_id: Id) -> Any:
    """Re-run the draw from the stored inputs and seed and compare digests (``ok``); an undrawn plan
    answers ``drawn: false``."""
    _require(request, Cap.INSPECTION_VIEW)
    _found(selectors.plan_by_pk(sampling_plan_id))
    check = selectors.plan_verify(sampling_plan_id)
    if check is None:  # not drawn: nothing to confirm
        return {"ok": False, "drawn": False, "seed": None, "inputs_ok": False, "result_ok": False}
    return {**check.__dict__, "ok": check.ok, "drawn": True, "reassigned": [list(r) for r in check.reassigned]}


# --- inspections ---------------------------------------------------------------------------------------


@router.get("/assignments", response=list[InspectionOut], summary="My inspections to do")
def assignments(request: HttpRequest, paging: Query[Paging]) -> Any:
    """The caller's assigned and in-progress inspections (calibration included), oldest first."""
    actor = _require(request, Cap.INSPECTION_PERFORM)
    return list(selectors.assignments(actor)[paging.offset : paging.offset + paging.limit])


@router.get("/inspections", response=InspectionListOut, summary="QA results")
def inspections_list(request: HttpRequest, filters: Query[InspectionFilters]) -> Any:
    """Submitted, appealed and final results the caller may see (team leads: their teams')."""
    actor = _require(request, Cap.INSPECTION_VIEW)
    qs = selectors.filter_results(
        selectors.results_for(actor),
        agent_id=filters.agent_id,
        team_id=filters.team_id,
        status=filters.status or "",
        plan_id=filters.plan_id,
        inspector_id=filters.inspector_id,
    )
    return {"count": qs.count(), "items": list(qs[filters.offset : filters.offset + filters.limit])}


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut, summary="One inspection")
def inspections_get(request: HttpRequest, inspection_id: Id) -> Any:
    """An inspection with every answer (the inspector's and, after an appeal, the decision's)."""
    actor = _require(request, Cap.INSPECTION_VIEW)
    return _found(selectors.inspection_visible(actor, inspection_id))


def _own_work(actor: Any, inspection_id: int) -> Inspection:
    return _found(selectors.inspection_for_inspector(actor, inspection_id))


@router.put("/inspections/{inspection_id}/answers", response=InspectionDetailOut, summary="Save answers")
def inspections_save(request: HttpRequest, inspection_id: Id, payload: AnswersIn) -> Any:
    """Keep the answers given so far (partial is fine); the inspection is then in progress."""
    actor = _require(request, Cap.INSPECTION_PERFORM)
    inspection = _own_work(actor, inspection_id)
    answers = _answers(payload.answers) or {}
    services.inspection_save(actor=actor, inspection=inspection, answers=answers, summary=payload.summary)
    return _own_work(actor, inspection_id)


@router.post("/inspections/{inspection_id}/submit", response=InspectionDetailOut, summary="Submit an inspection")
def inspections_submit(request: HttpRequest, inspection_id: Id, payload: SubmitIn) -> Any:
    """Submit with ``answers`` (or the saved ones): every item scored or N/A; the score is computed."""
    actor = _require(request, Cap.INSPECTION_PERFORM)
    inspection = _own_work(actor, inspection_id)
    services.inspection_submit(
        actor=actor, inspection=inspection, answers=_answers(payload.answers), summary=payload.summary
    )
    return _own_work(actor, inspection_id)


# --- the agent's own results -----------------------------------------------------------------------------


@router.get("/results", response=list[InspectionOut], summary="My QA results")
def results_list(request: HttpRequest, paging: Query[Paging]) -> Any:
    """The caller's own results (as the inspected agent), newest first."""
    actor = _require(request, Cap.INSPECTION_APPEAL)
    return list(selectors.own_results(actor)[paging.offset : paging.offset + paging.limit])


@router.get("/results/{inspection_id}", response=InspectionDetailOut, summary="One of my QA results")
def results_get(request: HttpRequest, inspection_id: Id) -> Any:
    actor = _require(request, Cap.INSPECTION_APPEAL)
    return _found(selectors.own_result(actor, inspection_id))


@router.post("/results/{inspection_id}/accept", response=InspectionDetailOut, summary="Accept a result")
def results_accept(request: HttpRequest, inspection_id: Id) -> Any:
    """Accept the result before the appeal deadline: it becomes final at once."""
    actor = _require(request, Cap.INSPECTION_APPEAL)
    services.inspection_accept(actor=actor, inspection=_found(selectors.appealable(actor, inspection_id)))
    return _found(selectors.own_result(actor, inspection_id))


@router.post("/results/{inspection_id}/appeal", response={201: InspectionDetailOut}, summary="Appeal a result")
def results_appeal(request: HttpRequest, inspection_id: Id, payload: AppealIn) -> Any:
    """Appeal within the deadline, saying why; a second inspector decides. Only the inspected agent may."""
    actor = _require(request, Cap.INSPECTION_APPEAL)
    inspection = _found(selectors.appealable(actor, inspection_id))
    services.appeal_file(actor=actor, inspection=inspection, reason=payload.reason)
    return Status(201, _found(selectors.own_result(actor, inspection_id)))


# --- appeals ------------------------------------------------------------------------------------------------


@router.get("/appeals", response=list[AppealQueueOut], summary="Appeals I may decide")
def appeals_list(request: HttpRequest, paging: Query[Paging]) -> Any:
    """Undecided appeals on results the caller did not score and that are not their team's work."""
    actor = _require(request, Cap.INSPECTION_PERFORM)
    return list(selectors.appeals_pending(actor)[paging.offset : paging.offset + paging.limit])


@router.post("/appeals/{appeal_id}/decide", response=AppealOut, summary="Decide an appeal")
def appeals_decide(request: HttpRequest, appeal_id: Id, payload: DecideIn) -> Any:
    """Upheld or partly upheld: send the items that change in ``answers``; rejected changes none."""
    actor = _require(request, Cap.INSPECTION_PERFORM)
    appeal = _found(selectors.appeal_by_pk(appeal_id))
    services.appeal_decide(
        actor=actor, appeal=appeal, outcome=payload.outcome, note=payload.note, answers=_answers(payload.answers)
    )
    return _found(selectors.appeal_by_pk(appeal_id))


# --- calibration ----------------------------------------------------------------------------------------


def _report(session: CalibrationSession) -> dict[str, Any]:
    report = selectors.calibration_report(session)
    return {
        "session": session,
        "ticket_ids": [t.pk for t in report.tickets],
        "inspectors": report.inspectors,
        "items": [
            {
                "item_id": row.item.pk,
                "text": row.item.text,
                "scores": {str(k): v for k, v in row.scores.items()},
                "sd": row.sd,
                "range": row.range,
                "alpha": row.alpha,
            }
            for row in report.items
        ],
        "alpha_overall": report.alpha_overall,
        "alpha_scores": report.alpha_scores,
        "deviations": report.deviations,
        "submitted": report.submitted,
        "expected": report.expected,
    }


@router.get("/calibrations", response=list[CalibrationOut], summary="Calibration sessions")
def calibrations_list(request: HttpRequest, paging: Query[Paging]) -> Any:
    _require(request, Cap.INSPECTION_VIEW)
    return list(selectors.calibrations()[paging.offset : paging.offset + paging.limit])


@router.post("/calibrations", response={201: CalibrationReportOut}, summary="Start a calibration session")
def calibrations_create(request: HttpRequest, payload: CalibrationCreateIn) -> Any:
    """Every inspector in ``inspector_ids`` scores every ticket in ``ticket_ids``."""
    actor = _require(request, Cap.INSPECTION_MANAGE)
    tickets = selectors.tickets_by_ids(payload.ticket_ids)
    if len(tickets) != len(set(payload.ticket_ids)):
        raise DomainError(_("Some ticket ids do not exist."), field="ticket_ids", code="not_found")
    people = selectors.users_by_ids(payload.inspector_ids)
    if len(people) != len(set(payload.inspector_ids)):
        raise DomainError(_("Some inspector ids do not exist."), field="inspector_ids", code="not_found")
    scorecard = None
    if payload.scorecard_id is not None:
        scorecard = selectors.published_scorecards().filter(pk=payload.scorecard_id).first()
        if scorecard is None:
            raise DomainError(_("There is no published scorecard with this id."), field="scorecard_id")
    with _api_fields(tickets="ticket_ids", inspectors="inspector_ids", scorecard="scorecard_id"):
        session = services.calibration_create(
            actor=actor, name=payload.name, tickets=tickets, inspectors=people, scorecard=scorecard, note=payload.note
        )
    return Status(201, _report(_found(selectors.calibration_detail(session.pk))))


@router.get("/calibrations/{calibration_id}", response=CalibrationReportOut, summary="Calibration results")
def calibrations_get(request: HttpRequest, calibration_id: Id) -> Any:
    """Per item each inspector's points, spread and Krippendorff's alpha; per inspector the deviation."""
    _require(request, Cap.INSPECTION_VIEW)
    return _report(_found(selectors.calibration_detail(calibration_id)))


@router.post("/calibrations/{calibration_id}/close", response=CalibrationOut, summary="Close a calibration session")
def calibrations_close(request: HttpRequest, calibration_id: Id) -> Any:
    actor = _require(request, Cap.INSPECTION_MANAGE)
    services.calibration_close(actor=actor, session=_found(selectors.calibration_detail(calibration_id)))
    return _found(selectors.calibration_detail(calibration_id))


# --- agents ------------------------------------------------------------------------------------------------


@router.get("/agents/{user_id}", response=AgentOut, summary="An agent's QA summary")
def agents_get(request: HttpRequest, user_id: Id) -> Any:
    """Count, mean score, critical failures, appeals and proposed training needs of one agent."""
    actor = _require(request, Cap.INSPECTION_VIEW)
    agent = selectors.user_by_pk(user_id)
    if agent is None or not selectors.may_see_agent(actor, agent):
        raise Http404
    summary = selectors.agent_summary(agent.pk)
    return {**summary.__dict__, "agent": agent, "training_needs": list(selectors.training_needs(agent.pk)[:100])}
