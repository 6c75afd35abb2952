"""Read-only Django admin for the organisation models.

SQM's own pages under /org/ are the management UI: they go through the services, which check
the business rules and write the audit trail. The Django admin would bypass both, so here it
may only look.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sqm.org.models import AgentSkill, ApiToken, Certificate, Skill, StaffProfile, Team, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; adding, changing and deleting happen only in SQM's own pages."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "display_name", "role", "team", "is_active", "last_login")
    list_filter = ("role", "is_active", "team")
    search_fields = ("username", "display_name", "email")
    list_select_related = ("team",)
    exclude = ("password", "groups", "user_permissions")


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "lead", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    list_select_related = ("lead",)


@admin.register(Skill)
class SkillAdmin(ReadOnlyAdmin):
    list_display = ("kind", "code", "name_zh", "name_en", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(AgentSkill)
class AgentSkillAdmin(ReadOnlyAdmin):
    list_display = ("user", "skill", "level")
    list_filter = ("level", "skill__kind")
    list_select_related = ("user", "skill")


@admin.register(StaffProfile)
class StaffProfileAdmin(ReadOnlyAdmin):
    list_display = ("employee_no", "user", "hire_date", "status", "title")
    list_filter = ("status",)
    search_fields = ("employee_no", "user__username", "user__display_name")
    list_select_related = ("user",)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "issuer", "issued_on", "expires_on")
    search_fields = ("name", "number", "user__username")
    list_select_related = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    exclude = ("key_hash",)
