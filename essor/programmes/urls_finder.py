"""The public finder's URL, included into the ``programmes`` namespace by ``urls.py``."""

from django.urls import path

from . import views_finder

urlpatterns = [
    path("which-support/", views_finder.finder, name="finder"),
]
