from django.urls import include, path

from sqm.feedback import views

app_name = "feedback"
urlpatterns = [
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/<int:pk>/flag/", views.rating_flag, name="rating_flag"),
    path("", include("sqm.feedback.links.urls")),
    path("", include("sqm.feedback.surveys.urls")),
]
