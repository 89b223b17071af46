"""API throttling: per user (token or session), and per address for anonymous calls.

DRF's throttles read their rates once, when the class is defined; these read
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at each call, so that the rates set from the
environment (ESSOR_API_RATE_USER, ESSOR_API_RATE_ANON) and a test's override both apply.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


def _rate(scope: str | None) -> str | None:
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope or "")
    return None if rate is None else str(rate)


class AnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)
