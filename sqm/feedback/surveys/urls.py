"""Pages of surveys, return visits and mystery shopping (included by sqm/feedback/urls.py,
namespace ``feedback``). ``s/<token>/`` is the public survey page of an invitation link."""

from django.urls import path

from sqm.feedback.surveys import views

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/templates/", views.survey_templates_install, name="survey_templates_install"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/copy/", views.survey_copy, name="survey_copy"),
    path("surveys/<int:pk>/open/", views.survey_open, name="survey_open"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:pk>/questions/new/", views.survey_question_add, name="survey_question_add"),
    path("surveys/<int:pk>/questions/<int:question_pk>/", views.survey_question_edit, name="survey_question_edit"),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/delete/",
        views.survey_question_delete,
        name="survey_question_delete",
    ),
    path("surveys/<int:pk>/questions/<int:question_pk>/move/", views.survey_question_move, name="survey_question_move"),
    path("surveys/<int:pk>/distribute/", views.survey_distribute, name="survey_distribute"),
    path("surveys/<int:pk>/results/", views.survey_results, name="survey_results"),
    path("s/<str:token>/", views.survey_answer, name="survey_answer"),
    path("return-visits/", views.return_visit_list, name="return_visit_list"),
    path("return-visits/<int:pk>/record/", views.return_visit_record, name="return_visit_record"),
    path("return-visits/<int:pk>/reassign/", views.return_visit_reassign, name="return_visit_reassign"),
    path("mystery/", views.mystery_visit_list, name="mystery_visit_list"),
    path("mystery/new/", views.mystery_visit_create, name="mystery_visit_create"),
    path("mystery/<int:pk>/", views.mystery_visit_detail, name="mystery_visit_detail"),
    path("mystery/<int:pk>/review/", views.mystery_visit_review, name="mystery_visit_review"),
    path("mystery/evidence/<int:pk>/", views.mystery_evidence_download, name="mystery_evidence_download"),
]
