"""Typed requests for views: htmx details and the signed-in essor user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from essor.accounts.models import User


class EssorRequest(HttpRequest):
    htmx: HtmxDetails
    user: User
