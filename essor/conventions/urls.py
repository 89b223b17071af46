from django.urls import path

from . import views, views_extract

app_name = "conventions"

urlpatterns = [
    path("", views.conventions, name="conventions"),
    path("new/", views.convention_create, name="convention_create"),
    path("new/from-text/", views_extract.convention_extract, name="convention_extract"),
    path("<int:pk>/", views.convention_detail, name="convention"),
    path("<int:pk>/edit/", views.convention_edit, name="convention_edit"),
    path("<int:pk>/status/", views.convention_transition, name="convention_transition"),
    path("<int:pk>/parties/", views.party_add, name="party_add"),
    path("<int:pk>/payments/", views.payment_add, name="payment_add"),
    path("<int:pk>/targets/", views.target_add, name="target_add"),
    path("<int:pk>/lines/", views.line_add, name="line_add"),
    path("<int:pk>/execution.xlsx", views.execution_export, name="execution_export"),
    path("<int:pk>/committee/", views.committee, name="committee"),
    path("<int:pk>/committee/set/", views.committee_set, name="committee_set"),
    path("<int:pk>/committee/members/", views.member_add, name="member_add"),
    path("<int:pk>/committee/meetings/", views.meeting_add, name="meeting_add"),
    path("<int:pk>/committee/actions/", views.action_add, name="action_add"),
    path(
        "<int:pk>/committee/actions/<int:action_pk>/",
        views.action_status,
        name="action_status",
    ),
    path("lines/<int:pk>/", views.line_detail, name="line"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
]
