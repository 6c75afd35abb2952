from django.contrib import admin
from django.urls import include, path

from sqm.api import api

urlpatterns = [
    path("", include("sqm.core.urls")),
    path("org/", include("sqm.org.urls")),
    path("audit/", include("sqm.audit.urls")),
    path("tickets/", include("sqm.tickets.urls")),
    path("kb/", include("sqm.knowledge.urls")),
    path("portal/", include("sqm.tickets.portal.urls")),
    path("sla/", include("sqm.tickets.sla.urls")),
    path("standards/", include("sqm.standards.urls")),
    path("feedback/", include("sqm.feedback.urls")),
    path("inspections/", include("sqm.inspections.urls")),
    path("kpis/", include("sqm.kpis.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
