"""Bulk screening URLs, included into the ``programmes`` namespace by ``urls.py``."""

from django.urls import path

from . import views_bulk

urlpatterns = [
    path("<int:pk>/bulk/", views_bulk.bulk_screening, name="bulk_screening"),
    path("<int:pk>/bulk/export.<str:fmt>", views_bulk.bulk_export, name="bulk_export"),
]
