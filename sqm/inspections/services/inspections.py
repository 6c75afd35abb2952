"""Inspections: reassigning open work, the inspector's scoring (save for later, submit), and a
result becoming final (the agent accepts, or the appeal period ends unappealed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.core.validation import clean_text
from sqm.inspections.models import (
    OPEN_STATUSES,
    AnswerStage,
    CalibrationStatus,
    Inspection,
    InspectionStatus,
)
from sqm.inspections.services.answers import (
    AnswerIn,
    answers_digest,
    check_answers,
    score_of,
    stored_answers,
    write_answers,
)
from sqm.inspections.services.base import MAX_TEXT, appeal_days, notify, now, require
from sqm.inspections.services.eligibility import may_judge
from sqm.inspections.services.training import propose_training


def lock_inspection(inspection: Inspection) -> Inspection:
    """The inspection, locked for this transaction, with its ticket, agent, scorecard and session."""
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("ticket", "agent", "scorecard", "calibration")
        .get(pk=inspection.pk)
    )


def _check_new_inspector(inspection: Inspection, inspector: Any) -> None:
    if inspection.status not in OPEN_STATUSES:
        raise DomainError(_("Only an inspection not yet submitted can be reassigned."), field="status")
    if not can(inspector, Cap.INSPECTION_PERFORM):
        raise DomainError(_("Choose a QA inspector or quality manager."), field="inspector")
    if not may_judge(inspector, inspection):
        raise DomainError(_("This person may not inspect their own or their team's work."), field="inspector")
    if (
        inspection.is_calibration
        and Inspection.objects.filter(
            calibration=inspection.calibration, ticket=inspection.ticket, inspector=inspector
        ).exists()
    ):
        raise DomainError(_("This inspector already scores this ticket in the session."), field="inspector")


@transaction.atomic
def inspection_reassign(*, actor: Any, inspection: Inspection, inspector: Any) -> Inspection:
    """Give an open inspection to another inspector (e.g. the first is on leave). The same rules as
    the draw apply: never own work, never own team's."""
    require(actor, Cap.INSPECTION_MANAGE)
    inspection = lock_inspection(inspection)
    _check_new_inspector(inspection, inspector)
    before = inspection.inspector_id
    inspection.inspector = inspector
    inspection.updated_at = now()
    inspection.save(update_fields=["inspector", "updated_at"])
    audit_append(
        actor=actor,
        action="reassign",
        target=inspection,
        changes={"inspector": {"before": before, "after": inspector.pk}},
    )
    return inspection


def _check_scorer(actor: Any, inspection: Inspection) -> None:
    """Only the assigned inspector scores, and only while the inspection (and its session) is open."""
    if inspection.inspector_id != actor.pk:
        raise PermissionDeniedError(_("This inspection is assigned to someone else."))
    if inspection.status not in OPEN_STATUSES:
        raise DomainError(
            _("This inspection was submitted already; its result can change only through an appeal."),
            field="status",
            code="submitted",
        )
    session = inspection.calibration
    if session is not None and session.status != CalibrationStatus.OPEN:
        raise DomainError(_("The calibration session is closed."), field="status", code="closed")


@transaction.atomic
def inspection_save(
    *, actor: Any, inspection: Inspection, answers: Mapping[int, AnswerIn], summary: str | None = None
) -> Inspection:
    """Keep the inspector's answers so far (nothing needs to be complete); the inspection is then
    in progress."""
    require(actor, Cap.INSPECTION_PERFORM)
    inspection = lock_inspection(inspection)
    _check_scorer(actor, inspection)
    _items, checked = check_answers(inspection, answers, complete=False)
    if summary is not None:
        inspection.summary = clean_text(summary, "summary", MAX_TEXT, required=False)
    write_answers(inspection, checked, AnswerStage.INSPECTOR)
    at = now()
    before = inspection.status
    if inspection.status == InspectionStatus.ASSIGNED:
        inspection.status = InspectionStatus.IN_PROGRESS
        inspection.started_at = at
    inspection.updated_at = at
    inspection.save()
    audit_append(
        actor=actor,
        action="save",
        target=inspection,
        changes={
            "status": {"before": before, "after": inspection.status},
            "answers": {"before": None, "after": answers_digest(checked)},
        },
    )
    return inspection


@transaction.atomic
def inspection_submit(
    *,
    actor: Any,
    inspection: Inspection,
    answers: Mapping[int, AnswerIn] | None = None,
    summary: str | None = None,
) -> Inspection:
    """Submit the inspection: every item answered (points or N/A; critical items pass/fail), the
    score computed (see ``scoring``). The agent is told and may appeal for ``appeal_days()`` days.
    A calibration inspection just counts towards its session."""
    require(actor, Cap.INSPECTION_PERFORM)
    inspection = lock_inspection(inspection)
    _check_scorer(actor, inspection)
    if answers is None:
        answers = stored_answers(inspection, AnswerStage.INSPECTOR)
    items, checked = check_answers(inspection, answers, complete=True)
    if summary is not None:
        inspection.summary = clean_text(summary, "summary", MAX_TEXT, required=False)
    write_answers(inspection, checked, AnswerStage.INSPECTOR)
    result = score_of(items, checked)
    at = now()
    before = inspection.status
    inspection.score = inspection.original_score = result.score
    inspection.failed_critical = inspection.original_failed_critical = result.failed_critical
    inspection.status = InspectionStatus.SUBMITTED
    inspection.started_at = inspection.started_at or at
    inspection.submitted_at = at
    inspection.updated_at = at
    if not inspection.is_calibration:
        inspection.appeal_deadline = at + dt.timedelta(days=appeal_days())
    inspection.save()
    audit_append(
        actor=actor,
        action="submit",
        target=inspection,
        changes={
            "status": {"before": before, "after": inspection.status},
            "score": {"before": None, "after": result.score},
            "failed_critical": {"before": False, "after": result.failed_critical},
            "answers": {"before": None, "after": answers_digest(checked)},
        },
    )
    if not inspection.is_calibration:
        pk = inspection.pk
        transaction.on_commit(lambda: _notify_result(pk))
    return inspection


def _notify_result(inspection_id: int) -> None:
    inspection = Inspection.objects.select_related("agent", "ticket").get(pk=inspection_id)
    agent = inspection.agent
    with translation.override(agent.language or settings.LANGUAGE_CODE):
        deadline = timezone.localtime(inspection.appeal_deadline) if inspection.appeal_deadline else None
        text = _("QA result for %(ticket)s: %(score)s points. You may appeal until %(deadline)s.") % {
            "ticket": inspection.ticket.number,
            "score": inspection.score,
            "deadline": f"{deadline:%Y-%m-%d %H:%M}" if deadline else "-",
        }
        notify([agent], "qa_result", str(text), reverse("inspections:my_result", args=[inspection.pk]))


def finalise(inspection: Inspection, *, actor: Any, action: str) -> None:
    """Make a (locked) result final and propose training needs for its failed items; audited as
    ``action``. Part of accepting, deciding an appeal and the end of the appeal period."""
    at = now()
    before = inspection.status
    inspection.status = InspectionStatus.FINAL
    inspection.finalised_at = at
    inspection.updated_at = at
    inspection.save(update_fields=["status", "finalised_at", "updated_at", "score", "failed_critical"])
    propose_training(inspection, at)
    audit_append(
        actor=actor,
        action=action,
        target=inspection,
        changes={
            "status": {"before": before, "after": InspectionStatus.FINAL},
            "score": {"before": None, "after": inspection.score},
        },
    )


@transaction.atomic
def inspection_accept(*, actor: Any, inspection: Inspection) -> Inspection:
    """The inspected agent accepts the result before the appeal period ends: it is final at once."""
    require(actor, Cap.INSPECTION_APPEAL)
    inspection = lock_inspection(inspection)
    if inspection.agent_id != actor.pk:
        raise DomainError(_("Only the inspected agent may accept this result."), field="inspection", code="not_own")
    if inspection.status != InspectionStatus.SUBMITTED or inspection.is_calibration:
        raise DomainError(_("This result is not waiting for you to accept or appeal it."), field="status")
    finalise(inspection, actor=actor, action="accept")
    return inspection


def finalise_expired(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The system's step: results whose appeal period has ended unappealed become final. Returns
    how many; running it again finds nothing new."""
    moment = now or timezone.now()
    ids = list(
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED, appeal_deadline__lt=moment, calibration__isnull=True
        )
        .order_by("appeal_deadline", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            inspection = Inspection.objects.select_for_update().filter(pk=pk).first()
            if inspection is None or inspection.status != InspectionStatus.SUBMITTED:
                continue
            if inspection.appeal_deadline is None or inspection.appeal_deadline >= moment:
                continue
            finalise(inspection, actor=None, action="finalise")
            done += 1
    return done
