"""Pages of the standards library (mounted at ``/standards/``)."""

from django.urls import path

from sqm.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.library, name="standard_list"),
    path("new/", views.standard_create, name="standard_create"),
    path("<int:pk>/", views.standard_detail, name="standard_detail"),
    path("<int:pk>/retire/", views.standard_retire, name="standard_retire"),
    path("<int:pk>/draft/", views.version_create_draft, name="version_create_draft"),
    path("<int:pk>/diff/", views.standard_diff, name="standard_diff"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/submit/", views.version_submit, name="version_submit"),
    path("versions/<int:pk>/approve/", views.version_approve, name="version_approve"),
    path("versions/<int:pk>/reject/", views.version_reject, name="version_reject"),
    path("versions/<int:pk>/section/<str:section>/", views.version_section, name="version_section"),
    path("versions/<int:pk>/clauses/new/", views.item_add, {"kind": "clause"}, name="clause_add"),
    path("clauses/<int:pk>/edit/", views.item_edit, {"kind": "clause"}, name="clause_edit"),
    path("clauses/<int:pk>/remove/", views.item_remove, {"kind": "clause"}, name="clause_remove"),
    path("versions/<int:pk>/indicators/new/", views.item_add, {"kind": "indicator"}, name="indicator_add"),
    path("indicators/<int:pk>/edit/", views.item_edit, {"kind": "indicator"}, name="indicator_edit"),
    path("indicators/<int:pk>/remove/", views.item_remove, {"kind": "indicator"}, name="indicator_remove"),
    path("versions/<int:pk>/terms/new/", views.item_add, {"kind": "term"}, name="term_add"),
    path("terms/<int:pk>/edit/", views.item_edit, {"kind": "term"}, name="term_edit"),
    path("terms/<int:pk>/remove/", views.item_remove, {"kind": "term"}, name="term_remove"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/approve/", views.proposal_approve, name="proposal_approve"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("sops/", views.sop_list, name="sop_list"),
    path("sops/<int:pk>/", views.sop_detail, name="sop_detail"),
]
