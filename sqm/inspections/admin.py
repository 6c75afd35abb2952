"""Read-only Django admin for quality inspection.

SQM's own pages under /inspections/ write through the services, which check the rules (weights,
double-random draws, deadlines, the second inspector) and write the audit trail; the Django admin
would bypass both, so it may only look.
"""

from __future__ import annotations

from django.contrib import admin

from sqm.inspections.models import Appeal, CalibrationSession, Inspection, SamplingPlan, Scorecard, TrainingNeed
from sqm.org.admin import ReadOnlyAdmin


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "name_zh", "status", "effective_from", "effective_until")
    list_filter = ("status",)


@admin.register(SamplingPlan)
class SamplingPlanAdmin(ReadOnlyAdmin):
    list_display = ("name", "period_start", "period_end", "rate", "status", "seed", "population", "sampled")
    list_filter = ("status",)
    exclude = ("inputs", "result")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "ticket", "agent", "inspector", "status", "score", "failed_critical", "submitted_at")
    list_filter = ("status", "reason", "failed_critical")
    list_select_related = ("ticket", "agent", "inspector")
    raw_id_fields = ("ticket", "agent", "inspector", "plan", "calibration")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("inspection", "filed_by", "filed_at", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome",)


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(ReadOnlyAdmin):
    list_display = ("name", "scorecard", "status", "created_at")


@admin.register(TrainingNeed)
class TrainingNeedAdmin(ReadOnlyAdmin):
    list_display = ("agent", "item", "inspection", "status", "created_at")
    list_filter = ("status",)
