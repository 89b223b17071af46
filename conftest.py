"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from essor.core.testing import Personas, make_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a page client signed in as ``user``."""

    def sign_in(user):  # type: ignore[no-untyped-def]
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in


@pytest.fixture
def api_for():  # type: ignore[no-untyped-def]
    """``api_for(user)``: an API client authenticated with the user's token."""
    from rest_framework.authtoken.models import Token

    def authenticate(user):  # type: ignore[no-untyped-def]
        api = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return authenticate


@pytest.fixture
def require_postgres(db: None) -> None:
    """Skip on SQLite with a reason; in CI on PostgreSQL a missing server is an error."""
    if connection.vendor != "postgresql":
        if os.environ.get("ESSOR_REQUIRE_POSTGRES") == "1":
            pytest.fail("ESSOR_REQUIRE_POSTGRES=1 but the tests run on " + connection.vendor)
        pytest.skip("needs PostgreSQL (row locks); runs in CI's PostgreSQL pass")
