"""Permission-matrix rows of feedback (merged by sqm/core/tests/test_permission_matrix.py).

Rating is for customers (``Cap.FEEDBACK_RATE``) on their own resolved tickets: the row's ticket
belongs to the matrix's customer, so the customer gets 201/200 and every staff role 403. The
list needs ``Cap.TICKET_VIEW``; excluding a rating from the KPIs ``Cap.FEEDBACK_MODERATE``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import Page


def prepare(w: SimpleNamespace) -> None:
    from sqm.feedback.tests.factories import RatingFactory, ResolvedTicketFactory

    w.feedback_ticket = ResolvedTicketFactory(customer=w.users[Role.CUSTOMER], assignee=w.agent)
    w.feedback_rating = RatingFactory()


def path_params(w: SimpleNamespace, user: Any) -> dict[str, Any]:
    return {"rating_id": w.feedback_rating.pk}


PAGES = {
    "feedback:rating_list": Page(Cap.TICKET_VIEW),
    "feedback:rating_flag": Page(Cap.FEEDBACK_MODERATE, "POST", lambda w, u: {"pk": w.feedback_rating.pk}),
}

API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("POST", "/api/feedback/ratings"): (
        Cap.FEEDBACK_RATE,
        lambda w: {"ticket_id": w.feedback_ticket.pk, "score": 5, "recommend": 9, "comment": "师傅很专业"},
    ),
    ("GET", "/api/feedback/ratings"): (Cap.TICKET_VIEW, None),
    ("POST", "/api/feedback/ratings/{rating_id}/flag"): (
        Cap.FEEDBACK_MODERATE,
        lambda w: {"counted": False, "reason": "同一客户重复恶意差评"},
    ),
}
