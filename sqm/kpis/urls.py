from django.urls import path  # noqa: F401

app_name = "kpis"
urlpatterns: list = []
# Each area adds its routes here: the dashboard's under "" and "dashboard/…", alerts under "alerts/…",
# contingency plans under "plans/…".
