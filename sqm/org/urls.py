from django.urls import path

from sqm.org import views

app_name = "org"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("teams/", views.team_list, name="team_list"),
    path("skills/", views.skill_list, name="skill_list"),
    path("account/", views.account, name="account"),
]
