"""Form handling shared by the pages: a service's refusal lands on the form, nothing is lost;
every text a form reads is made harmless first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from .text import clean_line, clean_text


def _cleaning(field: forms.Field) -> None:
    if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
        return
    cleaner = clean_text if isinstance(field.widget, forms.Textarea) else clean_line
    read = field.to_python

    def to_python(value: Any) -> Any:
        value = read(value)
        return cleaner(value) if isinstance(value, str) and value else value

    field.to_python = to_python  # type: ignore[method-assign]


class CleanTextMixin:
    """Every text field of the form is cleaned by :mod:`essor.core.text` before its checks: a
    one-line field as a name (no invisible or direction-changing characters), a text area as
    free text (no control characters). A password is left as typed.

    The checks then see the cleaned value: a required name made only of invisible characters
    is empty, and the form says so.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _cleaning(field)


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
