"""Django-admin registrations of kpis (read-mostly; writes go through services)."""

from __future__ import annotations

from django.contrib import admin

from sqm.kpis.models import (
    Alert,
    AlertEvent,
    AlertRule,
    ContingencyDrill,
    ContingencyPlan,
    KpiCursor,
    KpiFact,
    KpiRollup,
)
from sqm.org.admin import ReadOnlyAdmin

# --- tiered alerts and contingency plans (read-only: the alert pages and services audit every change) ---


@admin.register(AlertRule)
class AlertRuleAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "kind", "level", "standard", "plan_due_days", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("standard",)


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "at", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("id", "level", "status", "title", "rule", "owner", "raised_at", "plan_due_at", "escalation_level")
    list_filter = ("level", "status", "rule")
    search_fields = ("title", "condition_key")
    list_select_related = ("rule", "owner")
    date_hierarchy = "raised_at"
    inlines = [AlertEventInline]


@admin.register(ContingencyPlan)
class ContingencyPlanAdmin(ReadOnlyAdmin):
    list_display = ("code", "title_zh", "scenario", "owner", "is_active", "updated_at")
    list_filter = ("scenario", "is_active")
    search_fields = ("code", "title_zh", "title_en")
    list_select_related = ("owner",)


@admin.register(ContingencyDrill)
class ContingencyDrillAdmin(ReadOnlyAdmin):
    list_display = ("plan", "held_on", "recorded_by", "recorded_at")
    list_select_related = ("plan", "recorded_by")


# --- KPI facts, rollups and refresh cursors (read-only: written by sqm.kpis.services.rollups) ---


@admin.register(KpiFact)
class KpiFactAdmin(ReadOnlyAdmin):
    list_display = ("source", "source_id", "metric", "day", "ticket_id", "team_id", "agent_id", "channel", "num", "den")
    list_filter = ("source", "metric")
    search_fields = ("=source_id", "=ticket_id")
    show_full_result_count = False  # millions of rows
    ordering = ("-day", "-id")


@admin.register(KpiRollup)
class KpiRollupAdmin(ReadOnlyAdmin):
    list_display = ("grain", "period_start", "dimension", "key", "metric", "num", "den")
    list_filter = ("grain", "dimension", "metric")
    search_fields = ("=key",)
    show_full_result_count = False
    ordering = ("-period_start", "grain", "dimension", "key", "metric")


@admin.register(KpiCursor)
class KpiCursorAdmin(ReadOnlyAdmin):
    list_display = ("name", "position", "last_id", "updated_at")
