"""The tamper-evident audit trail: an append-only hash chain (DESIGN.md §2.9)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GENESIS_HASH = "0" * 64

# How the actions that services record read to people; unknown actions show as recorded.
ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "Created"),
    "update": pgettext_lazy("audit action", "Changed"),
    "delete": pgettext_lazy("audit action", "Deleted"),
    "set_password": pgettext_lazy("audit action", "Password set"),
    "revoke": pgettext_lazy("audit action", "Revoked"),
    "publish": pgettext_lazy("audit action", "Published"),
    "retire": pgettext_lazy("audit action", "Retired"),
    "assign": pgettext_lazy("audit action", "Assigned"),
    "unassign": pgettext_lazy("audit action", "Unassigned"),
    "status": pgettext_lazy("audit action", "Status changed"),
    "reply": pgettext_lazy("audit action", "Replied"),
    "customer_reply": pgettext_lazy("audit action", "Customer replied"),
    "note": pgettext_lazy("audit action", "Internal note"),
    "transfer": pgettext_lazy("audit action", "Transferred"),
    "check": pgettext_lazy("audit action", "Control point ticked"),
    "uncheck": pgettext_lazy("audit action", "Control point unticked"),
    "step_complete": pgettext_lazy("audit action", "Step completed"),
    "import": pgettext_lazy("audit action", "Imported"),
}
APPEND_ONLY = "audit entries are append-only"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk writes are refused like single ones: the ORM never rewrites or removes an entry."""

    def update(self, **kwargs: object) -> int:
        raise RuntimeError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError(APPEND_ONLY)


class AuditEntry(models.Model):
    """One change to an audited record, linked to the entry before it by that entry's hash.

    ``entry_hash`` is the SHA-256 of this entry's canonical contents including ``prev_hash``, so
    editing or deleting any entry breaks every link after it. ``seq`` counts from 1 without gaps;
    the unique constraints on ``seq`` and ``prev_hash`` make a fork impossible even if two
    writers raced past the head lock.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_repr = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
            models.Index(fields=["actor_id", "seq"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError(APPEND_ONLY)


class ChainHead(models.Model):
    """The single row that names the newest entry; appenders lock it to take turns.

    It also lets ``verify`` notice entries deleted from the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("chain head")

    def __str__(self) -> str:
        return f"head #{self.seq} {self.entry_hash[:12]}"
