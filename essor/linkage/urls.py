from django.urls import path

from . import views

app_name = "linkage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<str:kind>/pairs/<int:pk>/", views.pair, name="pair"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("runs/", views.runs, name="runs"),
    path("similar/", views.similar, name="similar"),
]
