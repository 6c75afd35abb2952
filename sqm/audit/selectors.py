"""Reads of the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from sqm.audit.models import AuditEntry


def entries(
    *,
    object_type: str = "",
    object_id: str = "",
    actor_id: int | None = None,
    action: str = "",
    before_seq: int | None = None,
    actor_name: str = "",
    system_actor: bool = False,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, filtered by object, actor and action; keyset by ``before_seq``.

    ``actor_name`` matches the actor as recorded (the username at the time, case-insensitive
    substring); ``system_actor`` keeps only entries written by the system itself (no user).
    """
    qs = AuditEntry.objects.order_by("-seq")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if system_actor:
        qs = qs.filter(actor_id__isnull=True)
    if actor_name:
        qs = qs.filter(actor_repr__icontains=actor_name)
    if action:
        qs = qs.filter(action=action)
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    return qs


def object_types() -> list[str]:
    """The kinds of record that appear in the trail, for filter menus."""
    return list(AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())


def actions() -> list[str]:
    """The actions that appear in the trail (create, update, …), for filter menus."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def actors() -> QuerySet[Any]:
    """The users who appear as actors in the trail, by username, for filter menus (one query)."""
    acting = AuditEntry.objects.filter(actor_id__isnull=False).values("actor_id")
    return get_user_model().objects.filter(pk__in=acting).order_by("username")


def entry_by_seq(seq: int) -> AuditEntry | None:
    """The entry with sequence number ``seq``, or None."""
    return AuditEntry.objects.filter(seq=seq).first()
