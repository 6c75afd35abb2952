"""The SLA sweep: fires warnings, breaches and escalations whose time has come.

Cost follows the clocks falling due, not the open tickets: each clock carries
``next_check_at``, the earliest alarm it still has to fire (NULL while paused or when nothing is
left), under a partial index; the sweep reads only rows whose ``next_check_at`` has passed.

Exactly once, also with several sweepers and with a sweeper killed mid-run: a batch of rows is
claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite's IMMEDIATE transactions
let one writer in at a time), and each alarm's flag, its :class:`SlaEvent` and its
:class:`Notification` rows are written in that same transaction. A killed sweeper's transaction
rolls back whole, so the next sweep fires those alarms (once); a committed alarm has its flag
set, so no sweep fires it again. Mail goes out after commit; a notification whose mail was
never sent (the worker died in between) is mailed by a later sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sqm.tickets.models import Notification, SlaEvent, TicketClock
from sqm.tickets.sla import services

log = logging.getLogger(__name__)
BATCH_SIZE = 200
MAIL_RETRY_AFTER = dt.timedelta(minutes=5)


@dataclass
class SweepResult:
    clocks: int = 0
    events: int = 0
    notifications: int = 0


def due_clocks(now: dt.datetime, limit: int) -> list[TicketClock]:
    """Claim up to ``limit`` clocks with an alarm due (rows other sweepers hold are skipped)."""
    return list(
        TicketClock.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("ticket__team__lead", "ticket__assignee", "calendar", "policy")
        .filter(next_check_at__lte=now)
        .order_by("next_check_at", "pk")[:limit]
    )


def sweep(
    *,
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    on_row: Callable[[TicketClock], None] | None = None,
) -> SweepResult:
    """Fire every alarm due by ``now``, one batch per transaction; returns what was done.

    ``on_row`` is called after each clock inside the batch's transaction (tests use it to be
    killed mid-batch).
    """
    now = now or timezone.now()
    result = SweepResult()
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            clocks = due_clocks(now, batch_size)
            for clock in clocks:
                if clock.pk in seen:  # cannot happen: a fired clock's next check lies after ``now``
                    log.error("SLA clock %s is due again within one sweep; stopping", clock.pk)
                    return result
                seen.add(clock.pk)
                _fire(clock, now, result)
                if on_row is not None:
                    on_row(clock)
        if len(clocks) < batch_size:
            return result


def _fire(clock: TicketClock, now: dt.datetime, result: SweepResult) -> None:
    ticket = clock.ticket
    events, notify = services.fire_due(clock, ticket, now)
    clock.next_check_at = services.next_check(clock)
    clock.risk = services.risk_of(clock)
    clock.updated_at = now
    clock.save(
        update_fields=[
            "response_warned",
            "response_breached",
            "response_escalated",
            "resolution_warned",
            "resolution_breached",
            "resolution_escalated",
            "next_check_at",
            "risk",
            "updated_at",
        ]
    )
    if events:
        SlaEvent.objects.bulk_create(events)
        result.notifications += len(services.notify_events(notify, clock, ticket)) if notify else 0
    result.clocks += 1
    result.events += len(events)


# --- mail ------------------------------------------------------------------------------------------


def send_notification_mail(notification_id: int) -> bool:
    """Mail one notification (once: the row is locked, sent and marked in one transaction)."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "ticket")
            .filter(pk=notification_id, email_status="pending")
            .first()
        )
        if note is None:
            return False
        if not note.user.email or not note.user.is_active:
            Notification.objects.filter(pk=note.pk).update(email_status="none")
            return False
        with translation.override(note.user.language or settings.LANGUAGE_CODE):
            subject = (f"[{note.ticket.number}] " if note.ticket else "") + (
                _("SLA notice") if note.kind.startswith("sla") else _("SQM notice")
            )
        EmailMessage(subject, note.text, settings.SQM_MAIL_FROM, [note.user.email]).send()
        Notification.objects.filter(pk=note.pk).update(email_status="sent", emailed_at=timezone.now())
    return True


def mail_stragglers(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Mail notifications left pending by a worker that died between commit and sending."""
    cutoff = (now or timezone.now()) - MAIL_RETRY_AFTER
    ids = list(
        Notification.objects.filter(email_status="pending", created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(send_notification_mail(pk) for pk in ids)
