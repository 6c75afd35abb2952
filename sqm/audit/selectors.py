"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from sqm.audit.models import AuditEntry


def entries(
    *,
    object_type: str = "",
    object_id: str = "",
    actor_id: int | None = None,
    action: str = "",
    before_seq: int | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, filtered by object, actor and action; keyset by ``before_seq``."""
    qs = AuditEntry.objects.order_by("-seq")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    return qs


def object_types() -> list[str]:
    """The kinds of record that appear in the trail, for filter menus."""
    return list(AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())


def entry_by_seq(seq: int) -> AuditEntry | None:
    return AuditEntry.objects.filter(seq=seq).first()
