from django.urls import path

from sqm.tickets import views

app_name = "tickets"
urlpatterns = [
    path("mine/", views.my_queue, name="my_queue"),
    path("team/", views.team_queue, name="team_queue"),
    path("owned/", views.owned, name="owned"),
    path("shift/", views.shift_set, name="shift_set"),
    path("log/", views.log_contact, name="log_contact"),
    path("log/customers/", views.customer_search, name="customer_search"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/sla/", views.sla_panel, name="sla_panel"),
    path("<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("<int:pk>/checklist/", views.control_point_tick, name="control_point_tick"),
    path("<int:pk>/step/complete/", views.step_complete, name="step_complete"),
    path("<int:pk>/status/", views.ticket_transition, name="ticket_transition"),
    path("<int:pk>/reopen/", views.ticket_reopen, name="ticket_reopen"),
    path("<int:pk>/edit/", views.ticket_edit, name="ticket_edit"),
    path("<int:pk>/assign/", views.ticket_assign, name="ticket_assign"),
    path("<int:pk>/transfer/", views.ticket_transfer, name="ticket_transfer"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("processes/", views.process_list, name="process_list"),
    path("processes/<int:definition_pk>/steps/new/", views.step_create, name="step_create"),
    path("processes/steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("processes/steps/<int:pk>/retire/", views.step_retire, name="step_retire"),
    path("canned/", views.canned_list, name="canned_list"),
    path("canned/new/", views.canned_create, name="canned_create"),
    path("canned/<int:pk>/", views.canned_edit, name="canned_edit"),
    path("canned/<int:pk>/retire/", views.canned_retire, name="canned_retire"),
]
