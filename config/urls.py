from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("essor.core.api_urls")),
    path("accounts/", include("essor.accounts.urls")),
    path("territories/", include("essor.territory.urls")),
    path("registry/", include("essor.registry.urls")),
    path("linkage/", include("essor.linkage.urls")),
    path("conventions/", include("essor.conventions.urls")),
    path("programmes/", include("essor.programmes.urls")),
    path("funding/", include("essor.funding.urls")),
    path("accompaniment/", include("essor.accompaniment.urls")),
    path("monitoring/", include("essor.monitoring.urls")),
    path("privacy/", include("essor.privacy.urls")),
    path("", include("essor.core.urls")),
]

handler404 = "essor.core.views.not_found"
handler403 = "essor.core.views.not_found"
