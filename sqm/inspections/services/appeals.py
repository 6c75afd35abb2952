"""Appeals (申诉): the inspected agent appeals a submitted result within the appeal period; a
second inspector — never the one who scored it, nor anyone for whom it is own or own team's
work — decides. The inspector's answers and the score as submitted stay beside the decision."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append
from sqm.core.errors import DomainError
from sqm.core.roles import Cap, can
from sqm.core.validation import check_choice, clean_text
from sqm.inspections import sampling
from sqm.inspections.models import AnswerStage, Appeal, AppealOutcome, Inspection, InspectionStatus
from sqm.inspections.services.answers import AnswerIn, check_answers, score_of, stored_answers, write_answers
from sqm.inspections.services.base import MAX_TEXT, notify, now, require
from sqm.inspections.services.eligibility import may_judge
from sqm.inspections.services.inspections import finalise, lock_inspection


def _check_appealable(actor: Any, inspection: Inspection) -> None:
    if inspection.agent_id != actor.pk:
        raise DomainError(_("Only the inspected agent may appeal this result."), field="inspection", code="not_own")
    if inspection.is_calibration or inspection.status != InspectionStatus.SUBMITTED:
        if inspection.status == InspectionStatus.APPEALED:
            raise DomainError(_("This result is appealed already."), field="inspection", code="appealed")
        raise DomainError(_("Only a submitted result that is not final can be appealed."), field="inspection")
    if inspection.appeal_deadline is None or now() > inspection.appeal_deadline:
        raise DomainError(
            _("The appeal period ended on %(deadline)s.")
            % {"deadline": f"{timezone.localtime(inspection.appeal_deadline):%Y-%m-%d %H:%M}"},
            field="appeal_deadline",
            code="expired",
        )


@transaction.atomic
def appeal_file(*, actor: Any, inspection: Inspection, reason: str) -> Appeal:
    """The inspected agent appeals a submitted result before its deadline, saying why."""
    require(actor, Cap.INSPECTION_APPEAL)
    inspection = lock_inspection(inspection)
    _check_appealable(actor, inspection)
    text = clean_text(reason, "reason", MAX_TEXT)
    at = now()
    appeal = Appeal.objects.create(
        inspection=inspection,
        filed_by=actor,
        reason=text,
        filed_at=at,
        original_score=inspection.score or Decimal(0),
        original_failed_critical=inspection.failed_critical,
    )
    inspection.status = InspectionStatus.APPEALED
    inspection.updated_at = at
    inspection.save(update_fields=["status", "updated_at"])
    audit_append(
        actor=actor,
        action="appeal",
        target=inspection,
        changes={
            "status": {"before": InspectionStatus.SUBMITTED, "after": InspectionStatus.APPEALED},
            "reason": {"before": None, "after": f"sha256:{sampling.digest(text)} ({len(text)} chars)"},
        },
    )
    return appeal


def may_decide_appeal(user: Any, inspection: Inspection) -> bool:
    """Whether ``user`` may decide the pending appeal on ``inspection``: a second inspector (holds
    ``INSPECTION_PERFORM``, did not score it) for whom it is not own or own team's work."""
    appeal = getattr(inspection, "appeal", None)
    return (
        appeal is not None
        and appeal.is_pending
        and can(user, Cap.INSPECTION_PERFORM)
        and inspection.inspector_id != user.pk
        and may_judge(user, inspection)
    )


def _check_decider(actor: Any, appeal: Appeal, inspection: Inspection) -> None:
    if appeal.decided_at is not None:
        raise DomainError(_("This appeal was decided already."), field="appeal", code="decided")
    if inspection.inspector_id == actor.pk:
        raise DomainError(
            _("The inspector who scored this result cannot decide its appeal; a second inspector must."),
            field="decided_by",
            code="same_inspector",
        )
    if not may_judge(actor, inspection):
        raise DomainError(
            _("You may not decide an appeal about your own or your team's work."), field="decided_by", code="own_team"
        )


def _changed_items(current: Mapping[int, AnswerIn], changes: Mapping[int, AnswerIn]) -> list[int]:
    """The items whose points (or N/A) the decision changes."""
    return [
        item_id
        for item_id, a in changes.items()
        if item_id not in current
        or (a.points, a.not_applicable) != (current[item_id].points, current[item_id].not_applicable)
    ]


def _check_outcome(outcome: str, changed_ids: list[int]) -> None:
    if outcome == AppealOutcome.REJECTED and changed_ids:
        raise DomainError(_("A rejected appeal changes no item; choose “partly upheld” or “upheld”."), field="answers")
    if outcome != AppealOutcome.REJECTED and not changed_ids:
        raise DomainError(_("Change the points of at least one item the appeal is right about."), field="answers")


def _revise(inspection: Inspection, current: Mapping[int, AnswerIn], changes: Mapping[int, AnswerIn]) -> None:
    """Write the decision's complete set of answers (stage ``appeal``) and rescore the result; a
    changed item keeps the inspector's comment and evidence unless new ones are given."""
    revised = dict(current)
    for item_id, a in changes.items():
        old = current.get(item_id)
        revised[item_id] = AnswerIn(
            points=a.points,
            not_applicable=a.not_applicable,
            comment=a.comment or (old.comment if old else ""),
            evidence=tuple(a.evidence) or (old.evidence if old else ()),
        )
    items, checked = check_answers(inspection, revised, complete=True)
    write_answers(inspection, checked, AnswerStage.APPEAL)
    result = score_of(items, checked)
    inspection.score = result.score
    inspection.failed_critical = result.failed_critical


@transaction.atomic
def appeal_decide(
    *,
    actor: Any,
    appeal: Appeal,
    outcome: str,
    note: str,
    answers: Mapping[int, AnswerIn] | None = None,
) -> Appeal:
    """A second inspector (never the one who scored it, nor anyone in the agent's team) decides.

    ``rejected`` keeps the result; ``upheld`` and ``partly_upheld`` change at least one item's
    answer (``answers``: only the items that change). The changed result is kept as the appeal
    stage of the answers; the inspector's answers and the original score stay. The result is then
    final.
    """
    require(actor, Cap.INSPECTION_PERFORM)
    appeal = Appeal.objects.select_for_update().select_related("inspection").get(pk=appeal.pk)
    inspection = lock_inspection(appeal.inspection)
    _check_decider(actor, appeal, inspection)
    check_choice(outcome, AppealOutcome, "outcome")
    text = clean_text(note, "note", MAX_TEXT)
    current = stored_answers(inspection, AnswerStage.INSPECTOR)
    changes = dict(answers or {})
    changed_ids = _changed_items(current, changes)
    _check_outcome(outcome, changed_ids)
    if changed_ids:
        _revise(inspection, current, changes)
    appeal.outcome = outcome
    appeal.decision_note = text
    appeal.decided_by = actor
    appeal.decided_at = now()
    appeal.revised_score = inspection.score
    appeal.revised_failed_critical = inspection.failed_critical
    appeal.save()
    audit_append(
        actor=actor,
        action="decide",
        target=appeal,
        changes={
            "outcome": {"before": "", "after": outcome},
            "score": {"before": appeal.original_score, "after": inspection.score},
            "changed_items": {"before": None, "after": sorted(changed_ids)},
        },
    )
    finalise(inspection, actor=actor, action="finalise")
    pk = inspection.pk
    transaction.on_commit(lambda: _notify_decision(pk))
    return appeal


def _notify_decision(inspection_id: int) -> None:
    inspection = Inspection.objects.select_related("agent", "ticket", "appeal").get(pk=inspection_id)
    agent = inspection.agent
    with translation.override(agent.language or settings.LANGUAGE_CODE):
        text = _("Your appeal on %(ticket)s was decided: %(outcome)s; final score %(score)s.") % {
            "ticket": inspection.ticket.number,
            "outcome": inspection.appeal.get_outcome_display(),
            "score": inspection.score,
        }
        notify([agent], "qa_appeal", str(text), reverse("inspections:my_result", args=[inspection.pk]))
