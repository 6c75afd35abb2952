"""Django-admin registrations of standards (read-mostly; writes go through services).

SQM's own pages under /standards/ write through the services, which check the lifecycle, the
thresholds and weights and write the audit trail; the Django admin would bypass all of that, so
it may only look. Deleting a standard is refused with a pointer to retiring it instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from sqm.org.admin import ReadOnlyAdmin
from sqm.standards.models import ChangeProposal, Clause, Indicator, SlaTerm, Standard, StandardVersion


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ("code", "category", "name_zh", "name_en", "is_retired", "created_at")
    list_filter = ("category", "is_retired")
    search_fields = ("code", "name_zh", "name_en")

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """Standards are never deleted (KPIs, alerts and tickets refer to their versions)."""
        messages.error(request, _("Standards are never deleted: retire the standard instead, on its page in SQM."))
        return HttpResponseRedirect(reverse("standards:standard_detail", args=[object_id]))


@admin.register(StandardVersion)
class StandardVersionAdmin(ReadOnlyAdmin):
    list_display = ("standard", "number", "status", "effective_from", "effective_until", "approved_by")
    list_filter = ("status",)
    list_select_related = ("standard", "approved_by")
    search_fields = ("standard__code", "title_zh", "title_en")


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ("version", "number", "title_zh", "sop_kind")
    list_filter = ("sop_kind",)
    list_select_related = ("version__standard",)
    search_fields = ("title_zh", "title_en", "body_zh")


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("version", "code", "kpi", "target", "yellow", "orange", "red", "weight")
    list_filter = ("kpi",)
    list_select_related = ("version__standard",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(SlaTerm)
class SlaTermAdmin(ReadOnlyAdmin):
    list_display = ("version", "policy_code", "response_minutes", "resolution_minutes", "policy")
    list_select_related = ("version__standard", "policy")


@admin.register(ChangeProposal)
class ChangeProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "standard", "kind", "status", "is_automatic", "raised_by", "created_at")
    list_filter = ("status", "kind", "is_automatic")
    list_select_related = ("standard", "raised_by")
    search_fields = ("title", "standard__code")
