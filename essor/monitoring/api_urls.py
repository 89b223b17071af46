from django.urls import path

from . import api
from .research import api as research_api

urlpatterns = [
    path("indicators", api.indicator_values, name="api-indicators"),
    path("conventions/<int:pk>/targets-status", api.targets_status, name="api-targets-status"),
    path("follow-ups", api.follow_ups, name="api-follow-ups"),
    path("follow-ups/<int:pk>/record", api.follow_up_record, name="api-follow-up-record"),
    path("research-export", research_api.research_export, name="api-research-export"),
]
