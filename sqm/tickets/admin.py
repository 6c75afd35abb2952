"""Tickets are worked in SQM's own pages; the Django admin shows them read-only.

Every change to a ticket goes through :mod:`sqm.tickets.services`, which records its events and
audit entries; the admin would bypass both, so here it may only look.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sqm.tickets.models import (
    AgentAvailability,
    CannedReply,
    Category,
    ControlPoint,
    InboundEmail,
    ProcessDefinition,
    ProcessStep,
    Ticket,
    TicketEvent,
    TicketMessage,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; adding, changing and deleting happen only in SQM's own pages."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "type", "priority", "status", "channel", "customer", "assignee", "created_at")
    list_filter = ("status", "type", "priority", "channel")
    search_fields = ("=id", "subject")
    list_select_related = ("customer", "assignee")
    raw_id_fields = ("customer", "assignee", "owner", "created_by", "team", "category", "current_step")
    show_full_result_count = False
    ordering = ("-created_at",)


@admin.register(TicketMessage)
class TicketMessageAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "author", "created_at")
    list_filter = ("kind",)
    list_select_related = ("ticket", "author")
    raw_id_fields = ("ticket", "author")
    show_full_result_count = False


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "actor", "at")
    list_filter = ("kind",)
    list_select_related = ("ticket", "actor")
    raw_id_fields = ("ticket", "actor")
    show_full_result_count = False


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "name_en", "parent", "skill", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    list_display = ("ticket_type", "name", "updated_at")


@admin.register(ProcessStep)
class ProcessStepAdmin(ReadOnlyAdmin):
    list_display = ("definition", "order", "name_zh", "name_en", "time_limit_minutes", "before_resolution", "is_active")
    list_filter = ("definition", "is_active")


@admin.register(ControlPoint)
class ControlPointAdmin(ReadOnlyAdmin):
    list_display = ("step", "order", "text_zh", "text_en")
    list_select_related = ("step",)


@admin.register(CannedReply)
class CannedReplyAdmin(ReadOnlyAdmin):
    list_display = ("title", "language", "ticket_type", "is_active")
    list_filter = ("language", "ticket_type", "is_active")


@admin.register(AgentAvailability)
class AgentAvailabilityAdmin(ReadOnlyAdmin):
    list_display = ("user", "on_shift", "load", "max_concurrent", "last_assigned_at")
    list_filter = ("on_shift",)
    list_select_related = ("user",)


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "status", "sender", "subject", "message_id")
    list_filter = ("status",)
    search_fields = ("message_id", "sender")
    exclude = ("raw",)
    show_full_result_count = False
