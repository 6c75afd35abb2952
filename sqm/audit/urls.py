from django.urls import path

from sqm.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("<int:seq>/", views.entry_detail, name="entry_detail"),
    path("verify/", views.verify, name="verify"),
    path("verify/head.json", views.verify_head_download, name="verify_head_download"),
]
