"""Shared pieces of the standards services: audited fields, the capability check, today's date and
notifications queued until the transaction commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from sqm.core.errors import PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.standards.models import ChangeProposal, StandardVersion

# The fields each audit entry records (before/after snapshots).
STANDARD_FIELDS = ("code", "category", "name_zh", "name_en", "owner", "is_retired", "retired_at")
VERSION_FIELDS = (
    "standard",
    "number",
    "status",
    "title_zh",
    "title_en",
    "purpose_zh",
    "purpose_en",
    "change_note",
    "effective_from",
    "effective_until",
    "proposal",
    "approved_by",
    "review_note",
)
CLAUSE_FIELDS = ("version", "number", "position", "title_zh", "title_en", "body_zh", "body_en", "sop_kind")
INDICATOR_FIELDS = (
    "version",
    "code",
    "position",
    "name_zh",
    "name_en",
    "kpi",
    "unit",
    "direction",
    "target",
    "yellow",
    "orange",
    "red",
    "weight",
    "scope",
    "scope_key",
    "min_volume",
    "review_margin",
    "review_periods",
)
TERM_FIELDS = (
    "version",
    "policy_code",
    "name",
    "ticket_type",
    "priority",
    "tier",
    "response_minutes",
    "resolution_minutes",
    "warn_fraction",
    "escalate_after_minutes",
    "calendar",
)
PROPOSAL_FIELDS = (
    "standard",
    "base_version",
    "indicator_code",
    "kind",
    "status",
    "title",
    "rationale",
    "is_automatic",
    "raised_by",
    "decided_by",
    "decision_note",
    "result_version",
)
UNSET: Any = ...  # "leave as it is" for optional keyword arguments where None is a value


def require(actor: Any, cap: Cap) -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor``'s role holds ``cap``."""
    if not can(actor, cap):
        raise PermissionDeniedError()


def today() -> dt.date:
    """Today in the centre's time zone (the day effective dates are compared with)."""
    return timezone.localdate()


def others(users: Iterable[Any], actor: Any) -> list[Any]:
    """``users`` without the actor (nobody is notified of their own action)."""
    actor_pk = getattr(actor, "pk", None)
    return [u for u in users if u is not None and u.pk != actor_pk]


def notify_later(users: Iterable[Any], kind: str, message: Any, params: dict[str, Any], link: str) -> None:
    """After commit, notify each user in their own language (``message`` is a lazy translation
    with ``%(name)s`` placeholders filled from ``params``)."""
    people = [u for u in users if u is not None]
    if not people:
        return

    def send() -> None:
        from sqm.tickets.sla.services import notifications_create

        by_language: dict[str, list[Any]] = defaultdict(list)
        for user in people:
            by_language[getattr(user, "language", "") or settings.LANGUAGE_CODE].append(user)
        for language, group in by_language.items():
            with translation.override(language):
                text = str(message) % {k: str(v) for k, v in params.items()}
            notifications_create(users=group, kind=kind, text=text, link=link)

    transaction.on_commit(send)


def quality_managers() -> list[Any]:
    """The active quality managers: they review versions and decide proposals."""
    from sqm.tickets.sla.services import quality_managers as managers

    return managers()


def proposal_link(proposal: ChangeProposal) -> str:
    return reverse("standards:proposal_detail", args=[proposal.pk])


def version_link(version: StandardVersion) -> str:
    return reverse("standards:version_detail", args=[version.pk])
