from django.urls import path

from . import views
from .research import views as research_views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("indicators/", views.catalogue, name="catalogue"),
    path("refresh/", views.refresh, name="refresh"),
    path("national/", views.national, name="national"),
    path("regions/<str:code>/", views.region, name="region"),
    path("conventions/<int:pk>/", views.convention, name="convention"),
    path("conventions/<int:pk>/report.<str:fmt>", views.report, name="report"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("records/<str:kind>/<str:key>/<str:code>/", views.records, name="records"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/", views.follow_up, name="follow_up"),
    path("export/", research_views.export, name="research_export"),
    path("export/dictionary.csv", research_views.dictionary, name="research_dictionary"),
]
