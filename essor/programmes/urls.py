from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programmes, name="programmes"),
    path("new/", views.programme_create, name="programme_create"),
    path("<int:pk>/", views.programme_detail, name="programme"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/rules/", views.rule_set, name="rule_set"),
    path("<int:pk>/rules/<int:rule_pk>/remove/", views.rule_remove, name="rule_remove"),
    path("<int:pk>/criteria/", views.criterion_add, name="criterion_add"),
]
