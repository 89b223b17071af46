"""Read-only API of the territories, looked up by HCP code."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from .models import Commune, Province, Region
from .selectors import commune_list


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name_fr", "name_ar", "population_2024"]


class ProvinceSerializer(serializers.ModelSerializer):
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Province
        fields = ["code", "name_fr", "name_ar", "kind", "region", "population_2024"]


class CommuneSerializer(serializers.ModelSerializer):
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    province: serializers.SlugRelatedField[Province] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Commune
        fields = ["code", "name_fr", "name_ar", "kind", "province", "region", "population_2024"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    lookup_field = "code"
    pagination_class = None


class ProvinceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProvinceSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Province]:
        provinces = Province.objects.select_related("region").order_by("code")
        if region := self.request.query_params.get("region"):
            provinces = provinces.filter(region__code=region)
        return provinces


class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    """Communes; filter with ``?region=01``, ``?province=01.511``, ``?kind=rural``, ``?q=``."""

    serializer_class = CommuneSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"

    def get_queryset(self) -> QuerySet[Commune]:
        params = self.request.query_params
        communes = commune_list(query=params.get("q", "").strip(), kind=params.get("kind", ""))
        if region := params.get("region"):
            communes = communes.filter(region__code=region)
        if province := params.get("province"):
            communes = communes.filter(province__code=province)
        return communes
