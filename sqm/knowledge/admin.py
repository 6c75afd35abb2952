"""Read-only Django admin for the knowledge base.

SQM's own pages under /kb/ write through the services, which check the rules, keep the search
index in step and write the audit trail; the Django admin would bypass all three, so it may
only look.
"""

from __future__ import annotations

from django.contrib import admin

from sqm.knowledge.models import Article, KbCategory
from sqm.org.admin import ReadOnlyAdmin


@admin.register(KbCategory)
class KbCategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "name_en", "parent", "position", "is_active")
    list_select_related = ("parent",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "language", "status", "category", "author", "version", "updated_at")
    list_filter = ("kind", "status", "language")
    list_select_related = ("category", "author")
    search_fields = ("title",)
    raw_id_fields = ("source_ticket",)
