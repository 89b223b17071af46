"""Form handling shared by the pages: a service's refusal lands on the form, nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse


def form_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def submit(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], object],
    *,
    success: str,
    done: Callable[[], HttpResponse],
    again: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """Validate ``form`` and call the service with its data.

    On success: flash ``success`` and return ``done()`` (a redirect). When the form or the
    service refuses: return ``again(form)``, the page again with the errors and what was typed.
    """
    if form.is_valid():
        try:
            call(dict(form.cleaned_data))
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, success)
            return done()
    return again(form)
