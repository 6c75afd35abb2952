"""The customer portal: sign up, submit, follow, reply, reopen. Customers see only their own tickets."""

from django.urls import path

from sqm.tickets.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.my_tickets, name="my_tickets"),
    path("register/", views.register, name="register"),
    path("new/", views.submit, name="submit"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
]
