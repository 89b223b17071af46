"""API conventions shared by every app: errors as JSON, the same guards as the pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import (
    FieldDoesNotExist,
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.fields import empty
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from essor.core.text import clean_line, clean_text

if TYPE_CHECKING:
    from essor.accounts.models import User


# The largest key a row may have (a 64-bit signed integer, in SQLite as in PostgreSQL): a larger
# number names no record, and the database would refuse it rather than find nothing.
MAX_ID = 2**63 - 1


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/v1/ (``/persons/abc.x``): a JSON 404 like the API's own,
    never the site's HTML page."""
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with a 404 that never says whether the object exists elsewhere.

    A number beyond what the database stores (``?offset=10**30``, an id of 30 digits) and a
    request beyond Django's limits are the request's fault: 400 with a message, never a server
    error nor an HTML page.
    """
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, OverflowError):
        return Response(
            {"detail": _("A number in the request is too large.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DataError | ValueError) and "NUL (0x00)" in str(exc):
        # PostgreSQL stores no NUL character, nor searches for one (a "?q=%00"): the request
        # is refused, as SQLite's answer (nothing found) would hide the problem.
        return Response(
            {"detail": _("A value in the request holds a NUL character (\\0): remove it.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        # Django's own limits on a request (DATA_UPLOAD_MAX_*): JSON, not its HTML page.
        return Response(
            {
                "detail": _(
                    "The request is larger than essor takes in one go: send less at a time "
                    "(a list of persons goes through /imports, as a file)."
                )
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)


class Pagination(LimitOffsetPagination):
    """Pages of at most 500 rows, from an offset the database can take: a client cannot ask for
    the whole registry in one answer, nor for a page past the end of any table."""

    max_limit = 500

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), MAX_ID)


M = TypeVar("M", bound=Model)


def actor_of(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's ValidationError as a 400 by field; its PermissionDenied as a 404."""
    try:
        yield
    except DjangoPermissionDenied as error:
        raise NotFound from error
    except DjangoValidationError as error:
        raise _drf_error(error) from error


def require(request: Request, capability: str) -> None:
    if not actor_of(request).can(capability):
        raise NotFound


def fetch(rows: QuerySet[M], pk: Any) -> M:
    """One row by primary key, or 404 (also for a key that is not a number, or too large)."""
    try:
        if abs(int(pk)) > MAX_ID:
            raise Http404
        return rows.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def id_param(request: Request, name: str) -> int | None:
    """A query parameter that names a record by its number; 400 when it is not a number."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise serializers.ValidationError({name: [_("Give a number.")]})
    return int(value)


def choice_param(request: Request, name: str, choices: list[str]) -> str:
    value = request.query_params.get(name, "").strip()
    if value and value not in choices:
        raise serializers.ValidationError(
            {name: [_("Unknown value: %(value)s.") % {"value": value[:40]}]}
        )
    return value


def _cleaner_for(model: type[Model] | None, source: str) -> Callable[[str], str]:
    """Free text for a model's TextField or a field of no model; a one-line text otherwise."""
    try:
        field = model._meta.get_field(source) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if field is None or isinstance(field, models.TextField):
        return clean_text
    return clean_line


class CleanTextSerializerMixin:
    """Every text a serializer reads is cleaned by :mod:`essor.core.text` before its checks, as
    the forms' :class:`~essor.core.forms.CleanTextMixin` does: a one-line field (a name, a
    title) loses its invisible and direction-changing characters, free text its control
    characters. A password is left as sent."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        # No NUL anywhere, also in what names a record (a code, a choice): PostgreSQL would
        # refuse to even look it up.
        return super().to_internal_value(_without_nul(data))  # type: ignore[misc]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in self.fields.items():
            if (
                not isinstance(field, serializers.CharField)
                or field.read_only
                or name == "password"
                or field.style.get("input_type") == "password"
            ):
                continue
            _cleaning(field, _cleaner_for(model, str(field.source or name)))


def _without_nul(data: Any) -> Any:
    if isinstance(data, str):
        return data.replace("\x00", "")
    if isinstance(data, QueryDict):
        clean = QueryDict(mutable=True)
        for key, values in data.lists():
            clean.setlist(_without_nul(key), [_without_nul(v) for v in values])
        return clean
    if isinstance(data, dict):
        return {_without_nul(key): _without_nul(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_without_nul(value) for value in data]
    return data


def _cleaning(field: serializers.CharField, cleaner: Callable[[str], str]) -> None:
    run = field.run_validation

    def run_validation(data: Any = empty) -> Any:
        return run(cleaner(data) if isinstance(data, str) else data)

    field.run_validation = run_validation  # type: ignore[method-assign]


class ServiceSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    """A model serializer whose ``create_only`` fields are set once, then never change."""

    create_only: ClassVar[tuple[str, ...]] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if self.instance is not None:
            errors = {
                name: _("This cannot change once recorded.")
                for name in self.create_only
                if name in attrs and attrs[name] != getattr(self.instance, name)
            }
            if errors:
                raise serializers.ValidationError(errors)
            attrs = {k: v for k, v in attrs.items() if k not in self.create_only}
        return attrs


def money_field(**kwargs: Any) -> serializers.DecimalField:
    """An amount in dirhams, read as a string with two decimals (``"25000000.00"``)."""
    return serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True, **kwargs)


# --- The errors every operation may answer, in the OpenAPI schema -------------------------------

_PAGINATION = frozenset({"limit", "offset"})
_UNSAFE = frozenset({"post", "put", "patch", "delete"})


class ErrorSerializer(serializers.Serializer):
    """A refusal, said in the request's language (the OpenAPI component ``Error``)."""

    detail = serializers.CharField()


def _error_schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular hook: add to each operation the errors it may answer, in one place.

    The rules are the API's conventions (docs/architecture.md): 400 with the problems by field
    when it reads input, and for a NUL in any address (essor.core.middleware); 401 without
    valid credentials; 403 for a write sent with a session cookie but no CSRF token; 404 for a
    missing record and for one the caller's role may not reach ("forbidden looks like
    missing"); 429 above the request rate.
    """
    from rest_framework.settings import api_settings

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "description": "A refusal, said in the request's language.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas["ValidationErrors"] = {
        "type": "object",
        "description": (
            "What was wrong, by field: each field's messages (a list of strings, or for a list "
            "or a nested object, the same by position or field); `non_field_errors` for the "
            "request as a whole; `detail` when the body could not be read at all."
        ),
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    }
    throttled = bool(api_settings.DEFAULT_THROTTLE_CLASSES)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            security = operation.get("security", result.get("security", []))
            secured = any(requirement for requirement in security)
            reads_input = "requestBody" in operation or any(
                p.get("in") == "query" and p.get("name") not in _PAGINATION
                for p in operation.get("parameters", [])
            )
            cookie = any("cookieAuth" in requirement for requirement in security)
            if reads_input:
                responses.setdefault(
                    "400",
                    {
                        "description": "The request's values were refused; the body says why.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ValidationErrors"}
                            }
                        },
                    },
                )
            else:
                # Any address may carry a NUL, which essor.core.middleware answers with a 400.
                responses.setdefault(
                    "400", _error_schema("The address holds a NUL character: remove it.")
                )
            if secured:
                responses.setdefault(
                    "401", _error_schema("No credentials, or a token that is not valid.")
                )
                responses.setdefault(
                    "404",
                    _error_schema(
                        "No such record, or one the caller's role may not reach: essor answers "
                        "both alike."
                    ),
                )
            if cookie and method in _UNSAFE:
                responses.setdefault(
                    "403", _error_schema("A write with a session cookie but no CSRF token.")
                )
            if throttled:
                responses.setdefault("429", _error_schema("Too many requests: wait and retry."))
    return result
