"""The audit trail in Django's admin: readable by staff, never writable (the chain is append-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sqm.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: no add, change or delete, so the admin can never be the way to alter an entry."""

    list_display = ("seq", "occurred_at", "actor_repr", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "actor_repr", "object_repr")
    ordering = ("-seq",)
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEntry._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
