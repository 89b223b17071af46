"""Everything under /api/v1/: each app's router, the OpenAPI schema and its interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("essor.accounts.api_urls")),
    path("", include("essor.territory.api_urls")),
    path("", include("essor.registry.api_urls")),
    path("", include("essor.accompaniment.api_urls")),
    path("", include("essor.conventions.api_urls")),
    path("", include("essor.programmes.api_urls")),
    path("", include("essor.funding.api_urls")),
    path("", include("essor.monitoring.api_urls")),
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(permission_classes=[], authentication_classes=[]),
        name="api-schema",
    ),
    path(
        "docs/",
        # The split view serves its initialiser as a script file: no inline script (CSP).
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[]),
        name="api-docs",
    ),
]
