"""Permission-matrix rows of the SLA pages: calendars (``Cap.CALENDAR_MANAGE``), policies
(``Cap.PROCESS_MANAGE``), each staff member's own notifications (``Cap.TICKET_VIEW``) and a
ticket's SLA panel (``Cap.TICKET_VIEW``; the ticket is the one of :mod:`.matrix`)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap
from sqm.core.tests.matrix import Page


def prepare(w: SimpleNamespace) -> None:
    from django.utils import timezone

    from sqm.tickets.models import CalendarDay, Notification, SlaPolicy, WorkCalendar
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults()
    w.sla_calendar = WorkCalendar.objects.get(is_default=True)
    w.sla_day = CalendarDay.objects.create(calendar=w.sla_calendar, date=dt.date(2030, 1, 2), kind="holiday")
    w.sla_draft = SlaPolicy.objects.create(
        code="matrix",
        version=1,
        name="matrix",
        effective_from=dt.date(2030, 1, 1),
        response_minutes=5,
        resolution_minutes=10,
    )
    w.sla_notes = {
        role: Notification.objects.create(user=user, kind="sla_test", text="t", created_at=timezone.now())
        for role, user in w.users.items()
    }


def refresh(w: SimpleNamespace) -> None:
    from sqm.tickets.models import CalendarDay

    if not CalendarDay.objects.filter(pk=w.sla_day.pk).exists():
        w.sla_day = CalendarDay.objects.create(calendar=w.sla_calendar, date=dt.date(2030, 1, 2), kind="holiday")


def _note(w: SimpleNamespace, u: Any) -> dict[str, int]:
    notes = w.sla_notes
    return {"pk": (notes.get(u.role) or next(iter(notes.values()))).pk}


PAGES = {
    "sla:calendar_list": Page(Cap.CALENDAR_MANAGE),
    "sla:calendar_create": Page(Cap.CALENDAR_MANAGE),
    "sla:calendar_detail": Page(Cap.CALENDAR_MANAGE, kwargs=lambda w, u: {"pk": w.sla_calendar.pk}),
    "sla:calendar_edit": Page(Cap.CALENDAR_MANAGE, kwargs=lambda w, u: {"pk": w.sla_calendar.pk}),
    "sla:calendar_day_add": Page(Cap.CALENDAR_MANAGE, "POST", lambda w, u: {"pk": w.sla_calendar.pk}),
    "sla:calendar_day_delete": Page(
        Cap.CALENDAR_MANAGE, "POST", lambda w, u: {"pk": w.sla_calendar.pk, "day_pk": w.sla_day.pk}
    ),
    "sla:calendar_import": Page(Cap.CALENDAR_MANAGE, "POST", lambda w, u: {"pk": w.sla_calendar.pk}),
    "sla:calendar_export": Page(Cap.CALENDAR_MANAGE, kwargs=lambda w, u: {"pk": w.sla_calendar.pk}),
    "sla:team_calendar_set": Page(Cap.CALENDAR_MANAGE, "POST", lambda w, u: {"team_pk": w.team.pk}),
    "sla:policy_list": Page(Cap.PROCESS_MANAGE),
    "sla:policy_create": Page(Cap.PROCESS_MANAGE),
    "sla:policy_publish": Page(Cap.PROCESS_MANAGE, "POST", lambda w, u: {"pk": w.sla_draft.pk}),
    "sla:notification_list": Page(Cap.TICKET_VIEW),
    "sla:notification_read_all": Page(Cap.TICKET_VIEW, "POST"),
    "sla:notification_read": Page(Cap.TICKET_VIEW, "POST", _note),
    "tickets:sla_panel": Page(Cap.TICKET_VIEW, kwargs=lambda w, u: {"pk": w.ui_ticket.pk}),
}
API: dict = {}
