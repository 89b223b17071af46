from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("", views.regions, name="regions"),
    path("communes/", views.communes, name="communes"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("provinces/<str:code>/", views.province_detail, name="province"),
]
