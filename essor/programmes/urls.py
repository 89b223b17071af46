from django.urls import path

from . import views, views_applications, views_public
from .urls_bulk import urlpatterns as _bulk
from .urls_finder import urlpatterns as _finder

app_name = "programmes"

urlpatterns = [
    path("", views.programmes, name="programmes"),
    path("new/", views.programme_create, name="programme_create"),
    path("<int:pk>/", views.programme_detail, name="programme"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/rules/", views.rule_set, name="rule_set"),
    path("<int:pk>/rules/<int:rule_pk>/remove/", views.rule_remove, name="rule_remove"),
    path("<int:pk>/criteria/", views.criterion_add, name="criterion_add"),
    # Applications (staff)
    path("<int:pk>/applications/", views_applications.application_list, name="applications"),
    path(
        "<int:pk>/applications/new/",
        views_applications.application_create,
        name="application_create",
    ),
    path("<int:pk>/sessions/", views_applications.session_create, name="session_create"),
    path("applications/<int:pk>/", views_applications.application_detail, name="application"),
    path(
        "applications/<int:pk>/screen/",
        views_applications.application_screen,
        name="application_screen",
    ),
    path(
        "applications/<int:pk>/evaluators/",
        views_applications.evaluator_assign,
        name="evaluator_assign",
    ),
    path("applications/<int:pk>/scores/", views_applications.score, name="score"),
    path("applications/<int:pk>/interview/", views_applications.interview, name="interview"),
    path("applications/<int:pk>/decision/", views_applications.decide, name="decide"),
    path("applications/<int:pk>/letter/", views_applications.letter, name="letter"),
    path("applications/<int:pk>/enroll/", views_applications.enroll, name="enroll"),
    path("applications/<int:pk>/stage/", views_applications.stage, name="stage"),
    path("applications/<int:pk>/exit/", views_applications.exit_, name="exit"),
    path("applications/<int:pk>/referrals/", views_applications.referral, name="referral"),
    path("applications/<int:pk>/withdraw/", views_applications.withdraw, name="withdraw"),
    path("exclusions/", views_applications.exclusion_lists, name="exclusions"),
    # Public: no account needed
    path("<int:pk>/apply/", views_public.apply, name="apply"),
    path("<int:pk>/apply/received/", views_public.applied, name="applied"),
    path("follow/", views_public.follow, name="follow"),
]
urlpatterns += _bulk
urlpatterns += _finder
