from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/data.<str:fmt>", views.person_data, name="person_data"),
    path("persons/<int:pk>/rectify/", views.rectify, name="rectify"),
    path("persons/<int:pk>/objection/", views.objection, name="objection"),
    path(
        "persons/<int:pk>/objection/withdraw/",
        views.objection_withdraw,
        name="objection_withdraw",
    ),
    path("persons/<int:pk>/access-log/", views.access_log, name="access_log"),
    path("retention/", views.retention, name="retention"),
    path("programmes/<int:pk>/retention/", views.retention_policy, name="retention_policy"),
]
