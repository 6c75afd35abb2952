"""Training needs (培训需求) that final results propose: one per item the agent failed (below half
of its points, or a failed critical item). Recorded now; the training app will plan from them."""

from __future__ import annotations

import datetime as dt

from sqm.inspections import scoring
from sqm.inspections.models import AnswerStage, Inspection, InspectionAnswer, ScorecardItem, TrainingNeed


def final_answers(inspection: Inspection) -> list[InspectionAnswer]:
    """The answers that count: the appeal decision's where there is one, else the inspector's."""
    answers = list(inspection.answers.all())
    appeal = [a for a in answers if a.stage == AnswerStage.APPEAL]
    return appeal or [a for a in answers if a.stage == AnswerStage.INSPECTOR]


def propose_training(inspection: Inspection, at: dt.datetime) -> int:
    """Propose a training need for each failed item of a final result (once per item); returns
    how many were proposed. Part of making a result final, inside its transaction."""
    items = {i.pk: i for i in ScorecardItem.objects.filter(scorecard_id=inspection.scorecard_id)}
    needs = []
    for answer in final_answers(inspection):
        item = items.get(answer.item_id)
        if item is None or not scoring.is_failed(answer.points, item.max_points):
            continue
        needs.append(
            TrainingNeed(
                agent_id=inspection.agent_id,
                item=item,
                inspection=inspection,
                note=answer.comment[:1000],
                created_at=at,
            )
        )
    TrainingNeed.objects.bulk_create(needs, ignore_conflicts=True)
    return len(needs)
