from django.urls import path

from sqm.feedback.links import views

# Included by sqm/feedback/urls.py (namespace "feedback"); names start with "links_".
urlpatterns = [
    path("rate/<str:token>/", views.rate, name="links_rate"),
    path("q/<str:token>/", views.qr_page, name="links_qr"),
    path("my-ratings/", views.mine, name="links_mine"),
    path("qr-codes/", views.qr_list, name="links_qr_list"),
    path("qr-codes/new/", views.qr_create, name="links_qr_create"),
    path("qr-codes/sheet/", views.qr_sheet, name="links_qr_sheet"),
    path("qr-codes/<int:pk>/deactivate/", views.qr_deactivate, name="links_qr_deactivate"),
    path("qr-codes/<int:pk>/qr.png", views.qr_png, name="links_qr_png"),
    path("qr-codes/<int:pk>/qr.svg", views.qr_svg, name="links_qr_svg"),
    path("complaint-rule/", views.rule, name="links_rule"),
    path("complaint-rule/measure/", views.rule_measure, name="links_rule_measure"),
    path("follow-ups/", views.follow_ups, name="links_follow_ups"),
]
