"""Everything under /api/v1/: each app's router, the OpenAPI schema and its interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from essor.core.api import not_found

SCHEMA_HOOKS = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "essor.core.api.document_error_responses",
]

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
        SpectacularJSONAPIView.as_view(
            permission_classes=[],
            authentication_classes=[],
            # The errors every operation may answer, declared once (essor.core.api).
            custom_settings={"POSTPROCESSING_HOOKS": SCHEMA_HOOKS},
        ),
        name="api-schema",
    ),
    path(
        "docs/",
        # The split view serves its initialiser as a script file: no inline script (CSP).
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[]),
        name="api-docs",
    ),
    # Last: an address no route above matches answers JSON, as the API does.
    re_path(r"", not_found),
]
