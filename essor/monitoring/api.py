"""API of monitoring: the indicators of a scope and period (with a breakdown), targets against
actuals, and the follow-ups due. The numbers are those of the dashboards and reports: decimals
are strings ("45.3"), counts are integers, a figure that cannot be computed is null."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from essor.accounts.roles import Cap
from essor.core.api import CleanTextSerializerMixin, _drf_error, actor_of

from . import indicators, services
from .facts import last_refresh
from .indicators import Period, PeriodError, Scope
from .permissions import access_follow_up, access_scope
from .selectors import STATUS_LABELS, follow_ups_due, targets_against_actuals


def _number(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _scope(request: Request) -> Scope:
    actor = actor_of(request)
    if not actor.can(Cap.AGGREGATES_VIEW):
        raise NotFound
    kind = request.query_params.get("scope", "national")
    key = request.query_params.get("id", "")
    if kind not in ("national", "region", "convention", "programme"):
        raise serializers.ValidationError(
            {"scope": [_("Choose national, region, convention or programme.")]}
        )
    if kind != "national" and not key:
        raise serializers.ValidationError(
            {"id": [_("Give the id of the convention or programme, or the region's code.")]}
        )
    try:
        return access_scope(actor, kind, key or "ma")
    except Http404:
        raise NotFound from None


def _period(request: Request) -> Period:
    try:
        return Period.parse(request.query_params.get("period", ""))
    except PeriodError as error:
        raise serializers.ValidationError({"period": [str(error)]}) from None


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "format": "decimal"}],
        "nullable": True,
        "description": 'A count (integer), a decimal as a string ("45.3"), or null when it '
        "cannot be computed.",
    }
)
class FigureField(serializers.Field):
    """A figure as the dashboards show it (documentation of the answers, read-only)."""


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "nullable": True,
        "description": "The member of the breakdown: a year, a code, an id or a value.",
    }
)
class BreakdownKeyField(serializers.Field):
    """The key of a breakdown's row (documentation of the answers, read-only)."""


INDICATOR = inline_serializer(
    "IndicatorValue",
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "unit": serializers.ChoiceField(choices=["count", "pct", "hours", "mad"]),
        "value": FigureField(),
    },
)
INDICATORS = inline_serializer(
    "Indicators",
    {
        "scope": serializers.ChoiceField(choices=["national", "region", "convention", "programme"]),
        "id": serializers.CharField(allow_null=True),
        "period": serializers.CharField(),
        "as_of": serializers.DateTimeField(allow_null=True),
        "by": serializers.CharField(required=False, help_text="With ``by``: the breakdown."),
        "indicators": serializers.ListField(
            child=INDICATOR, required=False, help_text="Without ``by``: every indicator."
        ),
        "rows": serializers.ListField(
            child=inline_serializer(
                "IndicatorBreakdownRow",
                {
                    "key": BreakdownKeyField(),
                    "label": serializers.CharField(),
                    "values": serializers.DictField(child=FigureField()),
                },
            ),
            required=False,
            help_text="With ``by``: one row per member, the indicators by code.",
        ),
    },
)
TARGET_STATUS = inline_serializer(
    "TargetStatus",
    {
        "target": serializers.IntegerField(),
        "label": serializers.CharField(),
        "indicator": serializers.CharField(allow_null=True),
        "value": serializers.DecimalField(max_digits=14, decimal_places=2),
        "due_on": serializers.DateField(allow_null=True),
        "actual": FigureField(),
        "expected": FigureField(),
        "status": serializers.ChoiceField(choices=list(STATUS_LABELS)),
    },
    many=True,
)


@extend_schema(
    operation_id="indicators",
    parameters=[
        OpenApiParameter("scope", str, enum=["national", "region", "convention", "programme"]),
        OpenApiParameter("id", str, description="convention or programme id, or region code"),
        OpenApiParameter("period", str, required=True, description="2025 or 2023-2025"),
        OpenApiParameter("by", str, enum=sorted(indicators.DIMENSIONS)),
    ],
    responses={200: INDICATORS},
)
@api_view(["GET"])
def indicator_values(request: Request) -> Response:
    """Every indicator of the catalogue for a scope and a period; with ``by``, one row per
    member of that breakdown."""
    scope = _scope(request)
    period = _period(request)
    refreshed = last_refresh()
    body: dict[str, Any] = {
        "scope": scope.kind,
        "id": request.query_params.get("id") or None,
        "period": period.label,
        "as_of": refreshed.finished_at if refreshed else None,
    }
    by = request.query_params.get("by")
    if by:
        if by not in indicators.DIMENSIONS:
            raise serializers.ValidationError({"by": [", ".join(sorted(indicators.DIMENSIONS))]})
        body["by"] = by
        body["rows"] = [
            {
                "key": row.key,
                "label": row.label,
                "values": {k: _number(v) for k, v in row.values.items()},
            }
            for row in indicators.breakdown(scope, period, by)
        ]
        return Response(body)
    values = indicators.compute(scope, period)
    body["indicators"] = [
        {
            "code": i.code,
            "name": str(i.name),
            "unit": i.unit,
            "value": _number(values[i.code]),
        }
        for i in indicators.CATALOGUE
    ]
    return Response(body)


@extend_schema(
    operation_id="convention_targets_status",
    parameters=[OpenApiParameter("period", str, required=True)],
    responses={200: TARGET_STATUS},
)
@api_view(["GET"])
def targets_status(request: Request, pk: int) -> Response:
    """Each target of a convention against what was achieved up to the end of the period."""
    actor = actor_of(request)
    from essor.conventions.permissions import access_convention

    try:
        convention = access_convention(actor, pk)
    except Http404:
        raise NotFound from None
    period = _period(request)
    return Response(
        [
            {
                "target": t.target.pk,
                "label": t.target.label,
                "indicator": t.indicator.code if t.indicator else None,
                "value": str(t.target.value),
                "due_on": t.target.due_on,
                "actual": _number(t.actual),
                "expected": _number(t.expected),
                "status": t.status,
            }
            for t in targets_against_actuals(convention, period)
        ]
    )


class FollowUpSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    enrollment = serializers.IntegerField(source="enrollment_id", read_only=True)
    holder = serializers.SerializerMethodField()
    programme = serializers.CharField(source="enrollment.application.programme.code")
    wave = serializers.IntegerField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    done_on = serializers.DateField(allow_null=True)
    active = serializers.BooleanField(allow_null=True)
    jobs_created = serializers.IntegerField(allow_null=True)
    jobs_kept = serializers.IntegerField(allow_null=True)

    def get_holder(self, obj: Any) -> str:
        app = obj.enrollment.application
        return str(app.person or app.organisation)


class FollowUpRecordSerializer(CleanTextSerializerMixin, serializers.Serializer[Any]):
    reached = serializers.BooleanField()
    done_on = serializers.DateField(required=False)
    channel = serializers.CharField(required=False, default="phone")
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    jobs_created = serializers.IntegerField(required=False, allow_null=True, default=None)
    jobs_kept = serializers.IntegerField(required=False, allow_null=True, default=None)
    needs = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(operation_id="follow_ups_due", responses={200: FollowUpSerializer(many=True)})
@api_view(["GET"])
def follow_ups(request: Request) -> Response:
    """The follow-ups due in the next two weeks or overdue, that the user may see."""
    actor = actor_of(request)
    if not actor.can(Cap.PERSONAL_VIEW):
        raise NotFound
    return Response(FollowUpSerializer(follow_ups_due(actor)[:500], many=True).data)


@extend_schema(
    operation_id="follow_up_record",
    request=FollowUpRecordSerializer,
    responses={200: FollowUpSerializer},
)
@api_view(["POST"])
def follow_up_record(request: Request, pk: int) -> Response:
    """Record a follow-up survey (or that the holder could not be reached)."""
    actor = actor_of(request)
    if not actor.can(Cap.PERSONAL_CHANGE):
        raise NotFound
    try:
        item = access_follow_up(actor, pk, action="record")
    except Http404:
        raise NotFound from None
    data = FollowUpRecordSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        done = services.follow_up_record(actor=actor, follow_up=item, **data.validated_data)
    except ValidationError as error:
        raise _drf_error(error) from None
    return Response(FollowUpSerializer(done).data)
