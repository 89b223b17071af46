"""Sign-in, the home page, the language switch, the 404 page and the API's 401."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from essor.core.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def test_sign_in_leads_home_with_the_users_partner_and_roles(personas: Personas) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "counsellor.own", "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "Chambre test" in page
    assert "Conseiller" in page  # the role, in French
    assert '<html lang="fr" dir="ltr">' in page


def test_wrong_password_says_so_in_french_and_keeps_the_user_name(personas: Personas) -> None:
    response = Client().post(
        reverse("accounts:login"), {"username": "counsellor.own", "password": "wrong"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "ne correspondent pas" in page
    assert 'value="counsellor.own"' in page


def test_repeated_failures_are_throttled_even_with_the_right_password(personas: Personas) -> None:
    client = Client()
    for _ in range(3):  # AXES_FAILURE_LIMIT in the test settings
        client.post(reverse("accounts:login"), {"username": "admin.own", "password": "nope"})
    response = client.post(
        reverse("accounts:login"), {"username": "admin.own", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert (
        "Trop de tentatives" in response.content.decode()
        or "tentatives" in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_arabic_turns_the_page_right_to_left(personas: Personas, client_for) -> None:
    client = client_for(personas.user("admin"))
    response = client.post(
        reverse("set_language"), {"language": "ar", "next": reverse("core:home")}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "الأقاليم" in page or "التراب" in page or "المجال الترابي" in page


def test_unknown_url_and_forbidden_object_get_the_same_404(personas: Personas, client_for) -> None:
    client = client_for(personas.user("counsellor"))
    missing = client.get("/no/such/page/")
    forbidden_url = reverse("accounts:user", args=[personas.user("admin", "other").pk])
    forbidden = client.get(forbidden_url)
    assert missing.status_code == 404
    assert forbidden.status_code == 404
    assert "Page introuvable" in missing.content.decode()

    # The same page, but for the address it echoes in the language switch and the CSRF token.
    def normalised(content: bytes, url: str) -> str:
        text = content.decode().replace(url, "URL")
        return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1T", text)

    assert normalised(missing.content, "/no/such/page/") == normalised(
        forbidden.content, forbidden_url
    )


def test_404_in_arabic(personas: Personas, client_for) -> None:
    client = client_for(personas.user("counsellor"))
    client.cookies["essor_language"] = "ar"
    page = client.get("/no/such/page/").content.decode()
    assert 'dir="rtl"' in page
    assert "الصفحة غير موجودة" in page


def test_api_without_token_is_401_json(db: None) -> None:
    response = Client().get("/api/v1/partners")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    bad = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.status_code == 401


def test_api_token_identifies_the_user(personas: Personas, api_for) -> None:
    me = api_for(personas.user("data_clerk")).get("/api/v1/me").json()
    assert me["username"] == "data_clerk.own"
    assert me["partner"] == "ccis-test"
    assert me["roles"] == ["data_clerk"]


def test_openapi_schema_and_docs(db: None, client: Client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/partners", "/api/v1/users", "/api/v1/communes/{code}", "/api/v1/me"):
        assert path in paths
    assert client.get("/api/v1/docs/").status_code == 200


def test_api_validation_errors_name_the_field(personas: Personas, api_for) -> None:
    api = api_for(personas.user("admin"))
    response = api.post("/api/v1/users", {"username": "x", "roles": ["wizard"]}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"password", "roles"}
