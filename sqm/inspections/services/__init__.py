"""Writes of quality inspection: scorecards, sampling plans and their double-random draws,
scoring, appeals, calibration sessions and training needs.

Every public function checks the actor's capability, validates (raising ``DomainError`` that
names the field), saves inside one transaction, appends to the audit chain and queues follow-up
work (notices) on commit. Functions without an ``actor`` are the system's own steps, run by
tasks (``tasks.py``): the monthly plan and the end of appeal periods.

Who may do what (``core/roles.py``): quality managers manage scorecards, plans and calibration
sessions (``INSPECTION_MANAGE``); QA inspectors and quality managers score and decide appeals
(``INSPECTION_PERFORM``); the inspected agent accepts or appeals (``INSPECTION_APPEAL``).

The modules: :mod:`.scorecards`, :mod:`.plans`, :mod:`.draws` (双随机), :mod:`.eligibility`
(never own or own team's work), :mod:`.answers` and :mod:`.inspections` (scoring, submitting,
results becoming final), :mod:`.appeals`, :mod:`.calibration`, :mod:`.training`; :mod:`.base`
holds what they share. Import from this package: ``from sqm.inspections import services``.
"""

from sqm.inspections.services.answers import AnswerIn, score_of
from sqm.inspections.services.appeals import appeal_decide, appeal_file, may_decide_appeal
from sqm.inspections.services.base import (
    ITEM_FIELDS,
    MAX_CALIBRATION_INSPECTORS,
    MAX_CALIBRATION_TICKETS,
    MAX_SEED,
    MAX_TEXT,
    PLAN_FIELDS,
    SCORECARD_FIELDS,
    appeal_days,
)
from sqm.inspections.services.calibration import calibration_close, calibration_create
from sqm.inspections.services.draws import draw_inputs, plan_draw, system_plan_draw
from sqm.inspections.services.eligibility import eligible_inspectors, may_judge
from sqm.inspections.services.inspections import (
    finalise_expired,
    inspection_accept,
    inspection_reassign,
    inspection_save,
    inspection_submit,
)
from sqm.inspections.services.plans import month_bounds, plan_close, plan_create, plan_delete, plan_month_ensure
from sqm.inspections.services.scorecards import (
    check_weights,
    scorecard_create,
    scorecard_in_force,
    scorecard_item_add,
    scorecard_item_delete,
    scorecard_item_update,
    scorecard_new_version,
    scorecard_publish,
    scorecard_section_add,
    scorecard_section_delete,
    scorecard_update,
)
from sqm.inspections.services.training import final_answers

__all__ = [
    "ITEM_FIELDS",
    "MAX_CALIBRATION_INSPECTORS",
    "MAX_CALIBRATION_TICKETS",
    "MAX_SEED",
    "MAX_TEXT",
    "PLAN_FIELDS",
    "SCORECARD_FIELDS",
    "AnswerIn",
    "appeal_days",
    "appeal_decide",
    "appeal_file",
    "calibration_close",
    "calibration_create",
    "check_weights",
    "draw_inputs",
    "eligible_inspectors",
    "final_answers",
    "finalise_expired",
    "inspection_accept",
    "inspection_reassign",
    "inspection_save",
    "inspection_submit",
    "may_decide_appeal",
    "may_judge",
    "month_bounds",
    "plan_close",
    "plan_create",
    "plan_delete",
    "plan_draw",
    "plan_month_ensure",
    "score_of",
    "scorecard_create",
    "scorecard_in_force",
    "scorecard_item_add",
    "scorecard_item_delete",
    "scorecard_item_update",
    "scorecard_new_version",
    "scorecard_publish",
    "scorecard_section_add",
    "scorecard_section_delete",
    "scorecard_update",
    "system_plan_draw",
]
