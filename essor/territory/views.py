from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from essor.core.http import EssorRequest

from .models import CommuneKind, Province, Region
from .selectors import commune_list, province_list, region_list, territory_counts


@login_required
def regions(request: EssorRequest) -> HttpResponse:
    return render(
        request,
        "territory/regions.html",
        {"regions": region_list(), "counts": territory_counts()},
    )


@login_required
def region_detail(request: EssorRequest, code: str) -> HttpResponse:
    try:
        region = Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "territory/region_detail.html",
        {"region": region, "provinces": province_list(region=region)},
    )


@login_required
def province_detail(request: EssorRequest, code: str) -> HttpResponse:
    try:
        province = Province.objects.select_related("region").get(code=code)
    except Province.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "territory/province_detail.html",
        {"province": province, "communes": commune_list(province=province)},
    )


@login_required
def communes(request: EssorRequest) -> HttpResponse:
    """Search the communes by name (either script) or code; the list updates as you type."""
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in CommuneKind.values:
        kind = ""
    region_code = request.GET.get("region", "")
    region = Region.objects.filter(code=region_code).first() if region_code else None
    page = Paginator(commune_list(query=query, kind=kind, region=region), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": page.object_list,
        "query": query,
        "kind": kind,
        "region": region,
        "regions": Region.objects.all(),
        "kinds": CommuneKind.choices,
    }
    template = (
        "territory/partials/_commune_rows.html" if request.htmx else "territory/communes.html"
    )
    return render(request, template, context)


@login_required
def commune_options(request: EssorRequest) -> HttpResponse:
    """``<option>`` elements for a commune field's suggestion list, as the user types."""
    query = request.GET.get("commune", request.GET.get("q", "")).strip()
    communes = commune_list(query=query)[:20] if len(query) >= 2 else []
    return render(request, "territory/partials/_commune_options.html", {"communes": communes})
