"""Permission-matrix rows of rating links, QR codes and the complaint rule.

The rating-link page, the QR page and ``POST /api/feedback/links/rate`` are PUBLIC: the signed
token (or the code's token) is the credential, so every role and nobody at all get the page. QR
codes and the rule need ``Cap.FEEDBACK_MANAGE``, the follow-ups ``Cap.TICKET_VIEW``, the
customer's own list ``Cap.FEEDBACK_RATE``. Deactivation hits a spare code that ``refresh``
reactivates, so the public QR page keeps answering 200.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap, Role
from sqm.core.tests.matrix import PUBLIC, Page


def prepare(w: SimpleNamespace) -> None:
    from django.utils import timezone

    from sqm.feedback.links.models import QrCode
    from sqm.feedback.tests.factories import ResolvedTicketFactory
    from sqm.tickets.models import Status

    now = timezone.now()
    w.links_ticket = ResolvedTicketFactory(
        customer=w.users[Role.CUSTOMER], assignee=w.agent, status=Status.CLOSED, closed_at=now
    )
    admin = w.users[Role.ADMIN]
    w.links_qr = QrCode.objects.create(token="matrix-qr", label="柜台 1", team=w.team, created_by=admin, created_at=now)
    w.links_qr_spare = QrCode.objects.create(
        token="matrix-spare", label="柜台 2", team=w.team, created_by=admin, created_at=now
    )


def refresh(w: SimpleNamespace) -> None:
    from sqm.feedback.links.models import QrCode

    QrCode.objects.filter(pk=w.links_qr_spare.pk).update(is_active=True, deactivated_at=None)


def _token(w: SimpleNamespace) -> str:
    from sqm.feedback.links.services import link_token

    return link_token(ticket_id=w.links_ticket.pk, customer_id=w.users[Role.CUSTOMER].pk)


def path_params(w: SimpleNamespace, user: Any) -> dict[str, Any]:
    return {"code_id": w.links_qr_spare.pk}


PAGES = {
    "feedback:links_rate": Page(PUBLIC, kwargs=lambda w, u: {"token": _token(w)}),
    "feedback:links_qr": Page(PUBLIC, kwargs=lambda w, u: {"token": w.links_qr.token}),
    "feedback:links_mine": Page(Cap.FEEDBACK_RATE),
    "feedback:links_qr_list": Page(Cap.FEEDBACK_MANAGE),
    "feedback:links_qr_create": Page(Cap.FEEDBACK_MANAGE, "POST"),
    "feedback:links_qr_sheet": Page(Cap.FEEDBACK_MANAGE),
    "feedback:links_qr_deactivate": Page(Cap.FEEDBACK_MANAGE, "POST", lambda w, u: {"pk": w.links_qr_spare.pk}),
    "feedback:links_qr_png": Page(Cap.FEEDBACK_MANAGE, kwargs=lambda w, u: {"pk": w.links_qr.pk}),
    "feedback:links_qr_svg": Page(Cap.FEEDBACK_MANAGE, kwargs=lambda w, u: {"pk": w.links_qr.pk}),
    "feedback:links_rule": Page(Cap.FEEDBACK_MANAGE),
    "feedback:links_rule_measure": Page(Cap.FEEDBACK_MANAGE, "POST"),
    "feedback:links_follow_ups": Page(Cap.TICKET_VIEW),
}

API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("POST", "/api/feedback/links/rate"): (PUBLIC, lambda w: {"token": _token(w), "score": 4, "comment": "很及时"}),
    ("GET", "/api/feedback/links/qr-codes"): (Cap.FEEDBACK_MANAGE, None),
    ("POST", "/api/feedback/links/qr-codes"): (
        Cap.FEEDBACK_MANAGE,
        lambda w: {"label": f"柜台 {w.counter() + 10}", "team_id": w.team.pk},
    ),
    ("POST", "/api/feedback/links/qr-codes/{code_id}/deactivate"): (Cap.FEEDBACK_MANAGE, None),
    ("GET", "/api/feedback/links/rule"): (Cap.FEEDBACK_MANAGE, None),
    ("PATCH", "/api/feedback/links/rule"): (Cap.FEEDBACK_MANAGE, lambda w: {"score_threshold": 1}),
    ("GET", "/api/feedback/links/follow-ups"): (Cap.TICKET_VIEW, None),
}
