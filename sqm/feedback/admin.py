"""Django-admin registrations of feedback (read-only; writes go through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from sqm.feedback.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("pk", "ticket", "score", "recommend", "agent", "counted", "created_at")
    list_filter = ("score", "counted", "source")
    raw_id_fields = ("ticket", "customer", "agent", "flagged_by")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
