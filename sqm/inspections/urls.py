from django.urls import path

from sqm.inspections import views

app_name = "inspections"
urlpatterns = [
    path("mine/", views.my_results, name="my_results"),
    path("mine/<int:pk>/", views.my_result, name="my_result"),
    path("mine/<int:pk>/accept/", views.result_accept, name="result_accept"),
    path("mine/<int:pk>/appeal/", views.result_appeal, name="result_appeal"),
    path("queue/", views.queue, name="queue"),
    path("results/", views.inspection_list, name="inspection_list"),
    path("results/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("results/<int:pk>/score/", views.inspection_score, name="inspection_score"),
    path("results/<int:pk>/reassign/", views.inspection_reassign, name="inspection_reassign"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("agents/<int:pk>/", views.agent_results, name="agent_results"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="plan_draw"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/verify/", views.plan_verify, name="plan_verify"),
    path("scorecards/", views.scorecard_list, name="scorecard_list"),
    path("scorecards/new/", views.scorecard_create, name="scorecard_create"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/sections/", views.scorecard_section_add, name="scorecard_section_add"),
    path("scorecards/<int:pk>/items/", views.scorecard_item_add, name="scorecard_item_add"),
    path("scorecards/<int:pk>/publish/", views.scorecard_publish, name="scorecard_publish"),
    path("scorecards/<int:pk>/new-version/", views.scorecard_new_version, name="scorecard_new_version"),
    path("scorecards/sections/<int:pk>/delete/", views.scorecard_section_delete, name="scorecard_section_delete"),
    path("scorecards/items/<int:pk>/", views.scorecard_item_edit, name="scorecard_item_edit"),
    path("scorecards/items/<int:pk>/delete/", views.scorecard_item_delete, name="scorecard_item_delete"),
    path("calibrations/", views.calibration_list, name="calibration_list"),
    path("calibrations/new/", views.calibration_create, name="calibration_create"),
    path("calibrations/<int:pk>/", views.calibration_detail, name="calibration_detail"),
    path("calibrations/<int:pk>/close/", views.calibration_close, name="calibration_close"),
]
