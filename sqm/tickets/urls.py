from django.urls import path

from sqm.tickets import views

app_name = "tickets"
urlpatterns = [
    path("mine/", views.my_queue, name="my_queue"),
    path("team/", views.team_queue, name="team_queue"),
    path("owned/", views.owned, name="owned"),
    path("log/", views.log_contact, name="log_contact"),
    path("processes/", views.process_list, name="process_list"),
]
