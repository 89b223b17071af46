from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("persons/", views.persons, name="persons"),
    path("persons/export.<str:fmt>", views.persons_export, name="persons_export"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/consent/", views.person_consent, name="person_consent"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/export.<str:fmt>", views.organisations_export, name="organisations_export"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<int:pk>/members/",
        views.organisation_member_add,
        name="organisation_member_add",
    ),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/load/", views.import_load, name="import_load"),
    path("imports/<int:pk>/rejected.csv", views.import_rejected, name="import_rejected"),
]
