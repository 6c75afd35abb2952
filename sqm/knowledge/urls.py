from django.urls import path

from sqm.knowledge import views

app_name = "knowledge"
urlpatterns = [path("", views.article_list, name="article_list")]
