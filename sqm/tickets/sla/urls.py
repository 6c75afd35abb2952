from django.urls import path

from sqm.tickets.sla import views

app_name = "sla"
urlpatterns = [
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_create, name="calendar_create"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/edit/", views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/days/", views.calendar_day_add, name="calendar_day_add"),
    path("calendars/<int:pk>/days/<int:day_pk>/delete/", views.calendar_day_delete, name="calendar_day_delete"),
    path("calendars/<int:pk>/import/", views.calendar_import, name="calendar_import"),
    path("calendars/<int:pk>/export/", views.calendar_export, name="calendar_export"),
    path("teams/<int:team_pk>/calendar/", views.team_calendar_set, name="team_calendar_set"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/publish/", views.policy_publish, name="policy_publish"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
