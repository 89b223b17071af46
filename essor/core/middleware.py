"""Requests refused before any view reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponseBase]


def _has_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path_info or "\x00" in query or "%00" in query


class RejectNulMiddleware:
    """A NUL character in the address (``?q=%00``) is refused with 400 and a message.

    No text essor stores or searches holds one, and PostgreSQL refuses even to compare with
    it: without this, every filter of every list would be a server error waiting for a
    ``%00``. Sent forms need no such guard: their text fields drop the character
    (:mod:`essor.core.text`).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _has_nul(request):
            return self.get_response(request)
        message = _("The address holds a NUL character (%(code)s): remove it and try again.") % {
            "code": "%00"
        }
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"reason": message}, status=400)
