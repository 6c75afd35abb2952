"""What every inspection service shares: the capability check, the clock, number parsing, the
appeal period and staff notices. Internal to :mod:`sqm.inspections.services`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can

MAX_SEED = 2**63 - 1
MAX_TEXT = 4000
MAX_CALIBRATION_TICKETS = 50
MAX_CALIBRATION_INSPECTORS = 12
SCORECARD_FIELDS = (
    "code",
    "version",
    "name_zh",
    "name_en",
    "status",
    "change_note",
    "effective_from",
    "effective_until",
)
ITEM_FIELDS = (
    "section",
    "position",
    "text_zh",
    "text_en",
    "guidance_zh",
    "guidance_en",
    "weight",
    "critical",
    "max_points",
)
PLAN_FIELDS = (
    "name",
    "period_start",
    "period_end",
    "rate",
    "include_complaints",
    "include_low_ratings",
    "low_rating_max",
    "scorecard",
    "status",
)


def appeal_days() -> int:
    """How many calendar days the inspected agent has to appeal a result
    (``settings.SQM_INSPECTION_APPEAL_DAYS``, default 5; at least 1)."""
    return max(1, int(settings.SQM_INSPECTION_APPEAL_DAYS))


def require(actor: Any, cap: Cap) -> None:
    """Refuse (``PermissionDeniedError``, HTTP 403) an actor whose role lacks ``cap``."""
    if not can(actor, cap):
        raise PermissionDeniedError()


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """The centre's date (``SQM_TIME_ZONE``)."""
    return timezone.localdate()


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the centre's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def parse_decimal(value: Any, field: str, *, places: int) -> Decimal:
    """``value`` as a finite Decimal with at most ``places`` decimals, else a DomainError on ``field``."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a number."), field=field) from exc
    if not number.is_finite():
        raise DomainError(_("Enter a number."), field=field)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise DomainError(
            _("Use at most %(places)d decimal places.") % {"places": places}, field=field, code="max_decimal_places"
        )
    return number


def notify(users: Sequence[Any], kind: str, text: str, link: str) -> None:
    """Staff notices (inbox and e-mail) through the SLA notification service, in one transaction."""
    from sqm.tickets.sla.services import notifications_create

    with transaction.atomic():
        notifications_create(users=users, kind=kind, text=text, link=link)
