from django.urls import path

from sqm.tickets.portal import views

app_name = "portal"
urlpatterns = [path("", views.my_tickets, name="my_tickets")]
