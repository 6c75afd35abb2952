from django.urls import path

from sqm.kpis.views import dashboard as dashboard_views

app_name = "kpis"
urlpatterns: list = []
urlpatterns += [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/live/", dashboard_views.dashboard_live, name="dashboard_live"),
    path("dashboard/tiles/", dashboard_views.dashboard_tiles, name="dashboard_tiles"),
    path("dashboard/trend/", dashboard_views.dashboard_trend, name="dashboard_trend"),
    path("dashboard/breakdown/", dashboard_views.dashboard_breakdown, name="dashboard_breakdown"),
    path("dashboard/drill/", dashboard_views.dashboard_drill, name="dashboard_drill"),
    path("dashboard/export/", dashboard_views.dashboard_export, name="dashboard_export"),
]
# Each area adds its routes here: the dashboard's under "" and "dashboard/…", alerts under "alerts/…",
# contingency plans under "plans/…".

from sqm.kpis.views import alerts as alert_views  # noqa: E402

urlpatterns += [
    path("alerts/", alert_views.alert_list, name="alert_list"),
    path("alerts/major-incident/", alert_views.alert_major_incident, name="alert_major_incident"),
    path("alerts/rules/", alert_views.alert_rule_list, name="alert_rule_list"),
    path("alerts/rules/new/", alert_views.alert_rule_create, name="alert_rule_create"),
    path("alerts/rules/<int:pk>/edit/", alert_views.alert_rule_edit, name="alert_rule_edit"),
    path("alerts/<int:pk>/", alert_views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", alert_views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/assign/", alert_views.alert_assign, name="alert_assign"),
    path("alerts/<int:pk>/plan/", alert_views.alert_plan, name="alert_plan"),
    path("alerts/<int:pk>/verify/", alert_views.alert_verify, name="alert_verify"),
    path("alerts/<int:pk>/reopen/", alert_views.alert_reopen, name="alert_reopen"),
    path("alerts/<int:pk>/close/", alert_views.alert_close, name="alert_close"),
    path("plans/", alert_views.plan_list, name="plan_list"),
    path("plans/new/", alert_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", alert_views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", alert_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/retire/", alert_views.plan_retire, name="plan_retire"),
    path("plans/<int:pk>/restore/", alert_views.plan_restore, name="plan_restore"),
    path("plans/<int:pk>/drills/new/", alert_views.plan_drill_create, name="plan_drill_create"),
]
