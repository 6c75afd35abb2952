from django.urls import path

from sqm.org import views

app_name = "org"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/profile/", views.user_profile_edit, name="user_profile_edit"),
    path("users/<int:pk>/skills/", views.user_skill_set, name="user_skill_set"),
    path("users/<int:pk>/skills/<int:skill_pk>/remove/", views.user_skill_remove, name="user_skill_remove"),
    path("users/<int:pk>/certificates/", views.user_certificate_add, name="user_certificate_add"),
    path(
        "users/<int:pk>/certificates/<int:cert_pk>/remove/",
        views.user_certificate_remove,
        name="user_certificate_remove",
    ),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("skills/", views.skill_list, name="skill_list"),
    path("skills/new/", views.skill_create, name="skill_create"),
    path("skills/<int:pk>/edit/", views.skill_edit, name="skill_edit"),
    path("account/", views.account, name="account"),
    path("account/language/", views.account_language, name="account_language"),
    path("account/password/", views.account_password, name="account_password"),
    path("account/tokens/", views.token_create, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
