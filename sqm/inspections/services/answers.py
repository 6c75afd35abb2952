"""Per-item answers of an inspection: the shape forms and the API send (:class:`AnswerIn`), their
check against the scorecard and the ticket's thread, storage per stage, and the score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError
from sqm.core.validation import clean_text
from sqm.inspections import sampling, scoring
from sqm.inspections.models import Inspection, InspectionAnswer, ScorecardItem
from sqm.inspections.services.base import MAX_TEXT

Errors = dict[str, list[Any]]


@dataclass(frozen=True)
class AnswerIn:
    """One item's answer as a form or the API sends it: points (or N/A), comment, evidence."""

    points: int | None = None
    not_applicable: bool = False
    comment: str = ""
    evidence: Sequence[int] = field(default_factory=tuple)


def stored_answers(inspection: Inspection, stage: str) -> dict[int, AnswerIn]:
    """The answers of one stage as :class:`AnswerIn` (points ``None`` = N/A)."""
    return {
        a.item_id: AnswerIn(
            points=a.points, not_applicable=a.points is None, comment=a.comment, evidence=tuple(a.evidence)
        )
        for a in inspection.answers.filter(stage=stage)
    }


def _points_errors(item: ScorecardItem, answer: AnswerIn, *, complete: bool) -> list[Any]:
    """What is wrong with the points of one answer (empty, N/A where not allowed, out of range)."""
    if answer.points is None and not answer.not_applicable:
        if complete:
            return [
                _("Score “%(item)s” (0 to %(max)d, or not applicable).") % {"item": item.text, "max": item.max_points}
            ]
        return []
    if answer.not_applicable:
        if item.critical:
            return [_("A critical item always applies: score “%(item)s” pass (1) or fail (0).") % {"item": item.text}]
        if answer.points is not None:
            return [_("Give points or mark the item not applicable, not both.")]
        return []
    if answer.points is not None and not 0 <= answer.points <= item.max_points:
        return [
            _("Points for “%(item)s” lie between 0 and %(max)d; %(got)s is out of range.")
            % {"item": item.text, "max": item.max_points, "got": answer.points}
        ]
    return []


def _check_one(
    inspection: Inspection,
    item: ScorecardItem,
    answer: AnswerIn,
    thread: set[int],
    errors: Errors,
    *,
    complete: bool,
) -> AnswerIn:
    """One item's answer checked (errors collected under ``answers.<item>.<part>``), as it is kept."""
    key = f"answers.{item.pk}"
    for message in _points_errors(item, answer, complete=complete):
        errors.setdefault(f"{key}.points", []).append(message)
    try:
        comment = clean_text(answer.comment, f"{key}.comment", MAX_TEXT, required=False)
    except DomainError as exc:
        for name, msgs in exc.errors.items():
            errors.setdefault(name, []).extend(msgs)
        comment = ""
    evidence = sorted({int(m) for m in answer.evidence})
    stray = [m for m in evidence if m not in thread]
    if stray:
        errors.setdefault(f"{key}.evidence", []).append(
            _("Message %(ids)s is not in the thread of ticket %(ticket)s.")
            % {"ids": ", ".join(map(str, stray[:5])), "ticket": inspection.ticket.number}
        )
    if item.critical and answer.points == 0 and complete and not comment:
        errors.setdefault(f"{key}.comment", []).append(_("Say why a critical item failed."))
    return AnswerIn(
        points=None if answer.not_applicable else answer.points,
        not_applicable=answer.not_applicable,
        comment=comment,
        evidence=tuple(evidence),
    )


def check_answers(
    inspection: Inspection, answers: Mapping[int, AnswerIn], *, complete: bool
) -> tuple[list[ScorecardItem], dict[int, AnswerIn]]:
    """The scorecard's items and the answers checked against them; errors name ``answers.<item>.<part>``.
    ``complete``: every item must be answered (points or N/A) and at least one must apply."""
    from sqm.tickets.models import TicketMessage

    items = list(ScorecardItem.objects.filter(scorecard_id=inspection.scorecard_id))
    by_id = {item.pk: item for item in items}
    errors: Errors = {}
    for item_id in answers:
        if item_id not in by_id:
            errors.setdefault(f"answers.{item_id}", []).append(_("This item is not on the inspection's scorecard."))
    thread = set(TicketMessage.objects.filter(ticket_id=inspection.ticket_id).values_list("pk", flat=True))
    checked: dict[int, AnswerIn] = {}
    for item in items:
        answer = answers.get(item.pk)
        if answer is None:
            if complete:
                errors.setdefault(f"answers.{item.pk}.points", []).append(
                    _("Score “%(item)s” (0 to %(max)d, or not applicable).")
                    % {"item": item.text, "max": item.max_points}
                )
            continue
        checked[item.pk] = _check_one(inspection, item, answer, thread, errors, complete=complete)
    if complete and checked and all(a.not_applicable for a in checked.values()):
        errors.setdefault("answers", []).append(_("At least one item must apply."))
    if errors:
        raise DomainError(errors=errors)
    return items, checked


def write_answers(inspection: Inspection, answers: Mapping[int, AnswerIn], stage: str) -> None:
    """Replace the answers of ``stage`` with ``answers``."""
    InspectionAnswer.objects.filter(inspection=inspection, stage=stage).delete()
    InspectionAnswer.objects.bulk_create(
        [
            InspectionAnswer(
                inspection=inspection,
                item_id=item_id,
                stage=stage,
                points=a.points,
                comment=a.comment,
                evidence=list(a.evidence),
            )
            for item_id, a in answers.items()
        ]
    )


def score_of(items: Sequence[ScorecardItem], answers: Mapping[int, AnswerIn]) -> scoring.Score:
    """The score of checked ``answers`` on ``items`` (see :mod:`sqm.inspections.scoring`)."""
    rules = [scoring.ItemRule(i.pk, i.weight, i.max_points, i.critical) for i in items]
    return scoring.compute(rules, {item_id: a.points for item_id, a in answers.items()})


def answers_digest(answers: Mapping[int, AnswerIn]) -> dict[str, Any]:
    """Answers as the audit chain keeps them: points per item, comments by their hash."""
    return {
        str(item_id): {
            "points": a.points,
            "comment": sampling.digest(a.comment)[:16] if a.comment else "",
            "evidence": list(a.evidence),
        }
        for item_id, a in sorted(answers.items())
    }
