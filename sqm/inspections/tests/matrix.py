"""Permission-matrix rows of quality inspection (merged by sqm/core/tests/test_permission_matrix.py).

Many operations change the object they act on (submit, accept, appeal, decide, draw, delete), and
every role with the capability must succeed, so their ids are *fresh*: a :class:`Fresh` value
builds a new object for the calling user when the URL is formatted. What the object is depends on
what the user may do: an inspector gets an inspection assigned to them, an agent or team lead a
result of their own work, a quality manager a draft scorecard or plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import count
from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap, Role, can
from sqm.core.tests.matrix import Page

_serial = count(1)


class Fresh:
    """An id that is made when it is put into a path (``"{x}".format(x=Fresh(...))``)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def __format__(self, spec: str) -> str:
        return format(self.make().pk, spec)


def prepare(w: SimpleNamespace) -> None:
    from sqm.inspections import services
    from sqm.inspections.tests.factories import full_answers, handled_ticket, make_inspection, make_scorecard
    from sqm.org.tests.factories import UserFactory

    w.team.lead = w.users[Role.TEAM_LEAD]
    w.team.save()
    w.qa_card = make_scorecard(code="MATRIX")
    w.qa_other = UserFactory(role=Role.QA_INSPECTOR, username="matrix-qa")
    w.qa_second = UserFactory(role=Role.QA_INSPECTOR, username="matrix-qa2")
    w.qa_result = make_inspection(inspector=w.qa_other, agent=w.agent, scorecard=w.qa_card)
    services.inspection_submit(actor=w.qa_other, inspection=w.qa_result, answers=full_answers(w.qa_card))
    w.qa_open = make_inspection(inspector=w.qa_other, agent=w.agent, scorecard=w.qa_card)
    w.qa_plan = services.plan_create(
        actor=w.users[Role.QUALITY_MANAGER], period_start=dt.date(2001, 1, 1), scorecard=w.qa_card
    )
    services.plan_draw(actor=w.users[Role.QUALITY_MANAGER], plan=w.qa_plan, seed=1)
    w.qa_draft_plan = services.plan_create(
        actor=w.users[Role.QUALITY_MANAGER], period_start=dt.date(2001, 2, 1), scorecard=w.qa_card
    )
    w.qa_draft = make_scorecard((("100", False, 4),), status="draft", code="MATRIX-DRAFT", sections=1)
    w.qa_cal_ticket = handled_ticket(w.agent)
    w.qa_session = services.calibration_create(
        actor=w.users[Role.QUALITY_MANAGER],
        name="矩阵校准",
        tickets=[w.qa_cal_ticket],
        inspectors=[w.qa_other, w.qa_second],
        scorecard=w.qa_card,
    )
    w.qa_section = None


# --- fresh objects ---------------------------------------------------------------------------------------


def _assigned(w: SimpleNamespace, user: Any) -> Any:
    from sqm.inspections.tests.factories import make_inspection

    return make_inspection(inspector=user, agent=w.agent, scorecard=w.qa_card)


def _own_submitted(w: SimpleNamespace, user: Any) -> Any:
    from sqm.inspections import services
    from sqm.inspections.tests.factories import full_answers, make_inspection

    if user.team_id is None:
        user.team = w.team
        user.save()
    inspection = make_inspection(inspector=w.qa_other, agent=user, scorecard=w.qa_card)
    services.inspection_submit(actor=w.qa_other, inspection=inspection, answers=full_answers(w.qa_card))
    return inspection


def _inspection_for(w: SimpleNamespace, user: Any) -> Any:
    """What an inspection id means for ``user``: their own assignment, their own result, or any result."""
    if getattr(user, "role", None) is None:
        return w.qa_result
    if can(user, Cap.INSPECTION_PERFORM):
        return _assigned(w, user)
    if can(user, Cap.INSPECTION_APPEAL):
        return _own_submitted(w, user)
    return w.qa_result


def _pending_appeal(w: SimpleNamespace) -> Any:
    from sqm.inspections import services

    inspection = _own_submitted(w, w.agent)
    return services.appeal_file(actor=w.agent, inspection=inspection, reason="矩阵申诉")


def _draft_card(w: SimpleNamespace) -> Any:
    from sqm.inspections.tests.factories import make_scorecard

    card = make_scorecard((("100", False, 4),), status="draft", code=f"MX-{next(_serial)}", sections=1)
    w.qa_section = card.sections.get()
    return card


def _draft_item(w: SimpleNamespace) -> Any:
    return _draft_card(w).items.get()


def _draft_plan(w: SimpleNamespace) -> Any:
    from sqm.inspections import services

    return services.plan_create(
        actor=w.users[Role.QUALITY_MANAGER],
        period_start=dt.date(1900 + next(_serial) % 90, 6, 1),
        scorecard=w.qa_card,
    )


def path_params(w: SimpleNamespace, user: Any) -> dict[str, Any]:
    manager = can(user, Cap.INSPECTION_MANAGE)
    return {
        "inspection_id": Fresh(lambda: _inspection_for(w, user)),
        "appeal_id": Fresh(lambda: _pending_appeal(w)) if can(user, Cap.INSPECTION_PERFORM) else w.qa_plan.pk,
        "scorecard_id": Fresh(lambda: _draft_card(w)) if manager else w.qa_card.pk,
        "scorecard_item_id": Fresh(lambda: _draft_item(w)) if manager else w.qa_card.items.first().pk,
        "sampling_plan_id": Fresh(lambda: _draft_plan(w)) if manager else w.qa_plan.pk,
        "calibration_id": w.qa_session.pk,
    }


def _section_id(w: SimpleNamespace) -> int:
    return w.qa_section.pk if w.qa_section is not None else 1


def _submit_body(w: SimpleNamespace) -> dict[str, Any]:
    items = w.qa_card.items.order_by("position")
    return {
        "answers": [
            {"item_id": i.pk, "points": i.max_points, "comment": "" if not i.critical else "合格"} for i in items
        ]
    }


API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("GET", "/api/inspections/scorecards"): (Cap.INSPECTION_VIEW, None),
    ("POST", "/api/inspections/scorecards"): (
        Cap.INSPECTION_MANAGE,
        lambda w: {"code": f"API-{next(_serial)}", "name_zh": "矩阵评分表"},
    ),
    ("GET", "/api/inspections/scorecards/{scorecard_id}"): (Cap.INSPECTION_VIEW, None),
    ("POST", "/api/inspections/scorecards/{scorecard_id}/sections"): (
        Cap.INSPECTION_MANAGE,
        lambda w: {"name_zh": "沟通技巧"},
    ),
    ("POST", "/api/inspections/scorecards/{scorecard_id}/items"): (
        Cap.INSPECTION_MANAGE,
        lambda w: {"section_id": _section_id(w), "text_zh": "表达清晰", "weight": 10},
    ),
    ("PATCH", "/api/inspections/scorecards/items/{scorecard_item_id}"): (
        Cap.INSPECTION_MANAGE,
        lambda w: {"weight": 100},
    ),
    ("DELETE", "/api/inspections/scorecards/items/{scorecard_item_id}"): (Cap.INSPECTION_MANAGE, None),
    ("POST", "/api/inspections/scorecards/{scorecard_id}/publish"): (Cap.INSPECTION_MANAGE, lambda w: {}),
    ("POST", "/api/inspections/scorecards/{scorecard_id}/versions"): (Cap.INSPECTION_MANAGE, lambda w: {}),
    ("GET", "/api/inspections/plans"): (Cap.INSPECTION_VIEW, None),
    ("POST", "/api/inspections/plans"): (
        Cap.INSPECTION_MANAGE,
        lambda w: {"period_start": f"{1800 + next(_serial) % 90}-03-01", "scorecard_id": w.qa_card.pk},
    ),
    ("GET", "/api/inspections/plans/{sampling_plan_id}"): (Cap.INSPECTION_VIEW, None),
    ("POST", "/api/inspections/plans/{sampling_plan_id}/draw"): (Cap.INSPECTION_MANAGE, lambda w: {"seed": 7}),
    ("POST", "/api/inspections/plans/{sampling_plan_id}/close"): (Cap.INSPECTION_MANAGE, None),
    ("GET", "/api/inspections/plans/{sampling_plan_id}/verify"): (Cap.INSPECTION_VIEW, None),
    ("GET", "/api/inspections/assignments"): (Cap.INSPECTION_PERFORM, None),
    ("GET", "/api/inspections/inspections"): (Cap.INSPECTION_VIEW, None),
    ("GET", "/api/inspections/inspections/{inspection_id}"): (Cap.INSPECTION_VIEW, None),
    ("PUT", "/api/inspections/inspections/{inspection_id}/answers"): (
        Cap.INSPECTION_PERFORM,
        lambda w: {"answers": [], "summary": "进行中"},
    ),
    ("POST", "/api/inspections/inspections/{inspection_id}/submit"): (Cap.INSPECTION_PERFORM, _submit_body),
    ("GET", "/api/inspections/results"): (Cap.INSPECTION_APPEAL, None),
    ("GET", "/api/inspections/results/{inspection_id}"): (Cap.INSPECTION_APPEAL, None),
    ("POST", "/api/inspections/results/{inspection_id}/accept"): (Cap.INSPECTION_APPEAL, None),
    ("POST", "/api/inspections/results/{inspection_id}/appeal"): (
        Cap.INSPECTION_APPEAL,
        lambda w: {"reason": "第2项客户已表示满意。"},
    ),
    ("GET", "/api/inspections/appeals"): (Cap.INSPECTION_PERFORM, None),
    ("POST", "/api/inspections/appeals/{appeal_id}/decide"): (
        Cap.INSPECTION_PERFORM,
        lambda w: {"outcome": "rejected", "note": "证据不足，维持原评分。"},
    ),
    ("GET", "/api/inspections/calibrations"): (Cap.INSPECTION_VIEW, None),
    ("POST", "/api/inspections/calibrations"): (
        Cap.INSPECTION_MANAGE,
        lambda w: {
            "name": "矩阵校准",
            "ticket_ids": [w.qa_cal_ticket.pk],
            "inspector_ids": [w.qa_other.pk, w.qa_second.pk],
            "scorecard_id": w.qa_card.pk,
        },
    ),
    ("GET", "/api/inspections/calibrations/{calibration_id}"): (Cap.INSPECTION_VIEW, None),
    ("POST", "/api/inspections/calibrations/{calibration_id}/close"): (Cap.INSPECTION_MANAGE, None),
    ("GET", "/api/inspections/agents/{user_id}"): (Cap.INSPECTION_VIEW, None),
}


# --- pages --------------------------------------------------------------------------------------------


def _own(w: SimpleNamespace, u: Any) -> dict[str, int]:
    if getattr(u, "role", None) is not None and can(u, Cap.INSPECTION_APPEAL):
        return {"pk": _own_submitted(w, u).pk}
    return {"pk": w.qa_result.pk}


def _scoring(w: SimpleNamespace, u: Any) -> dict[str, int]:
    if getattr(u, "role", None) is not None and can(u, Cap.INSPECTION_PERFORM):
        return {"pk": _assigned(w, u).pk}
    return {"pk": w.qa_open.pk}


def _manager(make: Callable[[SimpleNamespace], Any], fallback: Callable[[SimpleNamespace], Any]) -> Any:
    def kwargs(w: SimpleNamespace, u: Any) -> dict[str, int]:
        if getattr(u, "role", None) is not None and can(u, Cap.INSPECTION_MANAGE):
            return {"pk": make(w).pk}
        return {"pk": fallback(w).pk}

    return kwargs


def _appeal(w: SimpleNamespace, u: Any) -> dict[str, int]:
    return {"pk": _pending_appeal(w).pk}


PAGES = {
    "inspections:my_results": Page(Cap.INSPECTION_APPEAL),
    "inspections:my_result": Page(Cap.INSPECTION_APPEAL, kwargs=_own),
    "inspections:result_accept": Page(Cap.INSPECTION_APPEAL, "POST", _own),
    "inspections:result_appeal": Page(Cap.INSPECTION_APPEAL, kwargs=_own),
    "inspections:queue": Page(Cap.INSPECTION_PERFORM),
    "inspections:inspection_list": Page(Cap.INSPECTION_VIEW),
    "inspections:inspection_detail": Page(Cap.INSPECTION_VIEW, kwargs=lambda w, u: {"pk": w.qa_result.pk}),
    "inspections:inspection_score": Page(Cap.INSPECTION_PERFORM, kwargs=_scoring),
    "inspections:inspection_reassign": Page(Cap.INSPECTION_MANAGE, "POST", lambda w, u: {"pk": w.qa_open.pk}),
    "inspections:appeal_list": Page(Cap.INSPECTION_PERFORM),
    "inspections:appeal_decide": Page(Cap.INSPECTION_PERFORM, kwargs=_appeal),
    "inspections:agent_results": Page(Cap.INSPECTION_VIEW, kwargs=lambda w, u: {"pk": w.agent.pk}),
    "inspections:plan_list": Page(Cap.INSPECTION_VIEW),
    "inspections:plan_create": Page(Cap.INSPECTION_MANAGE),
    "inspections:plan_detail": Page(Cap.INSPECTION_VIEW, kwargs=lambda w, u: {"pk": w.qa_plan.pk}),
    "inspections:plan_draw": Page(Cap.INSPECTION_MANAGE, "POST", _manager(_draft_plan, lambda w: w.qa_draft_plan)),
    "inspections:plan_close": Page(Cap.INSPECTION_MANAGE, "POST", lambda w, u: {"pk": w.qa_plan.pk}),
    "inspections:plan_verify": Page(Cap.INSPECTION_VIEW, kwargs=lambda w, u: {"pk": w.qa_plan.pk}),
    "inspections:scorecard_list": Page(Cap.INSPECTION_VIEW),
    "inspections:scorecard_create": Page(Cap.INSPECTION_MANAGE),
    "inspections:scorecard_detail": Page(Cap.INSPECTION_VIEW, kwargs=lambda w, u: {"pk": w.qa_card.pk}),
    "inspections:scorecard_section_add": Page(Cap.INSPECTION_MANAGE, "POST", lambda w, u: {"pk": w.qa_draft.pk}),
    "inspections:scorecard_item_add": Page(Cap.INSPECTION_MANAGE, "POST", lambda w, u: {"pk": w.qa_draft.pk}),
    "inspections:scorecard_publish": Page(Cap.INSPECTION_MANAGE, "POST", _manager(_draft_card, lambda w: w.qa_draft)),
    "inspections:scorecard_new_version": Page(Cap.INSPECTION_MANAGE, "POST", lambda w, u: {"pk": w.qa_card.pk}),
    "inspections:scorecard_section_delete": Page(
        Cap.INSPECTION_MANAGE,
        "POST",
        _manager(lambda w: _draft_card(w).sections.get(), lambda w: w.qa_draft.sections.get()),
    ),
    "inspections:scorecard_item_edit": Page(
        Cap.INSPECTION_MANAGE, kwargs=lambda w, u: {"pk": w.qa_draft.items.first().pk}
    ),
    "inspections:scorecard_item_delete": Page(
        Cap.INSPECTION_MANAGE, "POST", _manager(_draft_item, lambda w: w.qa_draft.items.first())
    ),
    "inspections:calibration_list": Page(Cap.INSPECTION_VIEW),
    "inspections:calibration_create": Page(Cap.INSPECTION_MANAGE),
    "inspections:calibration_detail": Page(Cap.INSPECTION_VIEW, kwargs=lambda w, u: {"pk": w.qa_session.pk}),
    "inspections:calibration_close": Page(Cap.INSPECTION_MANAGE, "POST", lambda w, u: {"pk": w.qa_session.pk}),
}
