"""The API slows a runaway client down with 429, per user and per address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from essor.core.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings: Any) -> Iterator[None]:
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/minute", "anon": "2/minute"},
    }
    yield
    cache.clear()


def test_a_user_past_the_rate_gets_429_with_retry_after(
    personas: Personas, api_for, low_rates
) -> None:
    api = api_for(personas.user("counsellor"))
    for _ in range(3):
        assert api.get("/api/v1/me").status_code == 200
    throttled = api.get("/api/v1/me")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"]
    # Another user of the same office is not slowed down.
    assert api_for(personas.user("admin")).get("/api/v1/me").status_code == 200


def test_anonymous_calls_are_counted_per_address(low_rates) -> None:
    # The API docs are open to all; an endpoint that needs an account answers 401 first.
    docs = reverse("api-docs")
    api = APIClient(REMOTE_ADDR="10.0.0.9")
    assert api.get(docs).status_code == 200
    assert api.get(docs).status_code == 200
    assert api.get(docs).status_code == 429
    assert APIClient(REMOTE_ADDR="10.0.0.10").get(docs).status_code == 200


def test_the_test_settings_never_throttle_the_suite(settings) -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"anon": "1000000/hour", "user": "1000000/hour"}
