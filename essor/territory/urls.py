from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("", views.regions, name="regions"),
    path("communes/", views.communes, name="communes"),
    path("communes/options/", views.commune_options, name="commune_options"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("provinces/<str:code>/", views.province_detail, name="province"),
]
