"""The JSON twin of the page "Export for evaluation": the same rows, a page at a time.

Guarded by ``research.export``; a convention or programme outside the user's reach is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from essor.core.api import _drf_error, actor_of

from .columns import Column, columns
from .pseudonyms import Pseudonymiser
from .rows import CHUNK, export_rows
from .scope import applications, can_export, export_scope, log_export

MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = CHUNK


class ResearchQuerySerializer(serializers.Serializer[Any]):
    convention = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="id of a convention"
    )
    programme = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="id of a programme"
    )
    rows = serializers.ChoiceField(
        choices=["applications", "enrollments"], required=False, default="applications"
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=500
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("convention") is None and attrs.get("programme") is None:
            raise serializers.ValidationError(
                {"convention": [_("Choose a convention, a programme, or both.")]}
            )
        return attrs


def _json_field(column: Column) -> serializers.Field:
    if column.kind == "integer":
        return serializers.IntegerField(allow_null=True, help_text=column.description)
    if column.kind == "decimal":
        return serializers.DecimalField(
            max_digits=16, decimal_places=2, allow_null=True, help_text=column.description
        )
    if column.kind == "flag":
        return serializers.BooleanField(allow_null=True, help_text=column.description)
    return serializers.CharField(allow_blank=True, help_text=column.description)


def _json_value(column: Column, value: Any) -> Any:
    if column.kind == "decimal":
        return None if value is None else f"{value:.2f}"
    return value


def _row_schema() -> Any:
    with translation.override("en"):
        return inline_serializer(
            "ResearchExportRow",
            {column.name: _json_field(column) for column in columns()},
            many=True,
        )


def _page_schema() -> Any:
    return inline_serializer(
        "ResearchExportPage",
        {
            "key_fingerprint": serializers.CharField(),
            "count": serializers.IntegerField(),
            "page": serializers.IntegerField(),
            "page_size": serializers.IntegerField(),
            "next": serializers.CharField(allow_null=True),
            "results": _row_schema(),
        },
    )


@extend_schema(
    operation_id="research_export",
    parameters=[ResearchQuerySerializer],
    responses={200: _page_schema()},
    description=(
        "Pseudonymised rows of a convention's or a programme's applications, for evaluation: "
        "the rows of the page's CSV and XLSX, as JSON, a page at a time. Needs the "
        "`research.export` capability; a convention or programme the user may not export is "
        "a 404. Persons are pseudonyms (stable under essor's key), ages are bands."
    ),
)
@api_view(["GET"])
def research_export(request: Request) -> Response:
    actor = actor_of(request)
    if not can_export(actor):
        raise NotFound
    query = ResearchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    try:
        scope = export_scope(
            actor,
            convention_id=data.get("convention"),
            programme_id=data.get("programme"),
            rows=data["rows"],
        )
    except Http404:
        raise NotFound from None
    except ValidationError as error:
        raise _drf_error(error) from None
    names = Pseudonymiser()
    page, size = data["page"], data["page_size"]
    base = applications(scope)
    count = base.count()
    after = 0
    skip = (page - 1) * size
    if skip:
        # The id before the page's first row, so that the rows are read by keyset as in a file.
        before = list(base.order_by("pk").values_list("pk", flat=True)[skip - 1 : skip])
        after = before[0] if before else None  # type: ignore[assignment]
    results: list[dict[str, Any]] = []
    if after is not None:
        every = columns()
        for _pk, row in export_rows(scope, names=names, after=after, limit=size):
            results.append({c.name: _json_value(c, row[c.name]) for c in every})
    following = None
    if skip + len(results) < count:
        following = request.build_absolute_uri(
            "?" + _query(request, page=page + 1)  # the same query, next page
        )
    if page == 1:
        log_export(actor, scope, "api")
    return Response(
        {
            "key_fingerprint": names.fingerprint,
            "count": count,
            "page": page,
            "page_size": size,
            "next": following,
            "results": results,
        }
    )


def _query(request: Request, **changes: Any) -> str:
    params = request.query_params.copy()
    for key, value in changes.items():
        params[key] = str(value)
    return str(params.urlencode())
