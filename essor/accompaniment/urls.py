from django.urls import path

from . import views

app_name = "accompaniment"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("tours/plan/", views.tour_plan, name="tour_plan"),
    path("tours/<int:pk>/", views.tour_detail, name="tour"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/members/", views.group_member_add, name="group_member_add"),
    path(
        "enterprises/<int:organisation_pk>/diagnostic/",
        views.diagnostic_create,
        name="diagnostic_create",
    ),
    path("diagnostics/<int:pk>/", views.diagnostic_detail, name="diagnostic"),
]
