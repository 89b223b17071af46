"""API conventions shared by every app: errors as JSON, the same guards as the pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

if TYPE_CHECKING:
    from essor.accounts.models import User


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with a 404 that never says whether the object exists elsewhere."""
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)


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
    """One row by primary key, or 404 (also for a key that is not a number)."""
    try:
        return rows.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def id_param(request: Request, name: str) -> int | None:
    """A query parameter that names a record by its number; 400 when it is not a number."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise serializers.ValidationError({name: [_("Give a number.")]})
    return int(value)


def choice_param(request: Request, name: str, choices: list[str]) -> str:
    value = request.query_params.get(name, "").strip()
    if value and value not in choices:
        raise serializers.ValidationError(
            {name: [_("Unknown value: %(value)s.") % {"value": value[:40]}]}
        )
    return value


class ServiceSerializer(serializers.ModelSerializer):
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
