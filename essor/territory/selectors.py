"""Reads of the territories: lists with their counts, and commune search."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Commune, Province, ProvinceKind, Region


def territory_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "provinces": Province.objects.exclude(
            kind=ProvinceKind.PREFECTURE_OF_ARRONDISSEMENTS
        ).count(),
        "prefectures_of_arrondissements": Province.objects.filter(
            kind=ProvinceKind.PREFECTURE_OF_ARRONDISSEMENTS
        ).count(),
        "communes": Commune.objects.count(),
    }


def region_list() -> QuerySet[Region]:
    return Region.objects.annotate(
        province_count=Count(
            "provinces",
            filter=~Q(provinces__kind=ProvinceKind.PREFECTURE_OF_ARRONDISSEMENTS),
            distinct=True,
        ),
        commune_count=Count("communes", distinct=True),
    ).order_by("code")


def province_list(*, region: Region | None = None) -> QuerySet[Province]:
    provinces = Province.objects.select_related("region").annotate(
        commune_count=Count("communes"),
        rural_count=Count("communes", filter=Q(communes__kind="rural")),
    )
    if region is not None:
        provinces = provinces.filter(region=region)
    return provinces.order_by("code")


def commune_list(
    *,
    province: Province | None = None,
    region: Region | None = None,
    query: str = "",
    kind: str = "",
) -> QuerySet[Commune]:
    communes = Commune.objects.select_related("province", "region")
    if province is not None:
        communes = communes.filter(province=province)
    if region is not None:
        communes = communes.filter(region=region)
    if kind:
        communes = communes.filter(kind=kind)
    if query:
        communes = communes.filter(
            Q(name_fr__icontains=query) | Q(name_ar__icontains=query) | Q(code__startswith=query)
        )
    return communes.order_by("code")
